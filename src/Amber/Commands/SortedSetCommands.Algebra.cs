using Amber.Keyspace;
using Amber.Text;
using Amber.Types;

namespace Amber.Commands;

/// <summary>ZUNION ZINTER ZDIFF, their STORE forms, and ZINTERCARD. Plain sets count as sorted sets with score 1.</summary>
internal static partial class SortedSetCommands
{
    private enum SetOp
    {
        Union,
        Inter,
        Diff,
    }

    private enum Aggregate
    {
        Sum,
        Min,
        Max,
    }

    /// <summary>One input: a sorted set, a plain set (every member scored 1), or nothing for a missing key; and its weight.</summary>
    private struct Source
    {
        public SortedSet? Sorted;
        public SetValue? Plain;
        public double Weight;

        public readonly int Count => Sorted?.Count ?? Plain?.Count ?? 0;

        public readonly bool TryGetScore(ReadOnlySpan<byte> member, out double score)
        {
            if (Sorted != null)
            {
                return Sorted.TryGetScore(member, out score);
            }
            score = 1.0;
            return Plain != null && Plain.Contains(member);
        }

        /// <summary>Iterates the members: start with <paramref name="position"/> = -1; false when done.</summary>
        public readonly bool Next(ref int position, Span<byte> scratch, out ReadOnlySpan<byte> member, out double score)
        {
            member = default;
            score = 1.0;
            if (Sorted != null)
            {
                int h = position == -1 ? Sorted.First() : Sorted.Next(position);
                if (h == SortedSet.Nil)
                {
                    return false;
                }
                position = h;
                member = Sorted.MemberAt(h);
                score = Sorted.ScoreAt(h);
                return true;
            }
            int index = position + 1;
            if (Plain == null || index >= Plain.Count)
            {
                return false;
            }
            position = index;
            member = Plain.MemberAt(index, scratch);
            return true;
        }
    }

    private static void ZUnion(CommandContext ctx) => SetOpGeneric(ctx, -1, 1, SetOp.Union, cardinalityOnly: false);

    private static void ZInter(CommandContext ctx) => SetOpGeneric(ctx, -1, 1, SetOp.Inter, cardinalityOnly: false);

    private static void ZDiff(CommandContext ctx) => SetOpGeneric(ctx, -1, 1, SetOp.Diff, cardinalityOnly: false);

    private static void ZUnionStore(CommandContext ctx) => SetOpGeneric(ctx, 1, 2, SetOp.Union, cardinalityOnly: false);

    private static void ZInterStore(CommandContext ctx) => SetOpGeneric(ctx, 1, 2, SetOp.Inter, cardinalityOnly: false);

    private static void ZDiffStore(CommandContext ctx) => SetOpGeneric(ctx, 1, 2, SetOp.Diff, cardinalityOnly: false);

    private static void ZInterCard(CommandContext ctx) => SetOpGeneric(ctx, -1, 1, SetOp.Inter, cardinalityOnly: true);

