using System.Buffers.Text;
using Amber.Protocol;
using Amber.Text;
using Amber.Types;

namespace Amber.Commands;

/// <summary>ZSCAN key cursor [MATCH pattern] [COUNT count].</summary>
internal static partial class SortedSetCommands
{
    [ThreadStatic]
    private static List<int>? t_scanHandles;

    private static void ZScan(CommandContext ctx)
    {
        if (!CollectionScan.TryParseCursor(ctx.Arg(2), out ulong cursor))
        {
            ctx.Error(Errors.InvalidCursor);
            return;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), write: false, out SortedSet? set))
        {
            return;
        }
        if (set == null)
        {
            ctx.Reply.WriteRaw("*2\r\n$1\r\n0\r\n*0\r\n"u8);
            return;
        }
        if (!CollectionScan.TryParseOptions(ctx, 3, out long count, out int patternIdx))
        {
            return;
        }

        List<int> handles = t_scanHandles ??= [];
        handles.Clear();
        if (set.IsCompact)
        {
            // Small encodings are returned whole, with cursor 0, whatever COUNT says.
            set.ScanBucket(0, handles);
            cursor = 0;
        }
        else
        {
            long budget = count * 10;
            do
            {
                cursor = set.ScanBucket(cursor, handles);
            }
            while (cursor != 0 && budget-- > 0 && handles.Count < count);
        }

        int matched = 0;
        if (patternIdx >= 0)
        {
            for (int i = 0; i < handles.Count; i++)
            {
                int h = handles[i];
                if (GlobPattern.IsMatch(ctx.Arg(patternIdx), set.MemberAt(h)))
                {
                    handles[matched++] = h;
                }
            }
        }
        else
        {
            matched = handles.Count;
        }

        RespWriter reply = ctx.Reply;
        reply.WriteArrayHeader(2);
        Span<byte> buffer = stackalloc byte[40];
        Utf8Formatter.TryFormat(cursor, buffer, out int cursorLength);
        reply.WriteBulkString(buffer[..cursorLength]);
        reply.WriteArrayHeader(matched * 2);
        for (int i = 0; i < matched; i++)
        {
            int h = handles[i];
            reply.WriteBulkString(set.MemberAt(h));
            reply.WriteBulkString(buffer[..FormatScanScore(set.ScoreAt(h), set.IsCompact, buffer)]);
        }
        handles.Clear();
    }

    /// <summary>
    /// ZSCAN sends scores as text: the listpack keeps integral scores (up to 2^62) as integers and prints them so;
    /// the skiplist prints every score with 17 significant digits.
    /// </summary>
    private static int FormatScanScore(double score, bool compact, Span<byte> buffer)
    {
        const double IntegerLimit = long.MaxValue / 2;
        if (compact && score >= -IntegerLimit && score <= IntegerLimit && score == Math.Floor(score))
        {
            Utf8Formatter.TryFormat((long)score, buffer, out int n);
            return n;
        }
        return NumberFormat.FormatDouble(score, buffer);
    }
}
