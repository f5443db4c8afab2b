using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace BiasBounty.Scoring.Data;

/// <summary>
/// A set of row indices stored as a bitset (bit <c>i</c> of word <c>i / 64</c>): the form a compiled group
/// takes, and the form of a column's missing-value map. Bits past <see cref="Length"/> are always zero.
/// </summary>
public sealed class RowSet : IEquatable<RowSet>
{
    private readonly ulong[] _words;

    /// <summary>Creates an empty set over <paramref name="length"/> rows.</summary>
    public RowSet(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _words = new ulong[WordCount(length)];
    }

    private RowSet(int length, ulong[] words)
    {
        Length = length;
        _words = words;
    }

    /// <summary>Number of rows the set ranges over (not the number of members).</summary>
    public int Length { get; }

    /// <summary>The raw words; bits past <see cref="Length"/> are zero.</summary>
    public Span<ulong> Words => _words;

    public static int WordCount(int length) => (length + 63) >> 6;

    public static RowSet All(int length)
    {
        var set = new RowSet(length);
        set._words.AsSpan().Fill(ulong.MaxValue);
        set.ClearTail();
        return set;
    }

    /// <summary>Wraps words produced by a vectorised evaluator; the tail past <paramref name="length"/> is cleared.</summary>
    public static RowSet FromWords(int length, ulong[] words)
    {
        if (words.Length != WordCount(length))
            throw new ArgumentException($"expected {WordCount(length)} words for {length} rows, got {words.Length}", nameof(words));
        var set = new RowSet(length, words);
        set.ClearTail();
        return set;
    }

    public static RowSet FromPredicate(int length, Func<int, bool> member)
    {
        var set = new RowSet(length);
        for (var i = 0; i < length; i++)
            if (member(i)) set.Add(i);
        return set;
    }

    public bool Contains(int row) => (_words[row >> 6] & (1UL << (row & 63))) != 0;

    public void Add(int row) => _words[row >> 6] |= 1UL << (row & 63);

    public void Remove(int row) => _words[row >> 6] &= ~(1UL << (row & 63));

    /// <summary>Number of members (population count).</summary>
    public int Count()
    {
        long count = 0;
        foreach (var w in _words) count += BitOperations.PopCount(w);
        return (int)count;
    }

    public RowSet Clone() => new(Length, (ulong[])_words.Clone());

    public RowSet And(RowSet other) => Combine<AndOp>(other);

    public RowSet Or(RowSet other) => Combine<OrOp>(other);

    public RowSet AndNot(RowSet other) => Combine<AndNotOp>(other);

    public RowSet Not()
    {
        var words = new ulong[_words.Length];
        Apply<NotOp>(_words, _words, words);
        var set = new RowSet(Length, words);
        set.ClearTail();
        return set;
    }

    /// <summary>In-place intersection, for hot paths that own their set.</summary>
    public void AndInPlace(RowSet other)
    {
        CheckSameLength(other);
        Apply<AndOp>(_words, other._words, _words);
    }

    /// <summary>Number of rows in both sets, without allocating the intersection.</summary>
    public int IntersectionCount(RowSet other)
    {
        CheckSameLength(other);
        long count = 0;
        for (var i = 0; i < _words.Length; i++) count += BitOperations.PopCount(_words[i] & other._words[i]);
        return (int)count;
    }

