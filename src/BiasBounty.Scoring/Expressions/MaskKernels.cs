using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace BiasBounty.Scoring.Expressions;

/// <summary>Which instructions the kernels use; <see cref="Auto"/> picks the widest the machine accelerates.</summary>
internal enum KernelMode
{
    Auto,
    Vector256,
    Vector128,
    Scalar,
}

/// <summary>A row test over one column's storage, in vector and scalar form (all-ones lanes where true).</summary>
internal interface IRowTest<T>
    where T : unmanaged
{
    /// <summary>False for tests that have no vector form (lookup tables, long lists).</summary>
    static abstract bool Vectorised { get; }

    Vector256<T> Test(Vector256<T> x);

    Vector128<T> Test(Vector128<T> x);

    bool Test(T x);
}

/// <summary>How a test's bits meet the word already in the destination (a struct, so the JIT specialises each loop).</summary>
internal interface IWordCombine
{
    /// <summary>True when the destination word already is the result, so the rows need not be tested.</summary>
    static abstract bool Decided(ulong destination);

    static abstract ulong Apply(ulong destination, ulong bits);
}

/// <summary>The test's bits replace the word.</summary>
internal readonly struct AssignWords : IWordCombine
{
    public static bool Decided(ulong destination) => false;

    public static ulong Apply(ulong destination, ulong bits) => bits;
}

/// <summary>The word becomes <c>word &amp; bits</c>; a zero word stays zero untested.</summary>
internal readonly struct AndWords : IWordCombine
{
    public static bool Decided(ulong destination) => destination == 0;

    public static ulong Apply(ulong destination, ulong bits) => destination & bits;
}

/// <summary>The word becomes <c>word | bits</c>; an all-ones word stays all ones untested.</summary>
internal readonly struct OrWords : IWordCombine
{
    public static bool Decided(ulong destination) => destination == ulong.MaxValue;

    public static ulong Apply(ulong destination, ulong bits) => destination | bits;
}

/// <summary>
/// Fills bitset words (bit <c>i</c> of word <c>i / 64</c>) with a row test over a column. A full word is 64 rows:
/// 64 / lanes vector compares whose lane sign bits are packed with ExtractMostSignificantBits; the rows after the
/// last full word are tested one by one, as are all rows in <see cref="KernelMode.Scalar"/> mode and for tests
/// without a vector form. Test and combine types are structs so the JIT specialises each loop.
/// </summary>
internal static class MaskKernels
{
    /// <summary>The whole column into a new bitset.</summary>
    public static ulong[] Fill<T, TTest>(ReadOnlySpan<T> values, TTest test, KernelMode mode)
        where T : unmanaged
        where TTest : struct, IRowTest<T>
    {
        var words = new ulong[(values.Length + 63) >> 6];
        Fill<T, TTest, AssignWords>(values, test, mode, words, 0);
        return words;
    }

    /// <summary>
    /// Combines the test's bits into <paramref name="words"/>, which holds the words from <paramref name="firstWord"/>
    /// on; <paramref name="values"/> is the whole column. Rows past the column's end test false. Words the combine
    /// has already decided are left untouched and their rows untested.
    /// </summary>
    public static void Fill<T, TTest, TCombine>(ReadOnlySpan<T> values, TTest test, KernelMode mode, Span<ulong> words, int firstWord)
        where T : unmanaged
        where TTest : struct, IRowTest<T>
        where TCombine : struct, IWordCombine
    {
        if ((uint)firstWord > (uint)((values.Length + 63) >> 6) || words.Length > ((values.Length + 63) >> 6) - firstWord)
            throw new ArgumentOutOfRangeException(nameof(firstWord), "the words lie past the column's end");
        var endWord = firstWord + words.Length;
        var fullEnd = Math.Min(endWord, values.Length >> 6);
        var w = firstWord;
        ref var start = ref MemoryMarshal.GetReference(values);
        if (TTest.Vectorised)
        {
            if (mode == KernelMode.Auto)
                mode = Vector256.IsHardwareAccelerated ? KernelMode.Vector256 : Vector128.IsHardwareAccelerated ? KernelMode.Vector128 : KernelMode.Scalar;
            if (mode == KernelMode.Vector256 && 64 % Vector256<T>.Count == 0)
            {
                for (; w < fullEnd; w++)
                {
                    ref var word = ref words[w - firstWord];
                    if (TCombine.Decided(word)) continue;
                    word = TCombine.Apply(word, Word256(ref start, (nuint)w << 6, test));
                }
            }
            else if (mode == KernelMode.Vector128 && 64 % Vector128<T>.Count == 0)
            {
                for (; w < fullEnd; w++)
                {
                    ref var word = ref words[w - firstWord];
                    if (TCombine.Decided(word)) continue;
                    word = TCombine.Apply(word, Word128(ref start, (nuint)w << 6, test));
                }
            }
        }
        for (; w < fullEnd; w++)
        {
            ref var word = ref words[w - firstWord];
            if (TCombine.Decided(word)) continue;
            var row = w << 6;
            ulong bits = 0;
            for (var j = 0; j < 64; j++) bits |= (test.Test(values[row + j]) ? 1UL : 0UL) << j;
            word = TCombine.Apply(word, bits);
        }
        if (w < endWord)
        {
            // The last, partial word of the column.
            ulong bits = 0;
            for (var i = w << 6; i < values.Length; i++)
                if (test.Test(values[i])) bits |= 1UL << (i & 63);
            ref var word = ref words[w - firstWord];
            if (!TCombine.Decided(word)) word = TCombine.Apply(word, bits);
        }
    }

