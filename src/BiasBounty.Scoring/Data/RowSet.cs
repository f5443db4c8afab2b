using System.Numerics;
using System.Runtime.InteropServices;
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

    public RowSet And(RowSet other) => Combine(other, static (a, b) => a & b);

    public RowSet Or(RowSet other) => Combine(other, static (a, b) => a | b);

    public RowSet AndNot(RowSet other) => Combine(other, static (a, b) => a & ~b);

    public RowSet Not()
    {
        var words = new ulong[_words.Length];
        for (var i = 0; i < words.Length; i++) words[i] = ~_words[i];
        return FromWords(Length, words);
    }

    /// <summary>In-place intersection, for hot paths that own their set.</summary>
    public void AndInPlace(RowSet other)
    {
        CheckSameLength(other);
        var a = _words.AsSpan();
        var b = other._words.AsSpan();
        for (var i = 0; i < a.Length; i++) a[i] &= b[i];
    }

    /// <summary>Number of rows in both sets, without allocating the intersection.</summary>
    public int IntersectionCount(RowSet other)
    {
        CheckSameLength(other);
        long count = 0;
        for (var i = 0; i < _words.Length; i++) count += BitOperations.PopCount(_words[i] & other._words[i]);
        return (int)count;
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

    private RowSet Combine(RowSet other, Func<ulong, ulong, ulong> op)
    {
        CheckSameLength(other);
        var words = new ulong[_words.Length];
        for (var i = 0; i < words.Length; i++) words[i] = op(_words[i], other._words[i]);
        return new RowSet(Length, words);
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
