using Amber.Text;

namespace Amber.Commands;

/// <summary>Argument parsing shared by HSCAN and SSCAN (and any other per-key SCAN): cursor, MATCH, COUNT.</summary>
internal static class CollectionScan
{
    /// <summary>The default COUNT.</summary>
    public const long DefaultCount = 10;

    /// <summary>
    /// Redis parses cursors with strtoul: decimal, optional sign (a negative cursor wraps), no leading space,
    /// nothing after the digits, and at most 2^64-1. An empty cursor is 0.
    /// </summary>
    public static bool TryParseCursor(ReadOnlySpan<byte> text, out ulong cursor)
    {
        cursor = 0;
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
        {
            // strtoul stops at the C string's end.
            text = text[..nul];
        }
        if (text.Length == 0)
        {
            return true;
        }
        int p = 0;
        bool negative = false;
        if (text[0] is (byte)'+' or (byte)'-')
        {
            negative = text[0] == (byte)'-';
            p = 1;
        }
        if (p == text.Length)
        {
            return false;
        }
        ulong value = 0;
        for (; p < text.Length; p++)
        {
            uint d = (uint)(text[p] - '0');
            if (d > 9)
            {
                return false;
            }
            if (value > (ulong.MaxValue - d) / 10)
            {
                return false;
            }
            value = value * 10 + d;
        }
        cursor = negative ? unchecked(0UL - value) : value;
        return true;
    }

    /// <summary>Parses [MATCH pattern] [COUNT count] from <paramref name="from"/>; writes the error and returns false on bad input.</summary>
    public static bool TryParseOptions(CommandContext ctx, int from, out long count, out int patternIndex) =>
        TryParseOptions(ctx, from, allowType: false, out count, out patternIndex, out _);

    /// <summary>
    /// Parses [MATCH pattern] [COUNT count] (and [TYPE type] for the keyspace SCAN) from <paramref name="from"/>.
    /// A MATCH of "*" is reported as no pattern. Writes the error and returns false on bad input.
    /// </summary>
    public static bool TryParseOptions(CommandContext ctx, int from, bool allowType, out long count, out int patternIndex, out int typeIndex)
    {
        count = DefaultCount;
        patternIndex = -1;
        typeIndex = -1;
        for (int i = from; i < ctx.ArgCount;)
        {
            int left = ctx.ArgCount - i;
            if (ctx.ArgIs(i, "count") && left >= 2)
            {
                if (!ctx.TryGetLong(i + 1, out count))
                {
                    return false;
                }
                if (count < 1)
                {
                    ctx.SyntaxError();
                    return false;
                }
                i += 2;
            }
            else if (ctx.ArgIs(i, "match") && left >= 2)
            {
                patternIndex = GlobPattern.MatchesAll(ctx.Arg(i + 1)) ? -1 : i + 1;
                i += 2;
            }
            else if (allowType && ctx.ArgIs(i, "type") && left >= 2)
            {
                typeIndex = i + 1;
                i += 2;
            }
            else
            {
                ctx.SyntaxError();
                return false;
            }
        }
        return true;
    }

    /// <summary>The reply for a missing key: cursor 0 and no elements.</summary>
    public static void WriteEmpty(CommandContext ctx)
    {
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulkString("0"u8);
        ctx.Reply.WriteEmptyArray();
    }

    /// <summary>Writes a cursor as the bulk string SCAN replies carry.</summary>
    public static void WriteCursor(CommandContext ctx, ulong cursor)
    {
        Span<byte> tmp = stackalloc byte[24];
        System.Buffers.Text.Utf8Formatter.TryFormat(cursor, tmp, out int n);
        ctx.Reply.WriteBulkString(tmp[..n]);
    }

    public static bool Matches(CommandContext ctx, int patternIndex, ReadOnlySpan<byte> element) =>
        patternIndex < 0 || GlobPattern.IsMatch(ctx.Arg(patternIndex), element);
}
