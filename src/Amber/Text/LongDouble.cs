using System.Numerics;
using System.Text;

namespace Amber.Text;

/// <summary>
/// An emulation of the x87 80-bit extended-precision <c>long double</c> that Redis uses for INCRBYFLOAT
/// (and HINCRBYFLOAT): a 64-bit significand and a 15-bit exponent, with gradual underflow.
/// Only what those commands need: glibc's <c>strtold</c> (correctly rounded, ties to even), exact addition
/// rounded once, and <c>printf("%.17Lf")</c> with trailing zeros trimmed. Results match redis-server on x86-64
/// digit for digit, which a <c>double</c> cannot (0.1 + 0.2 is "0.3" there, not "0.30000000000000004").
/// </summary>
/// <remarks>Value = (-1)^IsNegative × Significand × 2^Exponent. Arithmetic is exact in <see cref="BigInteger"/>.</remarks>
internal readonly struct LongDouble
{
    private const int Precision = 64;
    /// <summary>The exponent of the smallest denormal's unit: 2^-16445.</summary>
    private const int MinExponent = -16445;
    /// <summary>Largest exponent of a 64-bit significand: values reach (2^64 - 1) × 2^16320, just under 2^16384.</summary>
    private const int MaxExponent = 16320;
    /// <summary>strtold's input limit in Redis (MAX_LONG_DOUBLE_CHARS).</summary>
    public const int MaxChars = 5 * 1024;

    private static readonly BigInteger Pow10_17 = BigInteger.Pow(10, 17);

    private LongDouble(bool negative, ulong significand, int exponent, bool infinity)
    {
        IsNegative = negative;
        Significand = significand;
        Exponent = exponent;
        IsInfinity = infinity;
    }

    public bool IsNegative { get; }
    public ulong Significand { get; }
    public int Exponent { get; }
    public bool IsInfinity { get; }
    public bool IsZero => !IsInfinity && Significand == 0;

    public static LongDouble Zero => default;

    private static LongDouble Infinity(bool negative) => new(negative, 0, 0, true);

    /// <summary>
    /// Parses as Redis's string2ld does: the whole text must be a number strtold accepts (decimal, hexadecimal,
    /// inf/infinity, optional sign), with no leading space, not NaN, and not out of range (overflow, or a
    /// nonzero value that underflows to zero).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out LongDouble value) => TryParse(text, exactOnly: false, out value);

    /// <param name="exactOnly">Skips the 128-bit fast path (tests compare both paths).</param>
    internal static bool TryParse(ReadOnlySpan<byte> text, bool exactOnly, out LongDouble value)
    {
        value = default;
        if (text.Length == 0 || text.Length >= MaxChars)
        {
            return false;
        }
        int p = 0;
        bool negative = false;
        if (text[0] is (byte)'+' or (byte)'-')
        {
            negative = text[0] == (byte)'-';
            p = 1;
        }
        ReadOnlySpan<byte> rest = text[p..];
        if (Ascii.EqualsIgnoreCase(rest, "inf"u8) || Ascii.EqualsIgnoreCase(rest, "infinity"u8))
        {
            value = Infinity(negative);
            return true;
        }
        bool ok = rest.Length > 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == (byte)'x'
            ? TryParseHex(rest[2..], negative, out value)
            : TryParseDecimal(rest, negative, exactOnly, out value);
        return ok;
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> s, bool negative, bool exactOnly, out LongDouble value)
    {
        value = default;
        int i = 0;
        int digits = 0;
        int significant = 0;
        long decimalExponent = 0;
        bool seenPoint = false;
        BigInteger n = BigInteger.Zero;
        ulong chunk = 0;
        ulong chunkScale = 1;
        // The first 19 significant digits always fit a ulong: the fast path needs no BigInteger.
        ulong small = 0;
        for (; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == (byte)'.' && !seenPoint)
            {
                seenPoint = true;
                continue;
            }
            if (c < (byte)'0' || c > (byte)'9')
            {
                break;
            }
            digits++;
            if (seenPoint)
            {
                decimalExponent--;
            }
            if (significant == 0 && c == (byte)'0')
            {
                continue;
            }
            significant++;
            if (significant <= 19)
            {
                small = small * 10 + (ulong)(c - '0');
                continue;
            }
            if (significant == 20)
            {
                n = small;
            }
            chunk = chunk * 10 + (ulong)(c - '0');
            chunkScale *= 10;
            if (chunkScale == 1_000_000_000_000_000_000UL)
            {
                n = n * chunkScale + chunk;
                chunk = 0;
                chunkScale = 1;
            }
        }
        if (chunkScale > 1)
        {
            n = n * chunkScale + chunk;
        }
        if (significant <= 19)
        {
            n = small;
        }
        if (digits == 0)
        {
            return false;
        }
        if (i < s.Length && (s[i] | 0x20) == (byte)'e')
        {
            if (!TryParseExponent(s[(i + 1)..], out long e))
            {
                return false;
            }
            decimalExponent = SaturatingAdd(decimalExponent, e);
        }
        else if (i != s.Length)
        {
            return false;
        }
        if (significant == 0)
        {
            value = new LongDouble(negative, 0, 0, false);
            return true;
        }
        // Magnitude in decimal: 10^(magnitude-1) <= |v| < 10^magnitude. Far outside the range: no need to compute.
        long magnitude = significant + decimalExponent;
        if (magnitude > 4935 || magnitude < -4955)
        {
            return false;
        }
        if (!exactOnly && significant <= 19 && TryFromDecimalFast(negative, small, decimalExponent, out value))
        {
            return true;
        }
        if (decimalExponent >= 0)
        {
            return TryRound(negative, n * BigInteger.Pow(10, (int)decimalExponent), BigInteger.One, 0, out value);
        }
        return TryRound(negative, n, BigInteger.Pow(10, (int)-decimalExponent), 0, out value);
    }

    private static bool TryParseHex(ReadOnlySpan<byte> s, bool negative, out LongDouble value)
    {
        value = default;
        BigInteger n = BigInteger.Zero;
        long binaryExponent = 0;
        int digits = 0;
        bool seenPoint = false;
        int i = 0;
        for (; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == (byte)'.' && !seenPoint)
            {
                seenPoint = true;
                continue;
            }
            int d = HexValue(c);
            if (d < 0)
            {
                break;
            }
            digits++;
            if (n.IsZero && d == 0)
            {
                if (seenPoint)
                {
                    binaryExponent -= 4;
                }
                continue;
            }
            // Keep the significant hex digits bounded: past 40 of them only stickiness matters.
            if (n.GetBitLength() < 160)
            {
                n = (n << 4) | d;
                if (seenPoint)
                {
                    binaryExponent -= 4;
                }
            }
            else
            {
                if (d != 0)
                {
                    n |= BigInteger.One; // sticky: below the rounding point, only "not zero" matters
                }
                if (!seenPoint)
                {
                    binaryExponent += 4;
                }
            }
        }
        if (digits == 0)
        {
            // "0x" with no digits: strtold reads just the "0", leaving "x..." unparsed.
            return false;
        }
        if (i < s.Length && (s[i] | 0x20) == (byte)'p')
        {
            if (!TryParseExponent(s[(i + 1)..], out long e))
            {
                return false;
            }
            binaryExponent = SaturatingAdd(binaryExponent, e);
        }
        else if (i != s.Length)
        {
            return false;
        }
        if (n.IsZero)
        {
            value = new LongDouble(negative, 0, 0, false);
            return true;
        }
        long top = (long)n.GetBitLength() + binaryExponent;
        if (top > 16400 || top < -16500)
        {
            return false;
        }
        return TryRound(negative, n, BigInteger.One, (int)binaryExponent, out value);
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>An exponent: optional sign, at least one digit, to the end of the text. Saturates instead of overflowing.</summary>
    private static bool TryParseExponent(ReadOnlySpan<byte> s, out long exponent)
    {
        exponent = 0;
        int i = 0;
        bool negative = false;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
        {
            negative = s[i] == (byte)'-';
            i++;
        }
        if (i == s.Length)
        {
            return false;
        }
        for (; i < s.Length; i++)
        {
            if (s[i] < (byte)'0' || s[i] > (byte)'9')
            {
                return false;
            }
            exponent = Math.Min(exponent * 10 + (s[i] - '0'), 1_000_000_000L);
        }
        if (negative)
        {
            exponent = -exponent;
        }
        return true;
    }

    private static long SaturatingAdd(long a, long b) => Math.Clamp(a + b, -2_000_000_000L, 2_000_000_000L);

    /// <summary>
    /// Rounds the exact value num/den × 2^shift (num, den > 0) to the nearest long double, ties to even,
    /// with gradual underflow. Fails on overflow and on a nonzero value that rounds to zero (strtold's ERANGE).
    /// </summary>
    private static bool TryRound(bool negative, BigInteger num, BigInteger den, int shift, out LongDouble value)
    {
        value = default;
        // Estimate e so that num/den × 2^(shift - e) lies in [2^63, 2^64): q = floor(num × 2^-e' / den).
        long estimate = (long)num.GetBitLength() - (long)den.GetBitLength() + shift; // log2(value) within ±1
        long e = estimate - Precision;
        if (e < MinExponent)
        {
            e = MinExponent;
        }
        while (true)
        {
            (BigInteger q, bool half, bool sticky) = Divide(num, den, shift - e);
            if (q.GetBitLength() > Precision)
            {
                e++;
                continue;
            }
            if (q.GetBitLength() < Precision && e > MinExponent)
            {
                e--;
                continue;
            }
            if (half && (sticky || !q.IsEven))
            {
                q += BigInteger.One;
                if (q.GetBitLength() > Precision)
                {
                    q >>= 1;
                    e++;
                }
            }
            if (e > MaxExponent)
            {
                return false;
            }
            if (q.IsZero)
            {
                return false;
            }
            value = new LongDouble(negative, (ulong)q, (int)e, false);
            return true;
        }
    }

    /// <summary>floor(num × 2^scale / den), whether the first discarded bit is 1, and whether any later one is.</summary>
    private static (BigInteger Quotient, bool Half, bool Sticky) Divide(BigInteger num, BigInteger den, long scale)
    {
        // One extra bit for the "half" decision.
        long s = scale + 1;
        BigInteger n = num;
        BigInteger d = den;
        bool lost = false;
        if (s >= 0)
        {
            n <<= (int)s;
        }
        else
        {
            long drop = -s;
            if (drop >= n.GetBitLength())
            {
                return (BigInteger.Zero, false, !n.IsZero);
            }
            BigInteger kept = n >> (int)drop;
            lost = !(n - (kept << (int)drop)).IsZero;
            n = kept;
        }
        BigInteger q = BigInteger.DivRem(n, d, out BigInteger r);
        bool sticky = lost || !r.IsZero;
        bool half = !q.IsEven;
        return (q >> 1, half, sticky);
    }

    /// <summary>The exact value of a 64-bit integer (every long fits the 64-bit significand).</summary>
    public static LongDouble FromLong(long value) =>
        value == 0 ? Zero : new LongDouble(value < 0, value < 0 ? (ulong)-(value + 1) + 1 : (ulong)value, 0, false);

    /// <summary>The correctly rounded sum (round to nearest, ties to even), as the x87 FPU adds.</summary>
    public static LongDouble Add(LongDouble a, LongDouble b) => Add(a, b, exactOnly: false);

    public static LongDouble operator +(LongDouble a, LongDouble b) => Add(a, b, exactOnly: false);

    /// <summary>Adds, returning false where C would produce NaN or an infinity (including from an infinite operand).</summary>
    public static bool TryAdd(LongDouble a, LongDouble b, out LongDouble sum)
    {
        if (a.IsInfinity || b.IsInfinity)
        {
            sum = Zero;
            return false;
        }
        sum = Add(a, b, exactOnly: false);
        return !sum.IsInfinity;
    }

    internal static LongDouble Add(LongDouble a, LongDouble b, bool exactOnly)
    {
        if (a.IsInfinity || b.IsInfinity)
        {
            // inf + -inf is NaN: reported as infinity here, which callers reject the same way.
            return a.IsInfinity ? a : b;
        }
        if (a.IsZero && b.IsZero)
        {
            return new LongDouble(a.IsNegative && b.IsNegative, 0, 0, false);
        }
        if (a.IsZero)
        {
            return b;
        }
        if (b.IsZero)
        {
            return a;
        }
        if (!exactOnly && TryAddFast(a, b, out LongDouble fast))
        {
            return fast;
        }
        int low = Math.Min(a.Exponent, b.Exponent);
        BigInteger x = new BigInteger(a.Significand) << (a.Exponent - low);
        BigInteger y = new BigInteger(b.Significand) << (b.Exponent - low);
        BigInteger sum = (a.IsNegative ? -x : x) + (b.IsNegative ? -y : y);
        if (sum.IsZero)
        {
            return Zero;
        }
        if (!TryRound(sum.Sign < 0, BigInteger.Abs(sum), BigInteger.One, low, out LongDouble result))
        {
            return Infinity(sum.Sign < 0);
        }
        return result;
    }

    /// <summary>
    /// Redis's ld2string in LD_STR_HUMAN mode: printf "%.17Lf" (exact decimal expansion, ties to even),
    /// then trailing zeros and a bare '.' removed, and "-0" written as "0". Returns the ASCII bytes.
    /// </summary>
    public byte[] ToHumanBytes() => ToHumanBytes(exactOnly: false);

    /// <summary><see cref="ToHumanBytes()"/> as a string.</summary>
    public string ToHumanString() => Encoding.ASCII.GetString(ToHumanBytes(exactOnly: false));

    internal byte[] ToHumanBytes(bool exactOnly)
    {
        if (IsInfinity)
        {
            return IsNegative ? "-inf"u8.ToArray() : "inf"u8.ToArray();
        }
        Span<byte> buffer = stackalloc byte[64];
        if (!exactOnly && TryFormatFast(buffer, out int written))
        {
            return buffer[..written].ToArray();
        }
        // r = round(|v| × 10^17), ties to even.
        BigInteger scaled = new BigInteger(Significand) * Pow10_17;
        BigInteger r;
        if (Exponent >= 0)
        {
            r = scaled << Exponent;
        }
        else
        {
            int drop = -Exponent;
            r = scaled >> drop;
            BigInteger rest = scaled - (r << drop);
            BigInteger half = BigInteger.One << (drop - 1);
            int cmp = rest.CompareTo(half);
            if (cmp > 0 || (cmp == 0 && !r.IsEven))
            {
                r += BigInteger.One;
            }
        }
        BigInteger integer = BigInteger.DivRem(r, Pow10_17, out BigInteger fraction);
        string text = integer.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string frac = fraction.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(17, '0').TrimEnd('0');
        if (frac.Length > 0)
        {
            text = text + "." + frac;
        }
        if (IsNegative && text != "0")
        {
            text = "-" + text;
        }
        if (text.Length + 1 > MaxChars)
        {
            // ld2string has no room: Redis then stores an empty string (unreachable within the long double range).
            return [];
        }
        return System.Text.Encoding.ASCII.GetBytes(text);
    }

    // Fast paths in 128-bit integers for the everyday case (short decimals, nearby exponents, results below
    // 2^64 × 2^63): no BigInteger, no allocation. Anything else, including denormals and overflow, falls back
    // to the exact BigInteger code above, which the fast paths must agree with bit for bit.

    private static readonly ulong[] Pow10 =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    private const ulong Ten17 = 100_000_000_000_000_000;

    /// <summary>n × 10^exp10 for n &lt; 10^19, when 10^|exp10| fits a ulong.</summary>
    private static bool TryFromDecimalFast(bool negative, ulong n, long exp10, out LongDouble value)
    {
        value = default;
        if (exp10 >= 0)
        {
            return exp10 < Pow10.Length && TryRoundFast(negative, (UInt128)n * Pow10[exp10], 0, false, out value);
        }
        if (exp10 < -18)
        {
            return false;
        }
        // Scale n up as far as 127 bits so the quotient keeps at least 67 significant bits (10^18 < 2^60).
        ulong divisor = Pow10[-exp10];
        int shift = 127 - (64 - BitOperations.LeadingZeroCount(n));
        UInt128 scaled = (UInt128)n << shift;
        UInt128 quotient = scaled / divisor;
        bool sticky = scaled - quotient * divisor != UInt128.Zero;
        return TryRoundFast(negative, quotient, -shift, sticky, out value);
    }

    /// <summary>
    /// Rounds v × 2^exponent (plus a nonzero amount below v's last bit when <paramref name="sticky"/>) to 64
    /// significant bits, ties to even. False when the result would leave the normal range.
    /// </summary>
    private static bool TryRoundFast(bool negative, UInt128 v, int exponent, bool sticky, out LongDouble value)
    {
        value = default;
        int length = 128 - (int)UInt128.LeadingZeroCount(v);
        ulong m;
        int e;
        if (length <= 64)
        {
            if (sticky)
            {
                return false;
            }
            m = (ulong)v;
            e = exponent;
        }
        else
        {
            int drop = length - 64;
            UInt128 kept = v >> drop;
            UInt128 rest = v - (kept << drop);
            UInt128 half = UInt128.One << (drop - 1);
            m = (ulong)kept;
            e = exponent + drop;
            if (rest > half || (rest == half && (sticky || (m & 1) != 0)))
            {
                m++;
                if (m == 0)
                {
                    m = 1UL << 63;
                    e++;
                }
            }
        }
        if (e < MinExponent || e > MaxExponent)
        {
            return false;
        }
        value = new LongDouble(negative, m, e, false);
        return true;
    }

    private static bool TryAddFast(LongDouble a, LongDouble b, out LongDouble value)
    {
        value = default;
        int low = Math.Min(a.Exponent, b.Exponent);
        int da = a.Exponent - low;
        int db = b.Exponent - low;
        if (da > 63 || db > 63)
        {
            return false;
        }
        UInt128 x = (UInt128)a.Significand << da;
        UInt128 y = (UInt128)b.Significand << db;
        UInt128 sum;
        bool negative;
        if (a.IsNegative == b.IsNegative)
        {
            sum = x + y;
            negative = a.IsNegative;
        }
        else if (x >= y)
        {
            sum = x - y;
            negative = a.IsNegative;
        }
        else
        {
            sum = y - x;
            negative = b.IsNegative;
        }
        if (sum == UInt128.Zero)
        {
            return true; // exact cancellation is +0
        }
        return TryRoundFast(negative, sum, low, false, out value);
    }

    /// <summary>"%.17Lf" with trimming when round(|v| × 10^17) fits 127 bits.</summary>
    private bool TryFormatFast(Span<byte> destination, out int written)
    {
        written = 0;
        UInt128 scaled = (UInt128)Significand * Ten17; // below 2^121
        UInt128 r;
        if (Exponent >= 0)
        {
            if (scaled != UInt128.Zero && 128 - (int)UInt128.LeadingZeroCount(scaled) + Exponent > 127)
            {
                return false;
            }
            r = scaled << Exponent;
        }
        else if (-Exponent > 121)
        {
            r = UInt128.Zero; // below half a unit of the 17th decimal
        }
        else
        {
            int drop = -Exponent;
            r = scaled >> drop;
            UInt128 rest = scaled - (r << drop);
            UInt128 half = UInt128.One << (drop - 1);
            if (rest > half || (rest == half && (r & UInt128.One) != UInt128.Zero))
            {
                r++;
            }
        }
        UInt128 integer = r / Ten17;
        ulong fraction = (ulong)(r - integer * Ten17);
        int p = 0;
        if (IsNegative && r != UInt128.Zero)
        {
            destination[p++] = (byte)'-';
        }
        integer.TryFormat(destination[p..], out int n, default, System.Globalization.CultureInfo.InvariantCulture);
        p += n;
        if (fraction != 0)
        {
            destination[p++] = (byte)'.';
            for (int i = 16; i >= 0; i--)
            {
                destination[p + i] = (byte)('0' + fraction % 10);
                fraction /= 10;
            }
            p += 17;
            while (destination[p - 1] == (byte)'0')
            {
                p--;
            }
        }
        written = p;
        return true;
    }
}