    /// <summary>64 rows from <paramref name="offset"/> as one word, with 256-bit compares (unrolled per lane count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Word256<T, TTest>(ref T start, nuint offset, TTest test)
        where T : unmanaged
        where TTest : struct, IRowTest<T>
    {
        if (Vector256<T>.Count == 8)
        {
            return Bits(test.Test(Vector256.LoadUnsafe(ref start, offset)))
                | Bits(test.Test(Vector256.LoadUnsafe(ref start, offset + 8))) << 8
                | Bits(test.Test(Vector256.LoadUnsafe(ref start, offset + 16))) << 16
                | Bits(test.Test(Vector256.LoadUnsafe(ref start, offset + 24))) << 24
                | Bits(test.Test(Vector256.LoadUnsafe(ref start, offset + 32))) << 32
                | Bits(test.Test(Vector256.LoadUnsafe(ref start, offset + 40))) << 40
                | Bits(test.Test(Vector256.LoadUnsafe(ref start, offset + 48))) << 48
                | Bits(test.Test(Vector256.LoadUnsafe(ref start, offset + 56))) << 56;
        }
        if (Vector256<T>.Count == 32)
        {
            return Bits(test.Test(Vector256.LoadUnsafe(ref start, offset)))
                | Bits(test.Test(Vector256.LoadUnsafe(ref start, offset + 32))) << 32;
        }
        ulong bits = 0;
        for (var k = 0; k < 64; k += Vector256<T>.Count)
            bits |= Bits(test.Test(Vector256.LoadUnsafe(ref start, offset + (nuint)k))) << k;
        return bits;
    }

