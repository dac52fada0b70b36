using System.Text;
using Amber.Keyspace;
using Amber.Text;

namespace Amber.Commands;

/// <summary>SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] over the selected database.</summary>
internal static class ScanCommand
{
    /// <summary>Reused between calls; commands run one at a time under the keyspace lock (per thread, to be safe).</summary>
    [ThreadStatic]
    private static List<Entry>? t_found;

    public static void Register(CommandTable t)
    {
        t.Add(new("scan", -2, CommandFlags.ReadOnly, 0, 0, 0, "keyspace read slow", Scan) { Since = "2.8.0", Summary = "Iterates over the keys with a cursor, a few at a time.", Complexity = "O(1) per call, O(N) for a whole iteration" });
    }

    private static void Scan(CommandContext ctx)
    {
        if (!TryParseCursor(ctx.Arg(1), out ulong cursor))
        {
            ctx.Error(Errors.InvalidCursor);
            return;
        }
        long count = 10;
        int patternArg = -1;
        int typeArg = -1;
        for (int i = 2; i < ctx.ArgCount; i += 2)
        {
            bool hasValue = i + 1 < ctx.ArgCount;
            if (hasValue && ctx.ArgIs(i, "count"))
            {
                if (!ctx.TryGetLong(i + 1, out count))
                {
                    return;
                }
                if (count < 1)
                {
                    ctx.SyntaxError();
                    return;
                }
            }
            else if (hasValue && ctx.ArgIs(i, "match"))
            {
                patternArg = i + 1;
            }
            else if (hasValue && ctx.ArgIs(i, "type"))
            {
                typeArg = i + 1;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (patternArg >= 0 && GlobPattern.MatchesAll(ctx.Arg(patternArg)))
        {
            patternArg = -1;
        }

        List<Entry> found = t_found ??= [];
        found.Clear();
        KeyTable table = ctx.Db.Table;
        // At most ten buckets per requested key, so a sparse table cannot make one call scan for long.
        long maxIterations = count > long.MaxValue / 10 ? long.MaxValue : count * 10;
        do
        {
            cursor = table.Scan(cursor, found);
        }
        while (cursor != 0 && maxIterations-- != 0 && found.Count < count);

        int kept = 0;
        for (int i = 0; i < found.Count; i++)
        {
            Entry e = found[i];
            if (patternArg >= 0 && !GlobPattern.IsMatch(ctx.Arg(patternArg), e.Key))
            {
                continue;
            }
            if (typeArg >= 0)
            {
                // Redis looks the key up here (counting a hit or miss) and compares type names ignoring case;
                // an unknown type name simply matches nothing.
                Entry? live = KeyCommands.LookupRead(ctx, e.Key, touch: false, notifyMiss: false);
                if (!Ascii.EqualsIgnoreCase(ctx.Arg(typeArg), ValueTypes.TypeName(live?.Value)))
                {
                    continue;
                }
            }
            if (KeyCommands.IsExpired(ctx, e))
            {
                ctx.Db.Peek(e.Key, ctx.NowMs);
                continue;
            }
            found[kept++] = e;
        }

        ctx.Reply.WriteArrayHeader(2);
        Span<byte> digits = stackalloc byte[20];
        System.Buffers.Text.Utf8Formatter.TryFormat(cursor, digits, out int n);
        ctx.Reply.WriteBulkString(digits[..n]);
        ctx.Reply.WriteArrayHeader(kept);
        for (int i = 0; i < kept; i++)
        {
            ctx.Reply.WriteBulkString(found[i].Key);
        }
        found.Clear();
    }

    /// <summary>
    /// Parses a cursor as Redis does with strtoul: optional sign (a '-' wraps around), decimal digits, nothing after;
    /// no leading space; an empty string is cursor 0; a value beyond 64 bits is invalid.
    /// </summary>
    internal static bool TryParseCursor(ReadOnlySpan<byte> text, out ulong cursor)
    {
        cursor = 0;
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
        {
            // The C parser stops at the first NUL byte.
            text = text[..nul];
        }
        if (text.Length == 0)
        {
            return true;
        }
        bool negative = text[0] == (byte)'-';
        int i = text[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        if (i == text.Length)
        {
            return false;
        }
        ulong value = 0;
        for (; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9 || value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }
            value = value * 10 + digit;
        }
        cursor = negative ? unchecked(0UL - value) : value;
        return true;
    }
}