    /// <summary>
    /// The sizes of <c>this ∩ within</c> and <c>¬this ∩ within</c>, where <c>within = a ∩ b</c>, and how many rows of
    /// each are in <paramref name="marked"/> — one pass over the words, nothing allocated. Sets over zero rows give
    /// four zeros.
    /// </summary>
    /// <exception cref="ArgumentException">A set covers a different number of rows.</exception>
    public (int Inside, int InsideMarked, int Outside, int OutsideMarked) SplitCounts(RowSet a, RowSet b, RowSet marked)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(marked);
        CheckSameLength(a);
        CheckSameLength(b);
        CheckSameLength(marked);
        ReadOnlySpan<ulong> m = _words, x = a._words, y = b._words, e = marked._words;
        x = x[..m.Length];
        y = y[..m.Length];
        e = e[..m.Length];
        long inside = 0, insideMarked = 0, within = 0, withinMarked = 0;
        for (var i = 0; i < m.Length; i++)
        {
            var w = x[i] & y[i];
            var we = w & e[i];
            within += BitOperations.PopCount(w);
            withinMarked += BitOperations.PopCount(we);
            inside += BitOperations.PopCount(w & m[i]);
            insideMarked += BitOperations.PopCount(we & m[i]);
        }
        // The complement's counts are the differences: exact integers, and the tail bits of ¬this never enter.
        return ((int)inside, (int)insideMarked, (int)(within - inside), (int)(withinMarked - insideMarked));
    }

    /// <summary>Jaccard similarity |A ∩ B| / |A ∪ B|; two empty sets have similarity 1.</summary>
    public double Jaccard(RowSet other)
    {
        CheckSameLength(other);
        long both = 0, either = 0;
        for (var i = 0; i < _words.Length; i++)
        {
            both += BitOperations.PopCount(_words[i] & other._words[i]);
            either += BitOperations.PopCount(_words[i] | other._words[i]);
        }
        return either == 0 ? 1.0 : (double)both / either;
    }

    /// <summary>Member row indices in ascending order.</summary>
    public int[] ToIndices()
    {
        var result = new int[Count()];
        var k = 0;
        for (var w = 0; w < _words.Length; w++)
        {
            var word = _words[w];
            while (word != 0)
            {
                result[k++] = (w << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
            }
        }
        return result;
    }

    /// <summary>SHA-256 over the row count and the words, lower-case hex: the identity of a group on a dataset.</summary>
    public string ContentHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(Length));
        sha.AppendData(MemoryMarshal.AsBytes(_words.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public bool Equals(RowSet? other) =>
        other is not null && other.Length == Length && _words.AsSpan().SequenceEqual(other._words);

    public override bool Equals(object? obj) => Equals(obj as RowSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Length);
        hash.AddBytes(MemoryMarshal.AsBytes(_words.AsSpan()));
        return hash.ToHashCode();
    }

    private RowSet Combine<TOp>(RowSet other)
        where TOp : struct, IWordOp
    {
        CheckSameLength(other);
        var words = new ulong[_words.Length];
        Apply<TOp>(_words, other._words, words);
        return new RowSet(Length, words);
    }

    /// <summary><c>result[i] = op(a[i], b[i])</c>, 256 bits at a time where the machine has them; result may alias a or b.</summary>
    private static void Apply<TOp>(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
        where TOp : struct, IWordOp
    {
        b = b[..a.Length];
        result = result[..a.Length];
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var ra = ref MemoryMarshal.GetReference(a);
            ref var rb = ref MemoryMarshal.GetReference(b);
            ref var rr = ref MemoryMarshal.GetReference(result);
            for (; i <= a.Length - Vector256<ulong>.Count; i += Vector256<ulong>.Count)
                TOp.Apply(Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rr, (nuint)i);
        }
        for (; i < a.Length; i++) result[i] = TOp.Apply(a[i], b[i]);
    }

    private interface IWordOp
    {
        static abstract ulong Apply(ulong a, ulong b);

        static abstract Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b);
    }

    private readonly struct AndOp : IWordOp
    {
        public static ulong Apply(ulong a, ulong b) => a & b;

        public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a & b;
    }

    private readonly struct OrOp : IWordOp
    {
        public static ulong Apply(ulong a, ulong b) => a | b;

        public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a | b;
    }

    private readonly struct NotOp : IWordOp
    {
        public static ulong Apply(ulong a, ulong b) => ~a;

        public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => ~a;
    }

    private readonly struct AndNotOp : IWordOp
    {
        public static ulong Apply(ulong a, ulong b) => a & ~b;

        public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Vector256.AndNot(a, b);
    }

    private void CheckSameLength(RowSet other)
    {
        if (other.Length != Length)
            throw new ArgumentException($"row sets cover different row counts ({Length} and {other.Length})", nameof(other));
    }

    private void ClearTail()
    {
        var tail = Length & 63;
        if (tail != 0) _words[^1] &= (1UL << tail) - 1;
    }
}
