namespace Amber.Text;

/// <summary>
/// Redis's glob matching (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE): * ? [abc] [^a] [a-z] and \ escapes,
/// over bytes, optionally case-insensitive.
/// </summary>
internal static class GlobPattern
{
    /// <summary>Limits recursion on patterns like "a*a*a*..." the way Redis bounds its matcher.</summary>
    private const int MaxNesting = 1000;

    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        bool skipLongerMatches = false;
        return Match(pattern, text, ignoreCase, ref skipLongerMatches, 0);
    }

    /// <summary>True when the pattern matches everything ("*"), so callers can skip matching.</summary>
    public static bool MatchesAll(ReadOnlySpan<byte> pattern) => pattern.Length == 1 && pattern[0] == (byte)'*';

    private static bool Match(ReadOnlySpan<byte> p, ReadOnlySpan<byte> s, bool nocase, ref bool skipLongerMatches, int nesting)
    {
        if (nesting > MaxNesting)
        {
            return false;
        }
        while (p.Length > 0 && s.Length > 0)
        {
            switch (p[0])
            {
                case (byte)'*':
                    while (p.Length > 1 && p[1] == (byte)'*')
                    {
                        p = p[1..];
                    }
                    if (p.Length == 1)
                    {
                        return true;
                    }
                    while (s.Length > 0)
                    {
                        if (Match(p[1..], s, nocase, ref skipLongerMatches, nesting + 1))
                        {
                            return true;
                        }
                        if (skipLongerMatches)
                        {
                            return false;
                        }
                        s = s[1..];
                    }
                    // No match for the rest of the pattern anywhere: longer prefixes cannot match either.
                    skipLongerMatches = true;
                    return false;
                case (byte)'?':
                    s = s[1..];
                    break;
                case (byte)'[':
                    {
                        p = p[1..];
                        bool not = p.Length > 0 && p[0] == (byte)'^';
                        if (not)
                        {
                            p = p[1..];
                        }
                        bool match = false;
                        while (true)
                        {
                            if (p.Length == 0)
                            {
                                break;
                            }
                            if (p[0] == (byte)'\\' && p.Length >= 2)
                            {
                                p = p[1..];
                                if (p[0] == s[0])
                                {
                                    match = true;
                                }
                            }
                            else if (p[0] == (byte)']')
                            {
                                break;
                            }
                            else if (p.Length >= 3 && p[1] == (byte)'-')
                            {
                                int start = p[0], end = p[2], c = s[0];
                                if (start > end)
                                {
                                    (start, end) = (end, start);
                                }
                                if (nocase)
                                {
                                    start = Lower(start);
                                    end = Lower(end);
                                    c = Lower(c);
                                }
                                p = p[2..];
                                if (c >= start && c <= end)
                                {
                                    match = true;
                                }
                            }
                            else if (nocase ? Lower(p[0]) == Lower(s[0]) : p[0] == s[0])
                            {
                                match = true;
                            }
                            p = p[1..];
                        }
                        if (not)
                        {
                            match = !match;
                        }
                        if (!match)
                        {
                            return false;
                        }
                        s = s[1..];
                        if (p.Length == 0)
                        {
                            // Unterminated class: Redis treats the pattern as ended here.
                            return s.Length == 0;
                        }
                        break;
                    }
                case (byte)'\\' when p.Length >= 2:
                    p = p[1..];
                    if (nocase ? Lower(p[0]) != Lower(s[0]) : p[0] != s[0])
                    {
                        return false;
                    }
                    s = s[1..];
                    break;
                default:
                    if (nocase ? Lower(p[0]) != Lower(s[0]) : p[0] != s[0])
                    {
                        return false;
                    }
                    s = s[1..];
                    break;
            }
            p = p[1..];
            if (s.Length == 0)
            {
                while (p.Length > 0 && p[0] == (byte)'*')
                {
                    p = p[1..];
                }
                break;
            }
        }
        return p.Length == 0 && s.Length == 0;
    }

    private static int Lower(int c) => c is >= 'A' and <= 'Z' ? c | 0x20 : c;
}
