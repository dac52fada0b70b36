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
        if (!CollectionScan.TryParseCursor(ctx.Arg(1), out ulong cursor))
        {
            ctx.Error(Errors.InvalidCursor);
            return;
        }
        if (!CollectionScan.TryParseOptions(ctx, 2, allowType: true, out long count, out int patternArg, out int typeArg))
        {
            return;
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
                if (!Ascii.EqualsIgnoreCase(ctx.Arg(typeArg), ValueTypes.TypeName(live)))
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
}
