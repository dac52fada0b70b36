using Amber.Notifications;
using Amber.Types;

namespace Amber.Commands;

/// <summary>ZRANGE and its variants, ZRANGESTORE, ZCOUNT, ZLEXCOUNT and ZREMRANGEBY*.</summary>
internal static partial class SortedSetCommands
{
    private enum RangeKind
    {
        Auto,
        Rank,
        Score,
        Lex,
    }

    private enum Direction
    {
        Auto,
        Forward,
        Reverse,
    }

    private static void ZRange(CommandContext ctx) => RangeGeneric(ctx, 1, store: false, RangeKind.Auto, Direction.Auto);

    private static void ZRangeStore(CommandContext ctx) => RangeGeneric(ctx, 2, store: true, RangeKind.Auto, Direction.Auto);

    private static void ZRangeByScore(CommandContext ctx) => RangeGeneric(ctx, 1, store: false, RangeKind.Score, Direction.Forward);

    private static void ZRevRangeByScore(CommandContext ctx) => RangeGeneric(ctx, 1, store: false, RangeKind.Score, Direction.Reverse);

    private static void ZRangeByLex(CommandContext ctx) => RangeGeneric(ctx, 1, store: false, RangeKind.Lex, Direction.Forward);

    private static void ZRevRangeByLex(CommandContext ctx) => RangeGeneric(ctx, 1, store: false, RangeKind.Lex, Direction.Reverse);

    private static void ZRevRange(CommandContext ctx) => RangeGeneric(ctx, 1, store: false, RangeKind.Rank, Direction.Reverse);