    /// <summary>64 rows from <paramref name="offset"/> as one word, with 128-bit compares.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Word128<T, TTest>(ref T start, nuint offset, TTest test)
        where T : unmanaged
        where TTest : struct, IRowTest<T>
    {
        ulong bits = 0;
        for (var k = 0; k < 64; k += Vector128<T>.Count)
            bits |= (ulong)test.Test(Vector128.LoadUnsafe(ref start, offset + (nuint)k)).ExtractMostSignificantBits() << k;
        return bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Bits<T>(Vector256<T> lanes) => lanes.ExtractMostSignificantBits();

    /// <summary>Clears the bits past <paramref name="length"/> rows (after a complement).</summary>
    public static void ClearTail(ulong[] words, int length)
    {
        var tail = length & 63;
        if (tail != 0) words[^1] &= (1UL << tail) - 1;
    }
}

// Number tests. IEEE compares are false when either side is NaN, so missing values fail every test without a check.

internal readonly struct FloatEqual(float value) : IRowTest<float>
{
    public static bool Vectorised => true;

    public Vector256<float> Test(Vector256<float> x) => Vector256.Equals(x, Vector256.Create(value));

    public Vector128<float> Test(Vector128<float> x) => Vector128.Equals(x, Vector128.Create(value));

    public bool Test(float x) => x == value;
}

/// <summary><c>x &lt; v or x &gt; v</c>, which unlike IEEE <c>!=</c> is false for NaN.</summary>
internal readonly struct FloatNotEqual(float value) : IRowTest<float>
{
    public static bool Vectorised => true;

    public Vector256<float> Test(Vector256<float> x) =>
        Vector256.LessThan(x, Vector256.Create(value)) | Vector256.GreaterThan(x, Vector256.Create(value));

    public Vector128<float> Test(Vector128<float> x) =>
        Vector128.LessThan(x, Vector128.Create(value)) | Vector128.GreaterThan(x, Vector128.Create(value));

    public bool Test(float x) => x < value || x > value;
}

internal readonly struct FloatLess(float value) : IRowTest<float>
{
    public static bool Vectorised => true;

    public Vector256<float> Test(Vector256<float> x) => Vector256.LessThan(x, Vector256.Create(value));

    public Vector128<float> Test(Vector128<float> x) => Vector128.LessThan(x, Vector128.Create(value));

    public bool Test(float x) => x < value;
}

internal readonly struct FloatLessOrEqual(float value) : IRowTest<float>
{
    public static bool Vectorised => true;

    public Vector256<float> Test(Vector256<float> x) => Vector256.LessThanOrEqual(x, Vector256.Create(value));

    public Vector128<float> Test(Vector128<float> x) => Vector128.LessThanOrEqual(x, Vector128.Create(value));

    public bool Test(float x) => x <= value;
}

internal readonly struct FloatGreater(float value) : IRowTest<float>
{
    public static bool Vectorised => true;

    public Vector256<float> Test(Vector256<float> x) => Vector256.GreaterThan(x, Vector256.Create(value));

    public Vector128<float> Test(Vector128<float> x) => Vector128.GreaterThan(x, Vector128.Create(value));

    public bool Test(float x) => x > value;
}

internal readonly struct FloatGreaterOrEqual(float value) : IRowTest<float>
{
    public static bool Vectorised => true;

    public Vector256<float> Test(Vector256<float> x) => Vector256.GreaterThanOrEqual(x, Vector256.Create(value));

    public Vector128<float> Test(Vector128<float> x) => Vector128.GreaterThanOrEqual(x, Vector128.Create(value));

    public bool Test(float x) => x >= value;
}

/// <summary>Membership in a short list (up to <see cref="MaxLength"/> values), as an OR of equality compares.</summary>
internal readonly struct FloatAnyOf(float[] values) : IRowTest<float>
{
    public const int MaxLength = 8;

    public static bool Vectorised => true;

    public Vector256<float> Test(Vector256<float> x)
    {
        var hit = Vector256<float>.Zero;
        foreach (var v in values) hit |= Vector256.Equals(x, Vector256.Create(v));
        return hit;
    }

    public Vector128<float> Test(Vector128<float> x)
    {
        var hit = Vector128<float>.Zero;
        foreach (var v in values) hit |= Vector128.Equals(x, Vector128.Create(v));
        return hit;
    }

    public bool Test(float x) => Array.IndexOf(values, x) >= 0;
}

/// <summary>Membership in a long list, by binary search over the sorted values (NaN is never found).</summary>
internal readonly struct FloatInSorted(float[] sorted) : IRowTest<float>
{
    public static bool Vectorised => false;

    public Vector256<float> Test(Vector256<float> x) => throw new NotSupportedException();

    public Vector128<float> Test(Vector128<float> x) => throw new NotSupportedException();

    public bool Test(float x) => !float.IsNaN(x) && Array.BinarySearch(sorted, x) >= 0;
}

/// <summary>A present value (not NaN) that fails <typeparamref name="TInner"/>: <c>not in</c> without matching missing rows.</summary>
internal readonly struct FloatPresentAndNot<TInner>(TInner inner) : IRowTest<float>
    where TInner : struct, IRowTest<float>
{
    public static bool Vectorised => TInner.Vectorised;

    public Vector256<float> Test(Vector256<float> x) => Vector256.AndNot(Vector256.Equals(x, x), inner.Test(x));

    public Vector128<float> Test(Vector128<float> x) => Vector128.AndNot(Vector128.Equals(x, x), inner.Test(x));

    public bool Test(float x) => !float.IsNaN(x) && !inner.Test(x);
}

// Text tests over category codes (-1 = missing; a code that matches no value is -2 and never occurs in data).

internal readonly struct CodeEqual(int code) : IRowTest<int>
{
    public static bool Vectorised => true;

    public Vector256<int> Test(Vector256<int> x) => Vector256.Equals(x, Vector256.Create(code));

    public Vector128<int> Test(Vector128<int> x) => Vector128.Equals(x, Vector128.Create(code));

    public bool Test(int x) => x == code;
}

internal readonly struct CodeAnyOf(int[] codes) : IRowTest<int>
{
    public const int MaxLength = 8;

    public static bool Vectorised => true;

    public Vector256<int> Test(Vector256<int> x)
    {
        var hit = Vector256<int>.Zero;
        foreach (var c in codes) hit |= Vector256.Equals(x, Vector256.Create(c));
        return hit;
    }

    public Vector128<int> Test(Vector128<int> x)
    {
        var hit = Vector128<int>.Zero;
        foreach (var c in codes) hit |= Vector128.Equals(x, Vector128.Create(c));
        return hit;
    }

    public bool Test(int x) => Array.IndexOf(codes, x) >= 0;
}

/// <summary>Membership by lookup table indexed by code + 1 (so missing, -1, reads entry 0, which is false).</summary>
internal readonly struct CodeTable(bool[] memberByCodePlusOne) : IRowTest<int>
{
    public static bool Vectorised => false;

    public Vector256<int> Test(Vector256<int> x) => throw new NotSupportedException();

    public Vector128<int> Test(Vector128<int> x) => throw new NotSupportedException();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Test(int x) => (uint)(x + 1) < (uint)memberByCodePlusOne.Length && memberByCodePlusOne[x + 1];
}

/// <summary>A present code (not -1) that fails <typeparamref name="TInner"/>: <c>!=</c> and <c>not in</c> on text.</summary>
internal readonly struct CodePresentAndNot<TInner>(TInner inner) : IRowTest<int>
    where TInner : struct, IRowTest<int>
{
    public static bool Vectorised => TInner.Vectorised;

    public Vector256<int> Test(Vector256<int> x) => Vector256.AndNot(Vector256.GreaterThanOrEqual(x, Vector256<int>.Zero), inner.Test(x));

    public Vector128<int> Test(Vector128<int> x) => Vector128.AndNot(Vector128.GreaterThanOrEqual(x, Vector128<int>.Zero), inner.Test(x));

    public bool Test(int x) => x >= 0 && !inner.Test(x);
}

// Text tests over a byte view of the codes (code + 1, so missing is 0); only built when every code fits.

internal readonly struct ByteEqual(byte value) : IRowTest<byte>
{
    public static bool Vectorised => true;

    public Vector256<byte> Test(Vector256<byte> x) => Vector256.Equals(x, Vector256.Create(value));

    public Vector128<byte> Test(Vector128<byte> x) => Vector128.Equals(x, Vector128.Create(value));

    public bool Test(byte x) => x == value;
}

internal readonly struct ByteAnyOf(byte[] values) : IRowTest<byte>
{
    public const int MaxLength = 8;

    public static bool Vectorised => true;

    public Vector256<byte> Test(Vector256<byte> x)
    {
        var hit = Vector256<byte>.Zero;
        foreach (var v in values) hit |= Vector256.Equals(x, Vector256.Create(v));
        return hit;
    }

    public Vector128<byte> Test(Vector128<byte> x)
    {
        var hit = Vector128<byte>.Zero;
        foreach (var v in values) hit |= Vector128.Equals(x, Vector128.Create(v));
        return hit;
    }

    public bool Test(byte x) => Array.IndexOf(values, x) >= 0;
}

/// <summary>A present code (byte not 0) that fails <typeparamref name="TInner"/>.</summary>
internal readonly struct BytePresentAndNot<TInner>(TInner inner) : IRowTest<byte>
    where TInner : struct, IRowTest<byte>
{
    public static bool Vectorised => TInner.Vectorised;

    public Vector256<byte> Test(Vector256<byte> x) => ~(Vector256.Equals(x, Vector256<byte>.Zero) | inner.Test(x));

    public Vector128<byte> Test(Vector128<byte> x) => ~(Vector128.Equals(x, Vector128<byte>.Zero) | inner.Test(x));

    public bool Test(byte x) => x != 0 && !inner.Test(x);
}
