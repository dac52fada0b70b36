namespace Amber.Protocol;

/// <summary>
/// Splits an inline request line into arguments the way redis-server does for telnet users:
/// whitespace separates, "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' take \'.
/// A closing quote must be followed by whitespace or the end of the line.
/// </summary>
internal static class InlineSplitter
{
    public static bool TrySplit(ReadOnlySpan<byte> line, byte[] scratch, ArgList args)
    {
        int i = 0;
        int outPos = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i]))
            {
                i++;
            }
            if (i >= line.Length)
            {
                return true;
            }
            int start = outPos;
            bool inDouble = false, inSingle = false, done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (i >= line.Length)
                    {
                        return false;
                    }
                    byte c = line[i];
                    if (c == '\\' && i + 3 < line.Length && line[i + 1] == 'x' && IsHex(line[i + 2]) && IsHex(line[i + 3]))
                    {
                        scratch[outPos++] = (byte)(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3]));
                        i += 3;
                    }
                    else if (c == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        scratch[outPos++] = line[i] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        };
                    }
                    else if (c == '"')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }
                        done = true;
                    }
                    else
                    {
                        scratch[outPos++] = c;
                    }
                }
                else if (inSingle)
                {
                    if (i >= line.Length)
                    {
                        return false;
                    }
                    byte c = line[i];
                    if (c == '\\' && i + 1 < line.Length && line[i + 1] == '\'')
                    {
                        i++;
                        scratch[outPos++] = (byte)'\'';
                    }
                    else if (c == '\'')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }
                        done = true;
                    }
                    else
                    {
                        scratch[outPos++] = c;
                    }
                }
                else
                {
                    if (i >= line.Length)
                    {
                        break;
                    }
                    byte c = line[i];
                    if (IsSpace(c))
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
                        scratch[outPos++] = c;
                    }
                }
                if (i < line.Length)
                {
                    i++;
                }
            }
            args.Add(scratch, start, outPos - start);
        }
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
