using System.Text;

namespace Amber.Config;

/// <summary>
/// redis.conf's lexical rules: a line splits into arguments like redis-server's sdssplitargs
/// ("double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes' with \'), and values are written back
/// in the quoted form (sdscatrepr) that the splitter reads again.
/// </summary>
internal static class ConfigText
{
    /// <summary>Splits a line into arguments; null when quotes are unbalanced or a closing quote is followed by a non-space.</summary>
    public static string[]? Split(string line)
    {
        var args = new List<string>();
        var current = new List<byte>();
        Span<byte> utf8 = stackalloc byte[4];
        int i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i]))
            {
                i++;
            }
            if (i >= line.Length)
            {
                return [.. args];
            }
            bool inDouble = false, inSingle = false, done = false;
            current.Clear();
            while (!done)
            {
                char c = i < line.Length ? line[i] : '\0';
                bool atEnd = i >= line.Length;
                if (inDouble)
                {
                    if (atEnd)
                    {
                        return null;
                    }
                    if (c == '\\' && i + 3 < line.Length && line[i + 1] == 'x' && IsHex(line[i + 2]) && IsHex(line[i + 3]))
                    {
                        current.Add((byte)(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
                        i += 3;
                    }
                    else if (c == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        char e = line[i];
                        switch (e)
                        {
                            case 'n': current.Add((byte)'\n'); break;
                            case 'r': current.Add((byte)'\r'); break;
                            case 't': current.Add((byte)'\t'); break;
                            case 'b': current.Add((byte)'\b'); break;
                            case 'a': current.Add((byte)'\a'); break;
                            default: AddChar(current, line, ref i, utf8); break;
                        }
                    }
                    else if (c == '"')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else
                    {
                        AddChar(current, line, ref i, utf8);
                    }
                }
                else if (inSingle)
                {
                    if (atEnd)
                    {
                        return null;
                    }
                    if (c == '\\' && i + 1 < line.Length && line[i + 1] == '\'')
                    {
                        i++;
                        current.Add((byte)'\'');
                    }
                    else if (c == '\'')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else
                    {
                        AddChar(current, line, ref i, utf8);
                    }
                }
                else if (atEnd || c is ' ' or '\n' or '\r' or '\t')
                {
                    done = true;
                }
                else if (c == '"')
                {
                    inDouble = true;
                }
                else if (c == '\'')
                {
                    inSingle = true;
                }
                else
                {
                    AddChar(current, line, ref i, utf8);
                }
                if (i < line.Length)
                {
                    i++;
                }
            }
            args.Add(Encoding.UTF8.GetString([.. current]));
        }
    }

    /// <summary>Appends the character at line[i] as UTF-8 (a surrogate pair advances i by one more).</summary>
    private static void AddChar(List<byte> into, string line, ref int i, Span<byte> scratch)
    {
        char c = line[i];
        if (c < 0x80)
        {
            into.Add((byte)c);
            return;
        }
        int n = char.IsHighSurrogate(c) && i + 1 < line.Length
            ? Encoding.UTF8.GetBytes(line.AsSpan(i++, 2), scratch)
            : Encoding.UTF8.GetBytes(line.AsSpan(i, 1), scratch);
        for (int k = 0; k < n; k++)
        {
            into.Add(scratch[k]);
        }
    }

    /// <summary>Quotes a value as redis-server's sdscatrepr does: "..." with \\ \" \n \r \t \a \b and \xHH for other non-printables.</summary>
    public static string Repr(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        return Amber.Text.CRepr.AppendQuoted(sb, Encoding.UTF8.GetBytes(value)).ToString();
    }

    /// <summary>Trims what redis-server trims from each config line: spaces, tabs, CR and LF at both ends.</summary>
    public static string TrimLine(string line) => line.Trim(' ', '\t', '\r', '\n');

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
