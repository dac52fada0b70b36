using Amber.Keyspace;
using Amber.Notifications;
using Amber.Protocol;
using Amber.Text;
using Amber.Types;

namespace Amber.Commands;

/// <summary>
/// Sorted-set commands. Split by concern: this file has registration, lookups and the single-element commands;
/// SortedSetCommands.Range.cs the range queries, .Pop.cs the pops and random picks, .Algebra.cs union/inter/diff,
/// .Scan.cs ZSCAN.
/// </summary>
internal static partial class SortedSetCommands
{
    public static void Register(CommandTable t)
    {
        const CommandFlags W = CommandFlags.Write;
        const CommandFlags R = CommandFlags.ReadOnly;
        const CommandFlags F = CommandFlags.Fast;
        const CommandFlags Oom = CommandFlags.DenyOom;
        const CommandFlags Mk = CommandFlags.MovableKeys;
        const string WF = "write sortedset fast";
        const string RF = "read sortedset fast";
        const string WS = "write sortedset slow";
        const string RS = "read sortedset slow";
        const string G = "sorted-set";

        t.Add(new("zadd", -4, W | Oom | F, 1, 1, 1, WF, ZAdd) { Group = G, Since = "1.2.0", Summary = "Adds members with scores, or updates their scores.", Complexity = "O(log(N)) per element", KeySpecs = Ks(KeySpecFlags.RW | KeySpecFlags.Update) });
        t.Add(new("zincrby", 4, W | Oom | F, 1, 1, 1, WF, ZIncrBy) { Group = G, Since = "1.2.0", Summary = "Adds an increment to a member's score.", Complexity = "O(log(N))", KeySpecs = Ks(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update) });
        t.Add(new("zrem", -3, W | F, 1, 1, 1, WF, ZRem) { Group = G, Since = "1.2.0", Summary = "Removes members.", Complexity = "O(M*log(N))", KeySpecs = Ks(KeySpecFlags.RW | KeySpecFlags.Delete) });
        t.Add(new("zscore", 3, R | F, 1, 1, 1, RF, ZScore) { Group = G, Since = "1.2.0", Summary = "Returns a member's score.", Complexity = "O(1)", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zmscore", -3, R | F, 1, 1, 1, RF, ZMScore) { Group = G, Since = "6.2.0", Summary = "Returns the scores of several members.", Complexity = "O(N)", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zcard", 2, R | F, 1, 1, 1, RF, ZCard) { Group = G, Since = "1.2.0", Summary = "Returns the number of members.", Complexity = "O(1)", KeySpecs = Ks(KeySpecFlags.RO) });
        t.Add(new("zcount", 4, R | F, 1, 1, 1, RF, ZCount) { Group = G, Since = "2.0.0", Summary = "Counts members with scores in a range.", Complexity = "O(log(N))", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zlexcount", 4, R | F, 1, 1, 1, RF, ZLexCount) { Group = G, Since = "2.8.9", Summary = "Counts members in a lexicographical range.", Complexity = "O(log(N))", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zrank", 3, R | F, 1, 1, 1, RF, ZRank) { Group = G, Since = "2.0.0", Summary = "Returns a member's position in ascending order.", Complexity = "O(log(N))", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zrevrank", 3, R | F, 1, 1, 1, RF, ZRevRank) { Group = G, Since = "2.0.0", Summary = "Returns a member's position in descending order.", Complexity = "O(log(N))", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });

        t.Add(new("zrange", -4, R, 1, 1, 1, RS, ZRange) { Group = G, Since = "1.2.0", Summary = "Returns members in a range of ranks, scores or names.", Complexity = "O(log(N)+M)", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zrangestore", -5, W | Oom, 1, 2, 1, WS, ZRangeStore) { Group = G, Since = "6.2.0", Summary = "Stores a range of members in another key.", Complexity = "O(log(N)+M)", KeySpecs = [KeySpec.Range(KeySpecFlags.OW | KeySpecFlags.Update, 1, 0), KeySpec.Range(KeySpecFlags.RO | KeySpecFlags.Access, 2, 0)] });
        t.Add(new("zrangebyscore", -4, R, 1, 1, 1, RS, ZRangeByScore) { Group = G, Since = "1.0.5", Summary = "Returns members in a score range.", Complexity = "O(log(N)+M)", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zrevrangebyscore", -4, R, 1, 1, 1, RS, ZRevRangeByScore) { Group = G, Since = "2.2.0", Summary = "Returns members in a score range, highest first.", Complexity = "O(log(N)+M)", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zrangebylex", -4, R, 1, 1, 1, RS, ZRangeByLex) { Group = G, Since = "2.8.9", Summary = "Returns members in a lexicographical range.", Complexity = "O(log(N)+M)", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zrevrangebylex", -4, R, 1, 1, 1, RS, ZRevRangeByLex) { Group = G, Since = "2.8.9", Summary = "Returns members in a lexicographical range, last first.", Complexity = "O(log(N)+M)", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zrevrange", -4, R, 1, 1, 1, RS, ZRevRange) { Group = G, Since = "1.2.0", Summary = "Returns members in a range of ranks, highest first.", Complexity = "O(log(N)+M)", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access) });
        t.Add(new("zremrangebyrank", 4, W, 1, 1, 1, WS, ZRemRangeByRank) { Group = G, Since = "2.0.0", Summary = "Removes members in a range of ranks.", Complexity = "O(log(N)+M)", KeySpecs = Ks(KeySpecFlags.RW | KeySpecFlags.Delete) });
        t.Add(new("zremrangebyscore", 4, W, 1, 1, 1, WS, ZRemRangeByScore) { Group = G, Since = "1.2.0", Summary = "Removes members in a score range.", Complexity = "O(log(N)+M)", KeySpecs = Ks(KeySpecFlags.RW | KeySpecFlags.Delete) });
        t.Add(new("zremrangebylex", 4, W, 1, 1, 1, WS, ZRemRangeByLex) { Group = G, Since = "2.8.9", Summary = "Removes members in a lexicographical range.", Complexity = "O(log(N)+M)", KeySpecs = Ks(KeySpecFlags.RW | KeySpecFlags.Delete) });

        t.Add(new("zpopmin", -2, W | F, 1, 1, 1, WF, ZPopMin) { Group = G, Since = "5.0.0", Summary = "Removes and returns the lowest-scored members.", Complexity = "O(log(N)*M)", KeySpecs = Ks(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete) });
        t.Add(new("zpopmax", -2, W | F, 1, 1, 1, WF, ZPopMax) { Group = G, Since = "5.0.0", Summary = "Removes and returns the highest-scored members.", Complexity = "O(log(N)*M)", KeySpecs = Ks(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete) });
        t.Add(new("zmpop", -4, W | Mk, 0, 0, 0, WS, ZMPop) { Group = G, Since = "7.0.0", Summary = "Pops members from the first non-empty of several sorted sets.", Complexity = "O(K)+O(M*log(N))", KeyFinder = NumKeysAt(1), KeySpecs = [KeySpec.Keynum(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete, 1, 0, 1)] });
        const CommandFlags Blk = CommandFlags.Blocking;
        t.Add(new("bzpopmin", -3, W | CommandFlags.NoScript | Blk | F, 1, -2, 1, "write sortedset fast blocking", BZPopMin) { Group = G, Since = "5.0.0", Summary = "Pops the lowest-scored member of the first non-empty sorted set, or waits for one.", Complexity = "O(log(N))", KeySpecs = [KeySpec.Range(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete, 1, -2)] });
        t.Add(new("bzpopmax", -3, W | CommandFlags.NoScript | Blk | F, 1, -2, 1, "write sortedset fast blocking", BZPopMax) { Group = G, Since = "5.0.0", Summary = "Pops the highest-scored member of the first non-empty sorted set, or waits for one.", Complexity = "O(log(N))", KeySpecs = [KeySpec.Range(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete, 1, -2)] });
        t.Add(new("bzmpop", -5, W | Blk | Mk, 0, 0, 0, "write sortedset slow blocking", BZMPop) { Group = G, Since = "7.0.0", Summary = "Pops members from the first non-empty of several sorted sets, or waits for one.", Complexity = "O(K)+O(M*log(N))", KeyFinder = NumKeysAt(2), KeySpecs = [KeySpec.Keynum(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Delete, 2, 0, 1)] });
        t.Add(new("zrandmember", -2, R, 1, 1, 1, RS, ZRandMember) { Group = G, Since = "6.2.0", Summary = "Returns random members.", Complexity = "O(N)", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access), Tips = ["nondeterministic_output"] });

        t.Add(new("zunion", -3, R | Mk, 0, 0, 0, RS, ZUnion) { Group = G, Since = "6.2.0", Summary = "Returns the union of sorted sets.", Complexity = "O(N)+O(M*log(M))", KeyFinder = NumKeysAt(1), KeySpecs = [KeySpec.Keynum(KeySpecFlags.RO | KeySpecFlags.Access, 1, 0, 1)] });
        t.Add(new("zinter", -3, R | Mk, 0, 0, 0, RS, ZInter) { Group = G, Since = "6.2.0", Summary = "Returns the intersection of sorted sets.", Complexity = "O(N*K)+O(M*log(M))", KeyFinder = NumKeysAt(1), KeySpecs = [KeySpec.Keynum(KeySpecFlags.RO | KeySpecFlags.Access, 1, 0, 1)] });
        t.Add(new("zdiff", -3, R | Mk, 0, 0, 0, RS, ZDiff) { Group = G, Since = "6.2.0", Summary = "Returns the difference of sorted sets.", Complexity = "O(L + (N-K)log(N))", KeyFinder = NumKeysAt(1), KeySpecs = [KeySpec.Keynum(KeySpecFlags.RO | KeySpecFlags.Access, 1, 0, 1)] });
        t.Add(new("zunionstore", -4, W | Oom | Mk, 1, 1, 1, WS, ZUnionStore) { Group = G, Since = "2.0.0", Summary = "Stores the union of sorted sets.", Complexity = "O(N)+O(M log(M))", KeyFinder = StoreKeys, KeySpecs = StoreSpecs });
        t.Add(new("zinterstore", -4, W | Oom | Mk, 1, 1, 1, WS, ZInterStore) { Group = G, Since = "2.0.0", Summary = "Stores the intersection of sorted sets.", Complexity = "O(N*K)+O(M*log(M))", KeyFinder = StoreKeys, KeySpecs = StoreSpecs });
        t.Add(new("zdiffstore", -4, W | Oom | Mk, 1, 1, 1, WS, ZDiffStore) { Group = G, Since = "6.2.0", Summary = "Stores the difference of sorted sets.", Complexity = "O(L + (N-K)log(N))", KeyFinder = StoreKeys, KeySpecs = StoreSpecs });
        t.Add(new("zintercard", -3, R | Mk, 0, 0, 0, RS, ZInterCard) { Group = G, Since = "7.0.0", Summary = "Counts the members of the intersection of sorted sets.", Complexity = "O(N*K)", KeyFinder = NumKeysAt(1), KeySpecs = [KeySpec.Keynum(KeySpecFlags.RO | KeySpecFlags.Access, 1, 0, 1)] });
        t.Add(new("zscan", -3, R, 1, 1, 1, RS, ZScan) { Group = G, Since = "2.8.0", Summary = "Iterates over members and scores with a cursor.", Complexity = "O(1) per call, O(N) for a whole iteration", KeySpecs = Ks(KeySpecFlags.RO | KeySpecFlags.Access), Tips = ["nondeterministic_output"] });
    }

    /// <summary>One key at argument 1 with the given access flags (Redis's key spec for most sorted-set commands).</summary>
    private static KeySpec[] Ks(KeySpecFlags flags) => [KeySpec.Range(flags, 1, 0)];

    /// <summary>ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE: the destination, then numkeys source keys.</summary>
    private static KeySpec[] StoreSpecs =>
        [KeySpec.Range(KeySpecFlags.OW | KeySpecFlags.Update, 1, 0), KeySpec.Keynum(KeySpecFlags.RO | KeySpecFlags.Access, 2, 0, 1)];

    /// <summary>Keys of "numkeys key [key ...]" commands: numkeys at <paramref name="index"/>, keys right after.</summary>
    internal static Func<ArgList, List<int>, bool> NumKeysAt(int index) => (args, keys) => AddNumKeys(args, index, keys);

    /// <summary>Keys of ZUNIONSTORE-style commands: the destination, then "numkeys key [key ...]".</summary>
    private static bool StoreKeys(ArgList args, List<int> keys)
    {
        keys.Add(1);
        return AddNumKeys(args, 2, keys);
    }

    private static bool AddNumKeys(ArgList args, int index, List<int> keys)
    {
        if (index >= args.Count || !CommandContext.TryParseLong(args[index], out long n) || n < 1 || n > args.Count - index - 1)
        {
            return false;
        }
        for (int i = 0; i < n; i++)
        {
            keys.Add(index + 1 + i);
        }
        return true;
    }

    internal static ZSetLimits Limits(CommandContext ctx) =>
        new((int)Math.Min(ctx.Server.Config.ZsetMaxListpackEntries, int.MaxValue), (int)Math.Min(ctx.Server.Config.ZsetMaxListpackValue, int.MaxValue));

    /// <summary>
    /// Looks up a sorted set; writes WRONGTYPE and returns false if the key holds another type. Read lookups count
    /// keyspace hits and misses; write lookups do not (as Redis's lookupKeyWrite).
    /// </summary>
    internal static bool TryGetZSet(CommandContext ctx, ReadOnlySpan<byte> key, bool write, out SortedSet? set)
    {
        Entry? entry = ctx.Db.Find(key, ctx.NowMs);
        set = null;
        if (entry == null)
        {
            if (!write)
            {
                ctx.Server.Stats.KeyspaceMisses++;
            }
            return true;
        }
        if (!write)
        {
            ctx.Server.Stats.KeyspaceHits++;
        }
        if (entry.Value is SortedSet z)
        {
            set = z;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    /// <summary>Writes one element of a reply: the member, and with scores its score (RESP3 nests the pair).</summary>
    private static void WriteElement(RespWriter reply, SortedSet set, int handle, bool withScores)
    {
        if (withScores && reply.IsResp3)
        {
            reply.WriteArrayHeader(2);
        }
        reply.WriteBulkString(set.MemberAt(handle));
        if (withScores)
        {
            reply.WriteDouble(set.ScoreAt(handle));
        }
    }

    /// <summary>The array header for <paramref name="count"/> elements: flat member/score pairs in RESP2.</summary>
    private static void WriteElementsHeader(RespWriter reply, long count, bool withScores) =>
        reply.WriteArrayHeader(withScores && !reply.IsResp3 ? count * 2 : count);

    /// <summary>Deletes the key when its set has become empty (Redis never keeps empty collections), with its "del" event.</summary>
    private static void DeleteIfEmpty(CommandContext ctx, ReadOnlySpan<byte> key, SortedSet set)
    {
        if (set.Count == 0)
        {
            ctx.Db.Delete(key);
            ctx.KeyWritten(key, NotifyFlags.Generic, "del", 0);
        }
    }

    /// <summary>Stores a command's result set in <paramref name="key"/> (replacing any value and its TTL), or deletes the key when empty.</summary>
    private static void StoreResult(CommandContext ctx, ReadOnlySpan<byte> key, SortedSet? result, string eventName)
    {
        if (result != null && result.Count > 0)
        {
            ctx.Db.Set(key, result, ctx.NowMs);
            ctx.KeyWritten(key, NotifyFlags.SortedSet, eventName);
        }
        else if (ctx.Db.Delete(key))
        {
            ctx.KeyWritten(key, NotifyFlags.Generic, "del");
        }
        ctx.Reply.WriteInteger(result?.Count ?? 0);
    }

    [Flags]
    private enum ZAddFlags
    {
        None = 0,
        Nx = 1,
        Xx = 2,
        Gt = 4,
        Lt = 8,
        Incr = 16,
        Ch = 32,
    }

    private static void ZAdd(CommandContext ctx) => ZAddGeneric(ctx, ZAddFlags.None);

    private static void ZIncrBy(CommandContext ctx) => ZAddGeneric(ctx, ZAddFlags.Incr);

    /// <summary>ZADD and ZINCRBY (which is ZADD INCR, options included, as in Redis).</summary>
    private static void ZAddGeneric(CommandContext ctx, ZAddFlags flags)
    {
        int scoreIdx = 2;
        for (; scoreIdx < ctx.ArgCount; scoreIdx++)
        {
            ZAddFlags f = ctx.ArgIs(scoreIdx, "nx") ? ZAddFlags.Nx
                : ctx.ArgIs(scoreIdx, "xx") ? ZAddFlags.Xx
                : ctx.ArgIs(scoreIdx, "ch") ? ZAddFlags.Ch
                : ctx.ArgIs(scoreIdx, "incr") ? ZAddFlags.Incr
                : ctx.ArgIs(scoreIdx, "gt") ? ZAddFlags.Gt
                : ctx.ArgIs(scoreIdx, "lt") ? ZAddFlags.Lt
                : ZAddFlags.None;
            if (f == ZAddFlags.None)
            {
                break;
            }
            flags |= f;
        }
        bool nx = (flags & ZAddFlags.Nx) != 0;
        bool xx = (flags & ZAddFlags.Xx) != 0;
        bool gt = (flags & ZAddFlags.Gt) != 0;
        bool lt = (flags & ZAddFlags.Lt) != 0;
        bool incr = (flags & ZAddFlags.Incr) != 0;
        bool ch = (flags & ZAddFlags.Ch) != 0;

        int elements = ctx.ArgCount - scoreIdx;
        if (elements == 0 || elements % 2 != 0)
        {
            ctx.SyntaxError();
            return;
        }
        elements /= 2;
        if (nx && xx)
        {
            ctx.Error(Errors.ZAddXxAndNx);
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            ctx.Error(Errors.ZAddGtLtNx);
            return;
        }
        if (incr && elements > 1)
        {
            ctx.Error(Errors.ZAddIncrSinglePair);
            return;
        }
        // Every score is checked before anything changes: the command applies fully or not at all.
        for (int j = 0; j < elements; j++)
        {
            if (!CDouble.TryParseStrict(ctx.Arg(scoreIdx + j * 2), out _))
            {
                ctx.Error(Errors.NotFloat);
                return;
            }
        }

        ReadOnlySpan<byte> key = ctx.Arg(1);
        if (!TryGetZSet(ctx, key, write: true, out SortedSet? set))
        {
            return;
        }
        long added = 0;
        long updated = 0;
        long processed = 0;
        double score = 0;
        if (set == null && !xx)
        {
            set = new SortedSet();
            ctx.Db.Add(key.ToArray(), set);
        }
        if (set != null)
        {
            ZSetLimits limits = Limits(ctx);
            for (int j = 0; j < elements; j++)
            {
                CDouble.TryParseStrict(ctx.Arg(scoreIdx + j * 2), out score);
                ReadOnlySpan<byte> member = ctx.Arg(scoreIdx + j * 2 + 1);
                int h = set.Find(member);
                if (h != SortedSet.Nil)
                {
                    if (nx)
                    {
                        continue;
                    }
                    double current = set.ScoreAt(h);
                    if (incr)
                    {
                        score += current;
                        if (double.IsNaN(score))
                        {
                            ctx.Error(Errors.ScoreIsNaN);
                            return;
                        }
                    }
                    if ((lt && score >= current) || (gt && score <= current))
                    {
                        continue;
                    }
                    processed++;
                    if (score != current)
                    {
                        set.UpdateScore(h, score);
                        updated++;
                    }
                }
                else if (!xx)
                {
                    set.Insert(member, score, limits);
                    added++;
                    processed++;
                }
            }
        }
        if (added + updated > 0)
        {
            ctx.KeyWritten(key, NotifyFlags.SortedSet, incr ? "zincr" : "zadd", added + updated);
        }
        if (incr)
        {
            if (processed > 0)
            {
                ctx.Reply.WriteDouble(score);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
        }
        else
        {
            ctx.Reply.WriteInteger(ch ? added + updated : added);
        }
    }

    private static void ZRem(CommandContext ctx)
    {
        ReadOnlySpan<byte> key = ctx.Arg(1);
        if (!TryGetZSet(ctx, key, write: true, out SortedSet? set))
        {
            return;
        }
        long removed = 0;
        if (set != null)
        {
            for (int i = 2; i < ctx.ArgCount && set.Count > 0; i++)
            {
                if (set.Remove(ctx.Arg(i)))
                {
                    removed++;
                }
            }
            if (removed > 0)
            {
                ctx.KeyWritten(key, NotifyFlags.SortedSet, "zrem", removed);
                DeleteIfEmpty(ctx, key, set);
            }
        }
        ctx.Reply.WriteInteger(removed);
    }

    private static void ZScore(CommandContext ctx)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), write: false, out SortedSet? set))
        {
            return;
        }
        if (set != null && set.TryGetScore(ctx.Arg(2), out double score))
        {
            ctx.Reply.WriteDouble(score);
        }
        else
        {
            ctx.Reply.WriteNull();
        }
    }

    private static void ZMScore(CommandContext ctx)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), write: false, out SortedSet? set))
        {
            return;
        }
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (set != null && set.TryGetScore(ctx.Arg(i), out double score))
            {
                ctx.Reply.WriteDouble(score);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
        }
    }

    private static void ZCard(CommandContext ctx)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), write: false, out SortedSet? set))
        {
            return;
        }
        ctx.Reply.WriteInteger(set?.Count ?? 0);
    }

    private static void ZRank(CommandContext ctx) => RankGeneric(ctx, reverse: false);

    private static void ZRevRank(CommandContext ctx) => RankGeneric(ctx, reverse: true);

    private static void RankGeneric(CommandContext ctx, bool reverse)
    {
        if (!TryGetZSet(ctx, ctx.Arg(1), write: false, out SortedSet? set))
        {
            return;
        }
        int h = set == null ? SortedSet.Nil : set.Find(ctx.Arg(2));
        if (h == SortedSet.Nil)
        {
            ctx.Reply.WriteNull();
            return;
        }
        int rank = set!.RankOf(h);
        ctx.Reply.WriteInteger(reverse ? set.Count - 1 - rank : rank);
    }
}
