using System.Globalization;

namespace Amber.Text;

/// <summary>
/// C's strtod over bytes, as Redis relies on it: leading white space, sign, decimal and hexadecimal forms
/// ("0x1p3"), inf/infinity/nan (any case). Redis then applies its own checks on what strtod consumed.
/// </summary>
internal static class CDouble
{
    /// <summary>
    /// Parses the longest prefix strtod would accept. Returns the bytes consumed (0 when nothing converts, value 0);
    /// <paramref name="rangeError"/> is strtod's ERANGE: overflow to infinity or underflow of a nonzero number to zero.
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> text, out double value, out bool rangeError)
    {
        value = 0;
        rangeError = false;
        int i = 0;
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }
        bool negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == (byte)'-';
            i++;
        }
        int n = ParseUnsigned(text[i..], out double magnitude, out rangeError);
        if (n == 0)
        {
            rangeError = false;
            return 0;
        }
        value = negative ? -magnitude : magnitude;
        return i + n;
    }

    /// <summary>
    /// Redis's getDoubleFromObject: the whole argument must be a number, without leading space, not NaN,
    /// and not out of range (overflow or underflow to zero). Errors reply "value is not a valid float".
    /// </summary>
    public static bool TryParseStrict(ReadOnlySpan<byte> text, out double value)
    {
        if (text.Length == 0 || IsSpace(text[0]))
        {
            value = 0;
            return false;
        }
        int n = Parse(text, out value, out bool rangeError);
        if (n != text.Length || double.IsNaN(value) || (rangeError && (double.IsInfinity(value) || value == 0)))
        {
            value = 0;
            return false;
        }
        return true;
    }

    /// <summary>Redis's range-bound parse (zslParseRange): strtod must consume everything; NaN is refused; empty is 0.</summary>
    public static bool TryParseLenient(ReadOnlySpan<byte> text, out double value)
    {
        int n = Parse(text, out value, out _);
        if (text.Length == 0)
        {
            return true;
        }
        return n == text.Length && !double.IsNaN(value);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static int ParseUnsigned(ReadOnlySpan<byte> s, out double value, out bool rangeError)
    {
        value = 0;
        rangeError = false;
        if (s.Length == 0)
        {
            return 0;
        }
        byte c0 = (byte)(s[0] | 0x20);
        if (c0 == (byte)'i')
        {
            if (StartsWithIgnoreCase(s, "infinity"u8))
            {
                value = double.PositiveInfinity;
                return 8;
            }
            if (StartsWithIgnoreCase(s, "inf"u8))
            {
                value = double.PositiveInfinity;
                return 3;
            }
            return 0;
        }
        if (c0 == (byte)'n')
        {
            if (!StartsWithIgnoreCase(s, "nan"u8))
            {
                return 0;
            }
            value = double.NaN;
            int k = 3;
            if (k < s.Length && s[k] == (byte)'(')
            {
                int j = k + 1;
                while (j < s.Length && (char.IsAsciiLetterOrDigit((char)s[j]) || s[j] == (byte)'_'))
                {
                    j++;
                }
                if (j < s.Length && s[j] == (byte)')')
                {
                    k = j + 1;
                }
            }
            return k;
        }
        if (s.Length >= 2 && s[0] == (byte)'0' && (s[1] | 0x20) == (byte)'x')
        {
            int h = ParseHex(s[2..], out value, out rangeError);
            if (h > 0)
            {
                return 2 + h;
            }
            value = 0;
            return 1; // just the "0"
        }
        return ParseDecimal(s, out value, out rangeError);
    }

    private static int ParseDecimal(ReadOnlySpan<byte> s, out double value, out bool rangeError)
    {
        value = 0;
        rangeError = false;
        int i = 0;
        int digits = 0;
        int fractionDigits = 0;
        bool nonZero = false;
        // Also accumulated exactly while it fits in 2^53, for the fast path below.
        ulong mantissa = 0;
        while (i < s.Length && char.IsAsciiDigit((char)s[i]))
        {
            nonZero |= s[i] != (byte)'0';
            mantissa = mantissa * 10 + (uint)(s[i] - '0');
            i++;
            digits++;
        }
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit((char)s[i]))
            {
                nonZero |= s[i] != (byte)'0';
                mantissa = mantissa * 10 + (uint)(s[i] - '0');
                i++;
                digits++;
                fractionDigits++;
            }
        }
        if (digits == 0)
        {
            return 0;
        }
        bool exponent = i < s.Length && (s[i] | 0x20) == (byte)'e';
        if (!exponent && digits <= 15 && fractionDigits < ExactPowersOfTen.Length)
        {
            // Scores and increments are mostly short plain numbers: at most 15 digits fit a double exactly, and so
            // does 10^k up to 10^22, so one IEEE division is correctly rounded, the same result as the full parse.
            value = mantissa / ExactPowersOfTen[fractionDigits];
            return i;
        }
        if (exponent)
        {
            int j = i + 1;
            if (j < s.Length && s[j] is (byte)'+' or (byte)'-')
            {
                j++;
            }
            if (j < s.Length && char.IsAsciiDigit((char)s[j]))
            {
                while (j < s.Length && char.IsAsciiDigit((char)s[j]))
                {
                    j++;
                }
                i = j;
            }
        }
        Span<char> chars = i <= 512 ? stackalloc char[i] : new char[i];
        for (int k = 0; k < i; k++)
        {
            chars[k] = (char)s[k];
        }
        value = double.Parse(chars, NumberStyles.Float, CultureInfo.InvariantCulture);
        rangeError = double.IsInfinity(value) || (value == 0 && nonZero);
        return i;
    }

    private static readonly double[] ExactPowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    private static int ParseHex(ReadOnlySpan<byte> s, out double value, out bool rangeError)
    {
        value = 0;
        rangeError = false;
        ulong mantissa = 0;
        int exponent = 0;
        int digits = 0;
        bool nonZero = false;
        int i = 0;
        bool seenPoint = false;
        while (i < s.Length)
        {
            byte b = s[i];
            int d = HexValue(b);
            if (d >= 0)
            {
                digits++;
                nonZero |= d != 0;
                if (mantissa >> 56 == 0)
                {
                    mantissa = (mantissa << 4) | (uint)d;
                    if (seenPoint)
                    {
                        exponent -= 4;
                    }
                }
                else if (!seenPoint)
                {
                    exponent += 4; // digits beyond 64 bits of precision only scale the value
                }
                i++;
            }
            else if (b == (byte)'.' && !seenPoint)
            {
                seenPoint = true;
                i++;
            }
            else
            {
                break;
            }
        }
        if (digits == 0)
        {
            return 0;
        }
        if (i < s.Length && (s[i] | 0x20) == (byte)'p')
        {
            int j = i + 1;
            bool negExp = false;
            if (j < s.Length && s[j] is (byte)'+' or (byte)'-')
            {
                negExp = s[j] == (byte)'-';
                j++;
            }
            if (j < s.Length && char.IsAsciiDigit((char)s[j]))
            {
                long e = 0;
                while (j < s.Length && char.IsAsciiDigit((char)s[j]))
                {
                    e = Math.Min(e * 10 + (s[j] - (byte)'0'), 100000);
                    j++;
                }
                exponent += (int)(negExp ? -e : e);
                i = j;
            }
        }
        value = Math.ScaleB(mantissa, exponent);
        rangeError = double.IsInfinity(value) || (value == 0 && nonZero);
        return i;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> s, ReadOnlySpan<byte> lowerPrefix)
    {
        if (s.Length < lowerPrefix.Length)
        {
            return false;
        }
        for (int i = 0; i < lowerPrefix.Length; i++)
        {
            if ((s[i] | 0x20) != lowerPrefix[i])
            {
                return false;
            }
        }
        return true;
    }
}
