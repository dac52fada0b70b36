using System.Globalization;

namespace Amber.Config;

/// <summary>redis.conf's number forms: memory units (1k = 1000, 1kb = 1024, m/mb, g/gb, any case) and octal.</summary>
internal static class ConfigUnits
{
    /// <summary>Redis's memtoull: digits then an optional unit; no sign. Like Redis, an empty digit run counts as 0.</summary>
    public static bool TryParseMemory(string text, out ulong bytes)
    {
        bytes = 0;
        if (text.StartsWith('-'))
        {
            return false;
        }
        int u = 0;
        while (u < text.Length && char.IsAsciiDigit(text[u]))
        {
            u++;
        }
        ulong mul;
        ReadOnlySpan<char> unit = text.AsSpan(u);
        if (unit.Length == 0 || unit.Equals("b", StringComparison.OrdinalIgnoreCase))
        {
            mul = 1;
        }
        else if (unit.Equals("k", StringComparison.OrdinalIgnoreCase))
        {
            mul = 1000;
        }
        else if (unit.Equals("kb", StringComparison.OrdinalIgnoreCase))
        {
            mul = 1024;
        }
        else if (unit.Equals("m", StringComparison.OrdinalIgnoreCase))
        {
            mul = 1000 * 1000;
        }
        else if (unit.Equals("mb", StringComparison.OrdinalIgnoreCase))
        {
            mul = 1024 * 1024;
        }
        else if (unit.Equals("g", StringComparison.OrdinalIgnoreCase))
        {
            mul = 1000L * 1000 * 1000;
        }
        else if (unit.Equals("gb", StringComparison.OrdinalIgnoreCase))
        {
            mul = 1024L * 1024 * 1024;
        }
        else
        {
            return false;
        }
        if (u >= 128)
        {
            return false;
        }
        ulong value = 0;
        if (u > 0 && !ulong.TryParse(text.AsSpan(0, u), NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            // strtoull saturates on overflow and Redis does not check ERANGE.
            value = ulong.MaxValue;
        }
        if (value > ulong.MaxValue / mul)
        {
            return false;
        }
        bytes = value * mul;
        return true;
    }

    /// <summary>strtoll(text, 8) accepting the whole string: optional spaces and sign, then octal digits.</summary>
    public static bool TryParseOctal(string text, out long value)
    {
        value = 0;
        ReadOnlySpan<char> s = text.AsSpan().TrimStart(" \t\n\r\f\v");
        bool negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.Length == 0)
        {
            return false;
        }
        foreach (char c in s)
        {
            if (c is < '0' or > '7')
            {
                return false;
            }
            if (value > long.MaxValue / 8)
            {
                return false;
            }
            value = value * 8 + (c - '0');
        }
        if (negative)
        {
            value = -value;
        }
        return true;
    }

    /// <summary>CONFIG REWRITE's memory form: the largest of gb, mb, kb that divides exactly, else plain bytes.</summary>
    public static string FormatMemory(long bytes)
    {
        const long Gb = 1024L * 1024 * 1024, Mb = 1024 * 1024, Kb = 1024;
        if (bytes != 0 && bytes % Gb == 0)
        {
            return (bytes / Gb).ToString(CultureInfo.InvariantCulture) + "gb";
        }
        if (bytes != 0 && bytes % Mb == 0)
        {
            return (bytes / Mb).ToString(CultureInfo.InvariantCulture) + "mb";
        }
        if (bytes != 0 && bytes % Kb == 0)
        {
            return (bytes / Kb).ToString(CultureInfo.InvariantCulture) + "kb";
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>strtoll(text, 10) that must consume the whole string (leading spaces and a sign allowed).</summary>
    public static bool TryParseLenientLong(string text, out long value)
    {
        ReadOnlySpan<char> s = text.AsSpan().TrimStart(" \t\n\r\f\v");
        if (s.Length == 0)
        {
            value = 0;
            return text.Length == 0;
        }
        return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