    /// <summary>
    /// Redis's zunionInterDiffGenericCommand: numkeys, the keys (type-checked before options are parsed),
    /// then WEIGHTS / AGGREGATE / WITHSCORES / LIMIT as the command allows.
    /// </summary>
    private static void SetOpGeneric(CommandContext ctx, int dstIdx, int numKeysIdx, SetOp op, bool cardinalityOnly)
    {
        if (!ctx.TryGetLong(numKeysIdx, out long numKeys))
        {
            return;
        }
        if (numKeys < 1)
        {
            ctx.Error(Errors.AtLeastOneInputKey(ctx.Command.FullName.ToLowerInvariant()));
            return;
        }
        if (numKeys > ctx.ArgCount - (numKeysIdx + 1))
        {
            ctx.SyntaxError();
            return;
        }
        int setNum = (int)numKeys;
        var sources = new Source[setNum];
        int j = numKeysIdx + 1;
        for (int i = 0; i < setNum; i++, j++)
        {
            Entry? e = ctx.Db.Find(ctx.Arg(j), ctx.NowMs);
            if (dstIdx < 0)
            {
                if (e == null)
                {
                    ctx.Server.Stats.KeyspaceMisses++;
                }
                else
                {
                    ctx.Server.Stats.KeyspaceHits++;
                }
            }
            if (e != null && !TryAsSource(e.Value, ref sources[i]))
            {
                ctx.WrongType();
                return;
            }
            sources[i].Weight = 1.0;
        }

        Aggregate aggregate = Aggregate.Sum;
        bool withScores = false;
        long limit = 0;
        int remaining = ctx.ArgCount - j;
        while (remaining > 0)
        {
            if (op != SetOp.Diff && !cardinalityOnly && remaining >= setNum + 1 && ctx.ArgIs(j, "weights"))
            {
                j++;
                remaining--;
                for (int i = 0; i < setNum; i++, j++, remaining--)
                {
                    if (!CDouble.TryParseStrict(ctx.Arg(j), out sources[i].Weight))
                    {
                        ctx.Error(Errors.WeightNotFloat);
                        return;
                    }
                }
            }
            else if (op != SetOp.Diff && !cardinalityOnly && remaining >= 2 && ctx.ArgIs(j, "aggregate"))
            {
                j++;
                if (ctx.ArgIs(j, "sum"))
                {
                    aggregate = Aggregate.Sum;
                }
                else if (ctx.ArgIs(j, "min"))
                {
                    aggregate = Aggregate.Min;
                }
                else if (ctx.ArgIs(j, "max"))
                {
                    aggregate = Aggregate.Max;
                }
                else
                {
                    ctx.SyntaxError();
                    return;
                }
                j++;
                remaining -= 2;
            }
            else if (dstIdx < 0 && !cardinalityOnly && ctx.ArgIs(j, "withscores"))
            {
                j++;
                remaining--;
                withScores = true;
            }
            else if (cardinalityOnly && remaining >= 2 && ctx.ArgIs(j, "limit"))
            {
                j++;
                if (!CommandContext.TryParseLong(ctx.Arg(j), out limit) || limit < 0)
                {
                    ctx.Error(Errors.LimitNegative);
                    return;
                }
                j++;
                remaining -= 2;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }

        if (op != SetOp.Diff)
        {
            // Smallest first (stable, like glibc's merge-sort qsort): fewer lookups, and Redis's summation order.
            Source[] sorted = new Source[setNum];
            Array.Copy(sources, sorted, setNum);
            int[] order = new int[setNum];
            for (int i = 0; i < setNum; i++)
            {
                order[i] = i;
            }
            Array.Sort(order, (a, b) => sources[a].Count != sources[b].Count ? sources[a].Count.CompareTo(sources[b].Count) : a.CompareTo(b));
            for (int i = 0; i < setNum; i++)
            {
                sorted[i] = sources[order[i]];
            }
            sources = sorted;
        }

        if (cardinalityOnly)
        {
            ctx.Reply.WriteInteger(InterCardinality(sources, limit));
            return;
        }

        ZSetLimits limits = Limits(ctx);
        SortedSet result = op switch
        {
            SetOp.Union => Union(sources, aggregate, limits),
            SetOp.Inter => Intersect(sources, aggregate, limits),
            _ => Difference(sources, limits),
        };

        if (dstIdx >= 0)
        {
            result.CompactIfFits(limits);
            StoreResult(ctx, ctx.Arg(dstIdx), result, op switch
            {
                SetOp.Union => "zunionstore",
                SetOp.Inter => "zinterstore",
                _ => "zdiffstore",
            });
            return;
        }
        WriteElementsHeader(ctx.Reply, result.Count, withScores);
        for (int h = result.First(); h != SortedSet.Nil; h = result.Next(h))
        {
            WriteElement(ctx.Reply, result, h, withScores);
        }
    }

    /// <summary>Accepts a sorted set or a plain set (Redis lets sets take part with a score of 1).</summary>
    private static bool TryAsSource(object? value, ref Source source)
    {
        source.Sorted = value as SortedSet;
        source.Plain = value as SetValue;
        return source.Sorted != null || source.Plain != null;
    }

    private static void Accumulate(ref double target, double value, Aggregate aggregate)
    {
        switch (aggregate)
        {
            case Aggregate.Sum:
                target += value;
                // The sum of +inf and -inf is NaN; Redis counts it as 0.
                if (double.IsNaN(target))
                {
                    target = 0;
                }
                break;
            case Aggregate.Min:
                target = value < target ? value : target;
                break;
            default:
                target = value > target ? value : target;
                break;
        }
    }

    private static double Weighted(double score, double weight)
    {
        double v = weight * score;
        return double.IsNaN(v) ? 0 : v;
    }

    private static SortedSet Union(Source[] sources, Aggregate aggregate, ZSetLimits limits)
    {
        int largest = sources[^1].Count;
        var scores = new Dictionary<byte[], double>(largest, ByteArrayComparer.Instance);
        var lookup = scores.GetAlternateLookup<ReadOnlySpan<byte>>();
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        foreach (Source src in sources)
        {
            int position = -1;
            while (src.Next(ref position, scratch, out ReadOnlySpan<byte> member, out double raw))
            {
                double score = Weighted(raw, src.Weight);
                if (lookup.TryGetValue(member, out double existing))
                {
                    Accumulate(ref existing, score, aggregate);
                    lookup[member] = existing;
                }
                else
                {
                    lookup[member] = score;
                }
            }
        }
        var result = SortedSet.CreateLarge(scores.Count);
        foreach (KeyValuePair<byte[], double> kv in scores)
        {
            result.Insert(kv.Key, kv.Value, limits);
        }
        return result;
    }

    private static SortedSet Intersect(Source[] sources, Aggregate aggregate, ZSetLimits limits)
    {
        Source smallest = sources[0];
        var result = SortedSet.CreateLarge(smallest.Count);
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        int position = -1;
        while (smallest.Next(ref position, scratch, out ReadOnlySpan<byte> member, out double raw))
        {
            double score = Weighted(raw, smallest.Weight);
            int k = 1;
            for (; k < sources.Length; k++)
            {
                if (!sources[k].TryGetScore(member, out double value))
                {
                    break;
                }
                Accumulate(ref score, value * sources[k].Weight, aggregate);
            }
            if (k == sources.Length)
            {
                result.Insert(member, score, limits);
            }
        }
        return result;
    }

    private static long InterCardinality(Source[] sources, long limit)
    {
        long n = 0;
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        int position = -1;
        while (sources[0].Next(ref position, scratch, out ReadOnlySpan<byte> member, out _))
        {
            int k = 1;
            while (k < sources.Length && sources[k].TryGetScore(member, out _))
            {
                k++;
            }
            if (k == sources.Length && ++n == limit)
            {
                break;
            }
        }
        return n;
    }

    private static SortedSet Difference(Source[] sources, ZSetLimits limits)
    {
        Source first = sources[0];
        var result = SortedSet.CreateLarge(first.Count);
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        int position = -1;
        while (first.Next(ref position, scratch, out ReadOnlySpan<byte> member, out double score))
        {
            bool elsewhere = false;
            for (int k = 1; k < sources.Length && !elsewhere; k++)
            {
                elsewhere = sources[k].TryGetScore(member, out _);
            }
            if (!elsewhere)
            {
                result.Insert(member, score, limits);
            }
        }
        return result;
    }
}
