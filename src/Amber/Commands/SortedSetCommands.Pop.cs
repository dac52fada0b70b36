using Amber.Types;

namespace Amber.Commands;

/// <summary>ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER.</summary>
internal static partial class SortedSetCommands
{
    private static void ZPopMin(CommandContext ctx) => ZPopMinMax(ctx, max: false);

    private static void ZPopMax(CommandContext ctx) => ZPopMinMax(ctx, max: true);

    private static void ZPopMinMax(CommandContext ctx, bool max)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.SyntaxError();
            return;
        }
        long count = -1;
        if (ctx.ArgCount == 3 && (!CommandContext.TryParseLong(ctx.Arg(2), out count) || count < 0))
        {
            ctx.Error(Errors.MustBePositive);
            return;
        }
        // RESP3 nests member/score pairs when a count was given; a plain pop stays flat.
        bool nested = ctx.Reply.IsResp3 && count != -1;
        PopGeneric(ctx, 1, 1, max, emitKey: false, count, nested, nullWhenEmpty: false);
    }

    private static void ZMPop(CommandContext ctx) => ZMPopGeneric(ctx, 1);

    /// <summary>ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], numkeys at <paramref name="numKeysIdx"/>.</summary>
    private static void ZMPopGeneric(CommandContext ctx, int numKeysIdx)
    {
        if (!CommandContext.TryParseLong(ctx.Arg(numKeysIdx), out long numKeys) || numKeys < 1)
        {
            ctx.Error(Errors.NumKeysNotPositive);
            return;
        }
        long whereIdx = numKeys >= ctx.ArgCount ? long.MaxValue : numKeysIdx + numKeys + 1;
        if (whereIdx >= ctx.ArgCount)
        {
            ctx.SyntaxError();
            return;
        }
        bool max;
        if (ctx.ArgIs((int)whereIdx, "min"))
        {
            max = false;
        }
        else if (ctx.ArgIs((int)whereIdx, "max"))
        {
            max = true;
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        long count = -1;
        for (int j = (int)whereIdx + 1; j < ctx.ArgCount; j++)
        {
            bool more = j + 1 < ctx.ArgCount;
            if (count == -1 && more && ctx.ArgIs(j, "count"))
            {
                j++;
                if (!CommandContext.TryParseLong(ctx.Arg(j), out count) || count < 1)
                {
                    ctx.Error(Errors.CountNotPositive);
                    return;
                }
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (count == -1)
        {
            count = 1;
        }
        PopGeneric(ctx, numKeysIdx + 1, (int)numKeys, max, emitKey: true, count, nested: true, nullWhenEmpty: true);
    }

    /// <summary>
    /// Pops up to <paramref name="count"/> elements (-1: one, plain) from the first non-empty key of
    /// args[firstKey .. firstKey+keyCount). Reply shapes follow Redis's genericZpopCommand.
    /// </summary>
    private static void PopGeneric(CommandContext ctx, int firstKey, int keyCount, bool max, bool emitKey, long count, bool nested, bool nullWhenEmpty)
    {
        SortedSet? set = null;
        int keyIdx = -1;
        for (int i = 0; i < keyCount; i++)
        {
            if (!TryGetZSet(ctx, ctx.Arg(firstKey + i), write: true, out set))
            {
                return;
            }
            if (set != null)
            {
                keyIdx = firstKey + i;
                break;
            }
        }
        if (set == null)
        {
            if (nullWhenEmpty)
            {
                ctx.Reply.WriteNullArray();
            }
            else
            {
                ctx.Reply.WriteEmptyArray();
            }
            return;
        }
        if (count == 0)
        {
            ctx.Reply.WriteEmptyArray();
            return;
        }
        if (count == -1)
        {
            count = 1;
        }
        int n = (int)Math.Min(count, set.Count);
        if (!nested && !emitKey)
        {
            ctx.Reply.WriteArrayHeader(n * 2);
        }
        else if (nested && !emitKey)
        {
            ctx.Reply.WriteArrayHeader(n);
        }
        else if (!nested)
        {
            ctx.Reply.WriteArrayHeader(n * 2 + 1);
            ctx.Reply.WriteBulkString(ctx.Arg(keyIdx));
        }
        else
        {
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteBulkString(ctx.Arg(keyIdx));
            ctx.Reply.WriteArrayHeader(n);
        }
        for (int i = 0; i < n; i++)
        {
            int h = max ? set.Last() : set.First();
            if (nested)
            {
                ctx.Reply.WriteArrayHeader(2);
            }
            ctx.Reply.WriteBulkString(set.MemberAt(h));
            ctx.Reply.WriteDouble(set.ScoreAt(h));
            set.RemoveAt(h);
        }
        DeleteIfEmpty(ctx, ctx.Arg(keyIdx), set);
    }

    private static void ZRandMember(CommandContext ctx)
    {
        if (ctx.ArgCount >= 3)
        {
            if (!CommandContext.TryParseLong(ctx.Arg(2), out long count))
            {
                ctx.Error(Errors.NotInteger);
                return;
            }
            if (count == long.MinValue)
            {
                ctx.Error(Errors.ValueNotBetween(-long.MaxValue, long.MaxValue));
                return;
            }
            bool withScores = false;
            if (ctx.ArgCount > 4 || (ctx.ArgCount == 4 && !ctx.ArgIs(3, "withscores")))
            {
                ctx.SyntaxError();
                return;
            }
            if (ctx.ArgCount == 4)
            {
                withScores = true;
                if (count < -long.MaxValue / 2 || count > long.MaxValue / 2)
                {
                    ctx.Error(Errors.ValueOutOfRange);
                    return;
                }
            }
            RandMemberWithCount(ctx, count, withScores);
            return;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), write: false, out SortedSet? set))
        {
            return;
        }
        if (set == null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        ctx.Reply.WriteBulkString(set.MemberAt(set.AtRank(ctx.Server.Random.Next(set.Count))));
    }

    private static void RandMemberWithCount(CommandContext ctx, long count, bool withScores)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), write: false, out SortedSet? set))
        {
            return;
        }
        if (set == null || count == 0)
        {
            ctx.Reply.WriteEmptyArray();
            return;
        }
        Random random = ctx.Server.Random;
        int size = set.Count;
        if (count < 0 || count == 1)
        {
            // With repetitions (or a single pick): any element, every time.
            long n = count < 0 ? -count : count;
            WriteElementsHeader(ctx.Reply, n, withScores);
            for (long i = 0; i < n; i++)
            {
                WriteElement(ctx.Reply, set, set.AtRank(random.Next(size)), withScores);
            }
            return;
        }
        if (count >= size)
        {
            // The whole set, highest score first (Redis's set-operation iterator walks sorted sets backwards).
            WriteElementsHeader(ctx.Reply, size, withScores);
            for (int h = set.Last(); h != SortedSet.Nil; h = set.Prev(h))
            {
                WriteElement(ctx.Reply, set, h, withScores);
            }
            return;
        }
        // Distinct elements in random order: a partial Fisher-Yates shuffle of the ranks when many are wanted,
        // rejection sampling when few are.
        int want = (int)count;
        WriteElementsHeader(ctx.Reply, want, withScores);
        if (want * 3L > size)
        {
            int[] ranks = new int[size];
            for (int i = 0; i < size; i++)
            {
                ranks[i] = i;
            }
            for (int i = 0; i < want; i++)
            {
                int j = random.Next(i, size);
                (ranks[i], ranks[j]) = (ranks[j], ranks[i]);
                WriteElement(ctx.Reply, set, set.AtRank(ranks[i]), withScores);
            }
            return;
        }
        var picked = new HashSet<int>(want);
        while (picked.Count < want)
        {
            int rank = random.Next(size);
            if (picked.Add(rank))
            {
                WriteElement(ctx.Reply, set, set.AtRank(rank), withScores);
            }
        }
    }
}
