using Amber.Keyspace;
using Amber.Notifications;
using Amber.Protocol;
using Amber.Server;
using Amber.Types;

namespace Amber.Commands;

/// <summary>ZPOPMIN ZPOPMAX ZMPOP, their blocking forms BZPOPMIN BZPOPMAX BZMPOP, and ZRANDMEMBER.</summary>
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
        if (TryParseMPop(ctx, numKeysIdx, out int numKeys, out bool max, out long count))
        {
            PopGeneric(ctx, numKeysIdx + 1, numKeys, max, emitKey: true, count, nested: true, nullWhenEmpty: true);
        }
    }

    /// <summary>Parses "numkeys key [key ...] MIN|MAX [COUNT count]" (ZMPOP, BZMPOP); count defaults to 1.</summary>
    private static bool TryParseMPop(CommandContext ctx, int numKeysIdx, out int numKeys, out bool max, out long count)
    {
        numKeys = 0;
        max = false;
        count = -1;
        if (!CommandContext.TryParseLong(ctx.Arg(numKeysIdx), out long n) || n < 1)
        {
            ctx.Error(Errors.NumKeysNotPositive);
            return false;
        }
        long whereIdx = n >= ctx.ArgCount ? long.MaxValue : numKeysIdx + n + 1;
        if (whereIdx >= ctx.ArgCount)
        {
            ctx.SyntaxError();
            return false;
        }
        numKeys = (int)n;
        if (ctx.ArgIs((int)whereIdx, "max"))
        {
            max = true;
        }
        else if (!ctx.ArgIs((int)whereIdx, "min"))
        {
            ctx.SyntaxError();
            return false;
        }
        for (int j = (int)whereIdx + 1; j < ctx.ArgCount; j++)
        {
            bool more = j + 1 < ctx.ArgCount;
            if (count == -1 && more && ctx.ArgIs(j, "count"))
            {
                j++;
                if (!CommandContext.TryParseLong(ctx.Arg(j), out count) || count < 1)
                {
                    ctx.Error(Errors.CountNotPositive);
                    return false;
                }
            }
            else
            {
                ctx.SyntaxError();
                return false;
            }
        }
        if (count == -1)
        {
            count = 1;
        }
        return true;
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
        int popped = PopFrom(ctx, ctx.Reply, ctx.Db, ctx.Arg(keyIdx), set, max, emitKey, count, nested);
        if (emitKey && ctx.Propagating)
        {
            // ZMPOP propagates as ZPOPMIN/ZPOPMAX key with the number actually popped.
            ctx.PropagateAs(3).Arg(max ? "ZPOPMAX"u8 : "ZPOPMIN"u8).Arg(ctx.Arg(keyIdx)).Arg(popped);
        }
    }

    /// <summary>Pops from one non-empty set, writes the reply, records the change and deletes the key if emptied.</summary>
    private static int PopFrom(CommandContext ctx, RespWriter reply, Database db, ReadOnlySpan<byte> key, SortedSet set, bool max, bool emitKey, long count, bool nested)
    {
        if (count == -1)
        {
            count = 1;
        }
        int n = (int)Math.Min(count, set.Count);
        if (!nested && !emitKey)
        {
            reply.WriteArrayHeader(n * 2);
        }
        else if (nested && !emitKey)
        {
            reply.WriteArrayHeader(n);
        }
        else if (!nested)
        {
            reply.WriteArrayHeader(n * 2 + 1);
            reply.WriteBulkString(key);
        }
        else
        {
            reply.WriteArrayHeader(2);
            reply.WriteBulkString(key);
            reply.WriteArrayHeader(n);
        }
        for (int i = 0; i < n; i++)
        {
            int h = max ? set.Last() : set.First();
            if (nested)
            {
                reply.WriteArrayHeader(2);
            }
            reply.WriteBulkString(set.MemberAt(h));
            reply.WriteDouble(set.ScoreAt(h));
            set.RemoveAt(h);
        }
        ctx.KeyWrittenIn(db.Index, key, NotifyFlags.SortedSet, max ? "zpopmax" : "zpopmin", n);
        if (set.Count == 0)
        {
            db.Delete(key);
            ctx.KeyWrittenIn(db.Index, key, NotifyFlags.Generic, "del", 0);
        }
        return n;
    }

    private static void BZPopMin(CommandContext ctx) => BlockingPop(ctx, max: false);

    private static void BZPopMax(CommandContext ctx) => BlockingPop(ctx, max: true);

    /// <summary>BZPOPMIN/BZPOPMAX key [key ...] timeout: a plain pop replied as [key, member, score], or wait.</summary>
    private static void BlockingPop(CommandContext ctx, bool max)
    {
        int timeoutIdx = ctx.ArgCount - 1;
        if (!BlockingTimeout.TryGetDeadline(ctx, timeoutIdx, out long deadline))
        {
            return;
        }
        for (int i = 1; i < timeoutIdx; i++)
        {
            if (!TryGetZSet(ctx, ctx.Arg(i), write: true, out SortedSet? set))
            {
                return;
            }
            if (set != null)
            {
                PopFrom(ctx, ctx.Reply, ctx.Db, ctx.Arg(i), set, max, emitKey: true, -1, nested: false);
                if (ctx.Propagating)
                {
                    ctx.PropagateAs(2).Arg(max ? "ZPOPMAX"u8 : "ZPOPMIN"u8).Arg(ctx.Arg(i));
                }
                return;
            }
        }
        BlockOrGiveUp(ctx, 1, timeoutIdx - 1, deadline, max, -1);
    }

    /// <summary>BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count].</summary>
    private static void BZMPop(CommandContext ctx)
    {
        if (!TryParseMPop(ctx, 2, out int numKeys, out bool max, out long count) ||
            !BlockingTimeout.TryGetDeadline(ctx, 1, out long deadline))
        {
            return;
        }
        for (int i = 0; i < numKeys; i++)
        {
            if (!TryGetZSet(ctx, ctx.Arg(3 + i), write: true, out SortedSet? set))
            {
                return;
            }
            if (set != null)
            {
                int popped = PopFrom(ctx, ctx.Reply, ctx.Db, ctx.Arg(3 + i), set, max, emitKey: true, count, nested: true);
                if (ctx.Propagating)
                {
                    ctx.PropagateAs(3).Arg(max ? "ZPOPMAX"u8 : "ZPOPMIN"u8).Arg(ctx.Arg(3 + i)).Arg(popped);
                }
                return;
            }
        }
        BlockOrGiveUp(ctx, 3, numKeys, deadline, max, count);
    }

    /// <summary>Nothing to pop: wait for one of the keys (see <see cref="BlockingRegistry"/>), or inside EXEC reply as on a timeout.</summary>
    private static void BlockOrGiveUp(CommandContext ctx, int firstKey, int keyCount, long deadline, bool max, long count)
    {
        if (ctx.Session.DenyBlocking)
        {
            ctx.Reply.WriteNullArray();
            return;
        }
        var keys = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++)
        {
            keys[i] = ctx.Args.ToArray(firstKey + i);
        }
        ctx.Server.Blocking.Block(new BlockedClient(ctx.Session, ctx.Command, keys, deadline, ServeBlockedPop)
        {
            FromHead = !max,
            Count = count,
        });
    }

    /// <summary>Serves a client blocked in BZPOPMIN/BZPOPMAX (Count -1) or BZMPOP from a key that was just created.</summary>
    private static bool ServeBlockedPop(BlockedClient client, Database db, byte[] key, long nowMs)
    {
        if (db.Find(key, nowMs)?.Value is not SortedSet set || set.Count == 0)
        {
            return false;
        }
        bool nested = client.Count != -1;
        int popped = PopFrom(client.Session.Context, client.Reply, db, key, set, max: !client.FromHead, emitKey: true, client.Count, nested);
        Propagation.PropagationStream propagation = client.Session.Server.Propagation;
        if (propagation.Active)
        {
            ReadOnlySpan<byte> name = client.FromHead ? "ZPOPMIN"u8 : "ZPOPMAX"u8;
            if (nested)
            {
                propagation.Also(db.Index, 3).Arg(name).Arg(key).Arg(popped);
            }
            else
            {
                propagation.Also(db.Index, 2).Arg(name).Arg(key);
            }
        }
        return true;
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
