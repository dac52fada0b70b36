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

    /// <summary>One input: a sorted set (or nothing, for a missing key) and its weight.</summary>
    private struct Source
    {
        public SortedSet? Set;
        public double Weight;
        public int Count => Set?.Count ?? 0;
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
            if (e != null && !TryAsSource(e.Value, out sources[i].Set))
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

    /// <summary>Accepts a sorted set (and, once the set type exists, a plain set as scores of 1).</summary>
    private static bool TryAsSource(object value, out SortedSet? set)
    {
        set = value as SortedSet;
        return set != null;
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
        foreach (Source src in sources)
        {
            SortedSet? set = src.Set;
            if (set == null)
            {
                continue;
            }
            for (int h = set.First(); h != SortedSet.Nil; h = set.Next(h))
            {
                double score = Weighted(set.ScoreAt(h), src.Weight);
                ReadOnlySpan<byte> member = set.MemberAt(h);
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
        SortedSet? smallest = sources[0].Set;
        var result = SortedSet.CreateLarge(smallest?.Count ?? 0);
        if (smallest == null)
        {
            return result;
        }
        for (int h = smallest.First(); h != SortedSet.Nil; h = smallest.Next(h))
        {
            ReadOnlySpan<byte> member = smallest.MemberAt(h);
            double score = Weighted(smallest.ScoreAt(h), sources[0].Weight);
            int k = 1;
            for (; k < sources.Length; k++)
            {
                if (!sources[k].Set!.TryGetScore(member, out double value))
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
        SortedSet? smallest = sources[0].Set;
        if (smallest == null)
        {
            return 0;
        }
        long n = 0;
        for (int h = smallest.First(); h != SortedSet.Nil; h = smallest.Next(h))
        {
            ReadOnlySpan<byte> member = smallest.MemberAt(h);
            int k = 1;
            while (k < sources.Length && sources[k].Set!.Find(member) != SortedSet.Nil)
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
        SortedSet? first = sources[0].Set;
        var result = SortedSet.CreateLarge(first?.Count ?? 0);
        if (first == null)
        {
            return result;
        }
        for (int h = first.First(); h != SortedSet.Nil; h = first.Next(h))
        {
            ReadOnlySpan<byte> member = first.MemberAt(h);
            bool elsewhere = false;
            for (int k = 1; k < sources.Length && !elsewhere; k++)
            {
                elsewhere = sources[k].Set != null && sources[k].Set!.Find(member) != SortedSet.Nil;
            }
            if (!elsewhere)
            {
                result.Insert(member, first.ScoreAt(h), limits);
            }
        }
        return result;
    }
}
