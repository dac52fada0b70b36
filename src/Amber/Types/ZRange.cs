using Amber.Text;

namespace Amber.Types;

/// <summary>
/// A monotone test over a sorted set's order: true for a prefix of the elements, false for the rest.
/// The sorted set counts that prefix in O(log n), which turns range bounds into ranks.
/// </summary>
internal interface IZPrefix
{
    bool Holds(double score, ReadOnlySpan<byte> member);
}

/// <summary>A score interval as ZRANGEBYSCORE takes it: "(" makes a bound exclusive; -inf/+inf allowed.</summary>
internal readonly struct ZScoreRange(double min, bool minExclusive, double max, bool maxExclusive)
{
    public readonly double Min = min;
    public readonly bool MinExclusive = minExclusive;
    public readonly double Max = max;
    public readonly bool MaxExclusive = maxExclusive;

    /// <summary>Parses min and max as Redis's zslParseRange does (strtod, so leading spaces and hex are allowed).</summary>
    public static bool TryParse(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out ZScoreRange range)
    {
        range = default;
        if (!TryParseBound(min, out double lo, out bool loEx) || !TryParseBound(max, out double hi, out bool hiEx))
        {
            return false;
        }
        range = new ZScoreRange(lo, loEx, hi, hiEx);
        return true;
    }

    private static bool TryParseBound(ReadOnlySpan<byte> text, out double value, out bool exclusive)
    {
        exclusive = text.Length > 0 && text[0] == (byte)'(';
        return CDouble.TryParseLenient(exclusive ? text[1..] : text, out value);
    }

    /// <summary>True when no score can fall inside (min above max, or equal with an open end).</summary>
    public bool IsEmpty => Min > Max || (Min == Max && (MinExclusive || MaxExclusive));

    public bool AboveMin(double score) => MinExclusive ? score > Min : score >= Min;

    public bool BelowMax(double score) => MaxExclusive ? score < Max : score <= Max;

    /// <summary>Elements before the range: their count is the rank of the first element inside.</summary>
    public BeforeMin Before => new(this);

    /// <summary>Elements not past the range: their count minus one is the rank of the last element inside.</summary>
    public UpToMax UpTo => new(this);

    internal readonly struct BeforeMin(ZScoreRange r) : IZPrefix
    {
        public bool Holds(double score, ReadOnlySpan<byte> member) => !r.AboveMin(score);
    }

    internal readonly struct UpToMax(ZScoreRange r) : IZPrefix
    {
        public bool Holds(double score, ReadOnlySpan<byte> member) => r.BelowMax(score);
    }
}

/// <summary>
/// A lexicographic interval as ZRANGEBYLEX takes it: "[a" inclusive, "(a" exclusive, "-" and "+" the extremes.
/// Bounds are slices of the request arguments (valid during the command only).
/// </summary>
internal readonly ref struct ZLexRange
{
    public enum Kind : byte
    {
        Value,
        MinusInfinity,
        PlusInfinity,
    }

    public readonly ReadOnlySpan<byte> Min;
    public readonly Kind MinKind;
    public readonly bool MinExclusive;
    public readonly ReadOnlySpan<byte> Max;
    public readonly Kind MaxKind;
    public readonly bool MaxExclusive;

    private ZLexRange(ReadOnlySpan<byte> min, Kind minKind, bool minEx, ReadOnlySpan<byte> max, Kind maxKind, bool maxEx)
    {
        Min = min;
        MinKind = minKind;
        MinExclusive = minEx;
        Max = max;
        MaxKind = maxKind;
        MaxExclusive = maxEx;
    }

    public static bool TryParse(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out ZLexRange range)
    {
        range = default;
        if (!TryParseItem(min, out ReadOnlySpan<byte> lo, out Kind loKind, out bool loEx) ||
            !TryParseItem(max, out ReadOnlySpan<byte> hi, out Kind hiKind, out bool hiEx))
        {
            return false;
        }
        range = new ZLexRange(lo, loKind, loEx, hi, hiKind, hiEx);
        return true;
    }

    private static bool TryParseItem(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> value, out Kind kind, out bool exclusive)
    {
        value = default;
        kind = Kind.Value;
        exclusive = false;
        if (text.Length == 0)
        {
            return false;
        }
        switch (text[0])
        {
            case (byte)'+':
                kind = Kind.PlusInfinity;
                exclusive = true;
                return text.Length == 1;
            case (byte)'-':
                kind = Kind.MinusInfinity;
                exclusive = true;
                return text.Length == 1;
            case (byte)'(':
                exclusive = true;
                value = text[1..];
                return true;
            case (byte)'[':
                value = text[1..];
                return true;
            default:
                return false;
        }
    }

    /// <summary>Compares a bound with a member (Redis's sdscmplex: "-" below all, "+" above all).</summary>
    private static int CompareBound(Kind kind, ReadOnlySpan<byte> bound, ReadOnlySpan<byte> member) => kind switch
    {
        Kind.MinusInfinity => -1,
        Kind.PlusInfinity => 1,
        _ => bound.SequenceCompareTo(member),
    };

    public bool IsEmpty
    {
        get
        {
            int cmp = (MinKind, MaxKind) switch
            {
                (Kind.MinusInfinity, Kind.MinusInfinity) or (Kind.PlusInfinity, Kind.PlusInfinity) => 0,
                (Kind.MinusInfinity, _) or (_, Kind.PlusInfinity) => -1,
                (Kind.PlusInfinity, _) or (_, Kind.MinusInfinity) => 1,
                _ => Min.SequenceCompareTo(Max),
            };
            return cmp > 0 || (cmp == 0 && (MinExclusive || MaxExclusive));
        }
    }

    public bool AboveMin(ReadOnlySpan<byte> member)
    {
        int c = CompareBound(MinKind, Min, member);
        return MinExclusive ? c < 0 : c <= 0;
    }

    public bool BelowMax(ReadOnlySpan<byte> member)
    {
        int c = CompareBound(MaxKind, Max, member);
        return MaxExclusive ? c > 0 : c >= 0;
    }

    public LexBeforeMin Before => new(this);

    public LexUpToMax UpTo => new(this);

    internal readonly ref struct LexBeforeMin(ZLexRange r) : IZPrefix
    {
        private readonly ZLexRange _r = r;

        public bool Holds(double score, ReadOnlySpan<byte> member) => !_r.AboveMin(member);
    }

    internal readonly ref struct LexUpToMax(ZLexRange r) : IZPrefix
    {
        private readonly ZLexRange _r = r;

        public bool Holds(double score, ReadOnlySpan<byte> member) => _r.BelowMax(member);
    }
}