    /// <summary>
    /// Every range query: options first (WITHSCORES LIMIT REV BYSCORE BYLEX, as far as the command allows them),
    /// then the bounds, then the key. The source key is argument <paramref name="keyIdx"/>; with
    /// <paramref name="store"/> the destination is argument 1.
    /// </summary>
    private static void RangeGeneric(CommandContext ctx, int keyIdx, bool store, RangeKind kind, Direction direction)
    {
        int minIdx = keyIdx + 1;
        int maxIdx = keyIdx + 2;
        bool withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = keyIdx + 3; j < ctx.ArgCount; j++)
        {
            int left = ctx.ArgCount - j - 1;
            if (!store && ctx.ArgIs(j, "withscores"))
            {
                withScores = true;
            }
            else if (ctx.ArgIs(j, "limit") && left >= 2)
            {
                if (!ctx.TryGetLong(j + 1, out offset) || !ctx.TryGetLong(j + 2, out limit))
                {
                    return;
                }
                j += 2;
            }
            else if (direction == Direction.Auto && ctx.ArgIs(j, "rev"))
            {
                direction = Direction.Reverse;
            }
            else if (kind == RangeKind.Auto && ctx.ArgIs(j, "bylex"))
            {
                kind = RangeKind.Lex;
            }
            else if (kind == RangeKind.Auto && ctx.ArgIs(j, "byscore"))
            {
                kind = RangeKind.Score;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        if (direction == Direction.Auto)
        {
            direction = Direction.Forward;
        }
        if (kind == RangeKind.Auto)
        {
            kind = RangeKind.Rank;
        }
        if (limit != -1 && kind == RangeKind.Rank)
        {
            ctx.Error(Errors.LimitNeedsByScoreOrByLex);
            return;
        }
        if (withScores && kind == RangeKind.Lex)
        {
            ctx.Error(Errors.WithScoresWithByLex);
            return;
        }
        bool reverse = direction == Direction.Reverse;
        if (reverse && kind != RangeKind.Rank)
        {
            // Score and lex ranges are written max first when reversed.
            (minIdx, maxIdx) = (maxIdx, minIdx);
        }

        long start = 0;
        long end = 0;
        ZScoreRange scoreRange = default;
        ZLexRange lexRange = default;
        switch (kind)
        {
            case RangeKind.Rank:
                if (!ctx.TryGetLong(minIdx, out start) || !ctx.TryGetLong(maxIdx, out end))
                {
                    return;
                }
                break;
            case RangeKind.Score:
                if (!ZScoreRange.TryParse(ctx.Arg(minIdx), ctx.Arg(maxIdx), out scoreRange))
                {
                    ctx.Error(Errors.MinMaxNotFloat);
                    return;
                }
                break;
            default:
                if (!ZLexRange.TryParse(ctx.Arg(minIdx), ctx.Arg(maxIdx), out lexRange))
                {
                    ctx.Error(Errors.MinMaxNotLexItem);
                    return;
                }
                break;
        }

        if (!TryGetZSet(ctx, ctx.Arg(keyIdx), write: false, out SortedSet? set))
        {
            return;
        }

        // Resolve the range to ascending ranks [first, last], then apply LIMIT.
        int first = 0;
        int last = -1;
        if (set != null)
        {
            switch (kind)
            {
                case RangeKind.Rank:
                    (first, last) = RankSpan(set.Count, start, end, reverse);
                    break;
                case RangeKind.Score:
                    if (!scoreRange.IsEmpty)
                    {
                        first = set.CountPrefix(scoreRange.Before);
                        last = set.CountPrefix(scoreRange.UpTo) - 1;
                    }
                    break;
                default:
                    if (!lexRange.IsEmpty)
                    {
                        first = set.CountPrefix(lexRange.Before);
                        last = set.CountPrefix(lexRange.UpTo) - 1;
                    }
                    break;
            }
        }
        long count = Math.Max(0, last - first + 1);
        if (kind != RangeKind.Rank)
        {
            // Redis skips 'offset' elements (a negative offset skips them all) and stops after 'limit' (negative: no limit).
            if (offset < 0)
            {
                count = 0;
            }
            else
            {
                count = Math.Max(0, count - offset);
                if (limit >= 0)
                {
                    count = Math.Min(count, limit);
                }
                if (reverse)
                {
                    last -= (int)Math.Min(offset, int.MaxValue);
                }
                else
                {
                    first += (int)Math.Min(offset, int.MaxValue);
                }
            }
        }

        if (store)
        {
            StoreRange(ctx, set, first, last, (int)count, reverse, kind == RangeKind.Rank);
            return;
        }
        WriteElementsHeader(ctx.Reply, count, withScores);
        if (count == 0)
        {
            return;
        }
        int h = set!.AtRank(reverse ? last : first);
        for (long i = 0; i < count; i++)
        {
            WriteElement(ctx.Reply, set, h, withScores);
            h = reverse ? set.Prev(h) : set.Next(h);
        }
    }

    /// <summary>
    /// Redis's index sanitising for rank ranges (negative counts from the end), as ascending ranks [first, last];
    /// empty when last &lt; first. With <paramref name="reverse"/> the indexes count from the highest score.
    /// </summary>
    private static (int First, int Last) RankSpan(int length, long start, long end, bool reverse)
    {
        if (start < 0)
        {
            start += length;
        }
        if (end < 0)
        {
            end += length;
        }
        if (start < 0)
        {
            start = 0;
        }
        if (start > end || start >= length)
        {
            return (0, -1);
        }
        if (end >= length)
        {
            end = length - 1;
        }
        return reverse ? ((int)(length - 1 - end), (int)(length - 1 - start)) : ((int)start, (int)end);
    }

    /// <summary>
    /// Writes a range into the destination key. Like Redis, a rank range longer than zset-max-listpack-entries starts
    /// in the large encoding; any other starts compact and converts when it outgrows the limits.
    /// </summary>
    private static void StoreRange(CommandContext ctx, SortedSet? source, int first, int last, int count, bool reverse, bool byRank)
    {
        if (count == 0 || source == null)
        {
            StoreResult(ctx, ctx.Arg(1), null, "zrangestore");
            return;
        }
        ZSetLimits limits = Limits(ctx);
        SortedSet result = byRank && count > limits.MaxEntries ? SortedSet.CreateLarge(count) : new SortedSet(Math.Min(count, 128));
        int h = source.AtRank(reverse ? last : first);
        for (int i = 0; i < count; i++)
        {
            result.Insert(source.MemberAt(h), source.ScoreAt(h), limits);
            h = reverse ? source.Prev(h) : source.Next(h);
        }
        StoreResult(ctx, ctx.Arg(1), result, "zrangestore");
    }

    private static void ZCount(CommandContext ctx)
    {
        if (!ZScoreRange.TryParse(ctx.Arg(2), ctx.Arg(3), out ZScoreRange range))
        {
            ctx.Error(Errors.MinMaxNotFloat);
            return;
        }
        ReplyCountBetween(ctx, range.IsEmpty, range.Before, range.UpTo);
    }

    private static void ZLexCount(CommandContext ctx)
    {
        if (!ZLexRange.TryParse(ctx.Arg(2), ctx.Arg(3), out ZLexRange range))
        {
            ctx.Error(Errors.MinMaxNotLexItem);
            return;
        }
        ReplyCountBetween(ctx, range.IsEmpty, range.Before, range.UpTo);
    }

    /// <summary>ZCOUNT and ZLEXCOUNT: the elements after the range's "before" prefix and within its "up to" prefix.</summary>
    private static void ReplyCountBetween<TBefore, TUpTo>(CommandContext ctx, bool emptyRange, TBefore before, TUpTo upTo)
        where TBefore : IZPrefix, allows ref struct
        where TUpTo : IZPrefix, allows ref struct
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), write: false, out SortedSet? set))
        {
            return;
        }
        long n = 0;
        if (set != null && !emptyRange)
        {
            n = Math.Max(0, set.CountPrefix(upTo) - set.CountPrefix(before));
        }
        ctx.Reply.WriteInteger(n);
    }

    private static void ZRemRangeByRank(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long start) || !ctx.TryGetLong(3, out long end))
        {
            return;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), write: true, out SortedSet? set))
        {
            return;
        }
        if (set == null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        (int first, int last) = RankSpan(set.Count, start, end, reverse: false);
        RemoveRanks(ctx, set, first, last, "zremrangebyrank");
    }

    private static void ZRemRangeByScore(CommandContext ctx)
    {
        if (!ZScoreRange.TryParse(ctx.Arg(2), ctx.Arg(3), out ZScoreRange range))
        {
            ctx.Error(Errors.MinMaxNotFloat);
            return;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), write: true, out SortedSet? set))
        {
            return;
        }
        if (set == null || range.IsEmpty)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        RemoveRanks(ctx, set, set.CountPrefix(range.Before), set.CountPrefix(range.UpTo) - 1, "zremrangebyscore");
    }

    private static void ZRemRangeByLex(CommandContext ctx)
    {
        if (!ZLexRange.TryParse(ctx.Arg(2), ctx.Arg(3), out ZLexRange range))
        {
            ctx.Error(Errors.MinMaxNotLexItem);
            return;
        }
        if (!TryGetZSet(ctx, ctx.Arg(1), write: true, out SortedSet? set))
        {
            return;
        }
        if (set == null || range.IsEmpty)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        RemoveRanks(ctx, set, set.CountPrefix(range.Before), set.CountPrefix(range.UpTo) - 1, "zremrangebylex");
    }

    private static void RemoveRanks(CommandContext ctx, SortedSet set, int first, int last, string eventName)
    {
        int n = Math.Max(0, last - first + 1);
        if (n > 0)
        {
            set.RemoveRankRange(first, last);
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.SortedSet, eventName, n);
            DeleteIfEmpty(ctx, ctx.Arg(1), set);
        }
        ctx.Reply.WriteInteger(n);
    }
}
