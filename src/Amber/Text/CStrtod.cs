using System.Globalization;

namespace Amber.Text;

/// <summary>
/// What Redis accepts when it converts a whole string with C's strtod and then checks that nothing is left, errno is not
/// ERANGE and the result is not NaN (SORT's scores). Unlike Redis's strict number parsers this allows leading white
/// space, a leading '+', hexadecimal floats ("0x1p3"), "inf"/"infinity", and an empty string (no conversion, and the
/// end pointer then sits on the terminator, so it reads as 0). The text stops at the first NUL byte, as a C string does.
/// Overflow fails, and so does an inexact underflow (glibc reports ERANGE for a rounded subnormal or zero result).
/// </summary>
internal static class CStrtod
{
    public static bool TryParseWhole(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
        {
            text = text[..nul];
        }
        if (text.Length == 0)
        {
            return true;
        }
        int i = 0;
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }
        ReadOnlySpan<byte> s = text[i..];
        if (s.Length == 0)
        {
            return false;
        }
        bool negative = false;
        int pos = 0;
        if (pos < s.Length && (s[pos] == (byte)'+' || s[pos] == (byte)'-'))
        {
            negative = s[pos] == (byte)'-';
            pos++;
        }
        ReadOnlySpan<byte> body = s[pos..];
        if (StartsWithIgnoreCase(body, "inf"u8))
        {
            // Only "inf" or "infinity" may stand alone; anything after them is left unconverted.
            if (body.Length == 3 || (body.Length == 8 && StartsWithIgnoreCase(body, "infinity"u8)))
            {
                value = negative ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            }
            return false;
        }
        if (StartsWithIgnoreCase(body, "nan"u8))
        {
            return false;
        }
        if (body.Length >= 2 && body[0] == (byte)'0' && (body[1] | 0x20) == (byte)'x')
        {
            if (!TryParseHex(body[2..], out value))
            {
                return false;
            }
            value = negative ? -value : value;
            return true;
        }
        return TryParseDecimal(s, out value);
    }

    private static bool IsSpace(byte c) => c == (byte)' ' || (c >= (byte)'\t' && c <= (byte)'\r');

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lower)
    {
        if (text.Length < lower.Length)
        {
            return false;
        }
        for (int i = 0; i < lower.Length; i++)
        {
            if ((text[i] | 0x20) != lower[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>[sign] (digits [. digits] | . digits) [e [sign] digits], all of it; a dangling exponent is left over.</summary>
    private static bool TryParseDecimal(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        int pos = 0;
        if (s[pos] == (byte)'+' || s[pos] == (byte)'-')
        {
            pos++;
        }
        int digits = 0;
        bool nonZero = false;
        while (pos < s.Length && char.IsAsciiDigit((char)s[pos]))
        {
            nonZero |= s[pos] != (byte)'0';
            pos++;
            digits++;
        }
        if (pos < s.Length && s[pos] == (byte)'.')
        {
            pos++;
            while (pos < s.Length && char.IsAsciiDigit((char)s[pos]))
            {
                nonZero |= s[pos] != (byte)'0';
                pos++;
                digits++;
            }
        }
        if (digits == 0)
        {
            return false;
        }
        if (pos < s.Length && (s[pos] | 0x20) == (byte)'e')
        {
            pos++;
            if (pos < s.Length && (s[pos] == (byte)'+' || s[pos] == (byte)'-'))
            {
                pos++;
            }
            int expDigits = 0;
            while (pos < s.Length && char.IsAsciiDigit((char)s[pos]))
            {
                pos++;
                expDigits++;
            }
            if (expDigits == 0)
            {
                return false;
            }
        }
        if (pos != s.Length)
        {
            return false;
        }
        Span<char> chars = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            chars[i] = (char)s[i];
        }
        if (!double.TryParse(chars, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }
        if (double.IsInfinity(value))
        {
            return false;
        }
        // A decimal that lands below the normal range is (all but always) inexact: glibc sets ERANGE.
        return !nonZero || Math.Abs(value) >= double.Epsilon * 4503599627370496.0;
    }

    /// <summary>The part after "0x": hex digits [. hex digits] (at least one) [p [sign] digits].</summary>
    private static bool TryParseHex(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        ulong mantissa = 0;
        bool sticky = false;
        long exponent = 0;
        int digits = 0;
        int pos = 0;
        bool fraction = false;
        while (pos < s.Length)
        {
            byte c = s[pos];
            if (c == (byte)'.' && !fraction)
            {
                fraction = true;
                pos++;
                continue;
            }
            int d = HexValue(c);
            if (d < 0)
            {
                break;
            }
            digits++;
            if (mantissa >> 60 == 0)
            {
                mantissa = (mantissa << 4) | (uint)d;
                if (fraction)
                {
                    exponent -= 4;
                }
            }
            else
            {
                sticky |= d != 0;
                if (!fraction)
                {
                    exponent += 4;
                }
            }
            pos++;
        }
        if (digits == 0)
        {
            return false;
        }
        if (pos < s.Length && (s[pos] | 0x20) == (byte)'p')
        {
            pos++;
            bool negative = false;
            if (pos < s.Length && (s[pos] == (byte)'+' || s[pos] == (byte)'-'))
            {
                negative = s[pos] == (byte)'-';
                pos++;
            }
            long e = 0;
            int expDigits = 0;
            while (pos < s.Length && char.IsAsciiDigit((char)s[pos]))
            {
                e = Math.Min(e * 10 + (s[pos] - '0'), 100_000);
                pos++;
                expDigits++;
            }
            if (expDigits == 0)
            {
                return false;
            }
            exponent += negative ? -e : e;
        }
        if (pos != s.Length)
        {
            return false;
        }
        if (mantissa == 0)
        {
            return true;
        }
        int scale = (int)Math.Clamp(exponent, -100_000, 100_000);
        double m = mantissa;
        value = Math.ScaleB(m, scale);
        if (double.IsInfinity(value))
        {
            return false;
        }
        if (value >= double.Epsilon * 4503599627370496.0)
        {
            return true;
        }
        // Below the normal range: fine only when no bit was lost.
        bool exactMantissa = !sticky && (ulong)m == mantissa && m != 18446744073709551616.0;
        return exactMantissa && value != 0 && Math.ScaleB(value, -scale) == m;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
