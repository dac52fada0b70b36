using Amber.Keyspace;
using Amber.Notifications;
using Amber.Protocol;
using Amber.Types;

namespace Amber.Commands;

/// <summary>The set commands, over <see cref="SetValue"/>. A key never holds an empty set.</summary>
internal static class SetCommands
{
    [ThreadStatic]
    private static List<int>? t_scratch;

    public static void Register(CommandTable t)
    {
        const CommandFlags R = CommandFlags.ReadOnly | CommandFlags.Fast;
        t.Add(new("sadd", -3, CommandFlags.Write | CommandFlags.DenyOom | CommandFlags.Fast, 1, 1, 1, "write set fast", SAdd) { Group = "set", Summary = "Adds members to a set, creating it if needed." });
        t.Add(new("srem", -3, CommandFlags.Write | CommandFlags.Fast, 1, 1, 1, "write set fast", SRem) { Group = "set", Summary = "Removes members from a set." });
        t.Add(new("smembers", 2, CommandFlags.ReadOnly, 1, 1, 1, "read set slow", SMembers) { Group = "set", Summary = "Returns every member of a set." });
        t.Add(new("sismember", 3, R, 1, 1, 1, "read set fast", SIsMember) { Group = "set", Summary = "Tells whether a value is a member of a set." });
        t.Add(new("smismember", -3, R, 1, 1, 1, "read set fast", SMIsMember) { Group = "set", Since = "6.2.0", Summary = "Tells for each of several values whether it is a member of a set." });
        t.Add(new("scard", 2, R, 1, 1, 1, "read set fast", SCard) { Group = "set", Summary = "Returns the number of members of a set." });
        t.Add(new("spop", -2, CommandFlags.Write | CommandFlags.Fast, 1, 1, 1, "write set fast", SPop) { Group = "set", Summary = "Removes and returns random members of a set." });
        t.Add(new("srandmember", -2, CommandFlags.ReadOnly, 1, 1, 1, "read set slow", SRandMember) { Group = "set", Summary = "Returns random members of a set, distinct or (negative count) with repeats." });
        t.Add(new("smove", 4, CommandFlags.Write | CommandFlags.Fast, 1, 2, 1, "write set fast", SMove) { Group = "set", Summary = "Moves a member from one set to another." });
        t.Add(new("sinter", -2, CommandFlags.ReadOnly, 1, -1, 1, "read set slow", SInter) { Group = "set", Summary = "Returns the intersection of sets." });
        t.Add(new("sintercard", -3, CommandFlags.ReadOnly | CommandFlags.MovableKeys, 0, 0, 0, "read set slow", SInterCard) { Group = "set", Since = "7.0.0", Summary = "Returns the size of the intersection of sets, optionally stopping at a limit.", KeyFinder = NumKeysFinder });
        t.Add(new("sunion", -2, CommandFlags.ReadOnly, 1, -1, 1, "read set slow", SUnion) { Group = "set", Summary = "Returns the union of sets." });
        t.Add(new("sdiff", -2, CommandFlags.ReadOnly, 1, -1, 1, "read set slow", SDiff) { Group = "set", Summary = "Returns the members of the first set that are in none of the others." });
        t.Add(new("sinterstore", -3, CommandFlags.Write | CommandFlags.DenyOom, 1, -1, 1, "write set slow", SInterStore) { Group = "set", Summary = "Stores the intersection of sets in a key." });
        t.Add(new("sunionstore", -3, CommandFlags.Write | CommandFlags.DenyOom, 1, -1, 1, "write set slow", SUnionStore) { Group = "set", Summary = "Stores the union of sets in a key." });
        t.Add(new("sdiffstore", -3, CommandFlags.Write | CommandFlags.DenyOom, 1, -1, 1, "write set slow", SDiffStore) { Group = "set", Summary = "Stores the difference of sets in a key." });
        t.Add(new("sscan", -3, CommandFlags.ReadOnly, 1, 1, 1, "read set slow", SScan) { Group = "set", Since = "2.8.0", Summary = "Iterates the members of a set with a cursor." });
    }

    /// <summary>Keys of "numkeys key [key ...]" commands (SINTERCARD): numkeys is argument 1.</summary>
    private static bool NumKeysFinder(ArgList args, List<int> keys)
    {
        if (args.Count < 2 || !CommandContext.TryParseLong(args[1], out long n) || n < 1 || n > args.Count - 2)
        {
            return false;
        }
        for (int i = 0; i < n; i++)
        {
            keys.Add(2 + i);
        }
        return true;
    }

    /// <summary>Looks a set up for reading (counts keyspace hits/misses); false after replying WRONGTYPE.</summary>
    internal static bool TryGetSet(CommandContext ctx, ReadOnlySpan<byte> key, out SetValue? set)
    {
        Entry? e = ctx.Db.Find(key, ctx.NowMs);
        set = null;
        if (e == null)
        {
            ctx.Server.Stats.KeyspaceMisses++;
            ctx.KeyMissed(key);
            return true;
        }
        ctx.Server.Stats.KeyspaceHits++;
        if (e.Value is SetValue s)
        {
            set = s;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    /// <summary>Looks a set up for writing (no hit/miss statistics); false after replying WRONGTYPE.</summary>
    private static bool TryGetSetForWrite(CommandContext ctx, ReadOnlySpan<byte> key, out SetValue? set)
    {
        Entry? e = ctx.Db.Find(key, ctx.NowMs);
        set = null;
        if (e == null)
        {
            return true;
        }
        if (e.Value is SetValue s)
        {
            set = s;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    private static int MaxIntset(CommandContext ctx) => (int)Math.Min(ctx.Server.Config.SetMaxIntsetEntries, int.MaxValue);

    private static void WriteMembers(CommandContext ctx, SetValue? set)
    {
        int count = set?.Count ?? 0;
        ctx.Reply.WriteSetHeader(count);
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        for (int i = 0; i < count; i++)
        {
            ctx.Reply.WriteBulkString(set!.MemberAt(i, scratch));
        }
    }

    private static void SAdd(CommandContext ctx)
    {
        if (!TryGetSetForWrite(ctx, ctx.Arg(1), out SetValue? set))
        {
            return;
        }
        if (set == null)
        {
            set = SetValue.CreateFor(ctx.Arg(2));
            ctx.Db.Add(ctx.Args.ToArray(1), set);
        }
        int max = MaxIntset(ctx);
        long added = 0;
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (set.Add(ctx.Arg(i), max))
            {
                added++;
            }
        }
        if (added > 0)
        {
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Set, "sadd", added);
        }
        ctx.Reply.WriteInteger(added);
    }

    private static void SRem(CommandContext ctx)
    {
        if (!TryGetSetForWrite(ctx, ctx.Arg(1), out SetValue? set))
        {
            return;
        }
        long removed = 0;
        bool keyRemoved = false;
        if (set != null)
        {
            for (int i = 2; i < ctx.ArgCount; i++)
            {
                if (set.Remove(ctx.Arg(i)))
                {
                    removed++;
                    if (set.Count == 0)
                    {
                        ctx.Db.Delete(ctx.Arg(1));
                        keyRemoved = true;
                        break;
                    }
                }
            }
        }
        if (removed > 0)
        {
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Set, "srem", removed);
            if (keyRemoved)
            {
                ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "del", 0);
            }
        }
        ctx.Reply.WriteInteger(removed);
    }

    private static void SMembers(CommandContext ctx)
    {
        if (TryGetSet(ctx, ctx.Arg(1), out SetValue? set))
        {
            WriteMembers(ctx, set);
        }
    }

    private static void SIsMember(CommandContext ctx)
    {
        if (TryGetSet(ctx, ctx.Arg(1), out SetValue? set))
        {
            ctx.Reply.WriteInteger(set != null && set.Contains(ctx.Arg(2)) ? 1 : 0);
        }
    }

    private static void SMIsMember(CommandContext ctx)
    {
        if (!TryGetSet(ctx, ctx.Arg(1), out SetValue? set))
        {
            return;
        }
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            ctx.Reply.WriteInteger(set != null && set.Contains(ctx.Arg(i)) ? 1 : 0);
        }
    }

    private static void SCard(CommandContext ctx)
    {
        if (TryGetSet(ctx, ctx.Arg(1), out SetValue? set))
        {
            ctx.Reply.WriteInteger(set?.Count ?? 0);
        }
    }

    private static void SPop(CommandContext ctx)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.SyntaxError();
            return;
        }
        long count = 1;
        bool withCount = ctx.ArgCount == 3;
        if (withCount && (!CommandContext.TryParseLong(ctx.Arg(2), out count) || count < 0))
        {
            ctx.Error(Errors.MustBePositive);
            return;
        }
        if (!TryGetSetForWrite(ctx, ctx.Arg(1), out SetValue? set))
        {
            return;
        }
        if (set == null || (withCount && count == 0))
        {
            if (withCount)
            {
                ctx.Reply.WriteSetHeader(0);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        Random random = ctx.Server.Random;
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        if (!withCount)
        {
            int i = random.Next(set.Count);
            ctx.Reply.WriteBulkString(set.MemberAt(i, scratch));
            if (ctx.Propagating)
            {
                // The member picked at random, so the copy removes the same one.
                ctx.PropagateAs(3).Arg("SREM"u8).Arg(ctx.Arg(1)).Arg(set.MemberAt(i, scratch));
            }
            set.RemoveAt(i);
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Set, "spop");
            DropIfEmpty(ctx, set);
            return;
        }
        if (count >= set.Count)
        {
            // Redis 7.0.15 counts the members popped (the whole set), not the requested count.
            long size = set.Count;
            WriteMembers(ctx, set);
            ctx.Db.Delete(ctx.Arg(1));
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Set, "spop", size);
            ctx.KeyEvent(ctx.Arg(1), NotifyFlags.Generic, "del");
            if (ctx.Propagating)
            {
                ctx.PropagateAs(2).Arg("DEL"u8).Arg(ctx.Arg(1));
            }
            return;
        }
        ctx.Reply.WriteSetHeader(count);
        bool propagating = ctx.Propagating;
        for (long n = 0; n < count; n++)
        {
            int i = random.Next(set.Count);
            ReadOnlySpan<byte> member = set.MemberAt(i, scratch);
            ctx.Reply.WriteBulkString(member);
            if (propagating)
            {
                // As Redis 7.0: one SREM per popped member (the unit is then wrapped in MULTI/EXEC).
                ctx.AlsoPropagate(3).Arg("SREM"u8).Arg(ctx.Arg(1)).Arg(member);
            }
            set.RemoveAt(i);
        }
        ctx.SuppressPropagation();
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Set, "spop", count);
    }

    /// <summary>Deletes the key at argument 1 once its set is empty, with the generic "del" event.</summary>
    private static void DropIfEmpty(CommandContext ctx, SetValue set)
    {
        if (set.Count == 0)
        {
            ctx.Db.Delete(ctx.Arg(1));
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "del", 0);
        }
    }

    private static void SRandMember(CommandContext ctx)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.SyntaxError();
            return;
        }
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        if (ctx.ArgCount == 2)
        {
            if (!TryGetSet(ctx, ctx.Arg(1), out SetValue? one))
            {
                return;
            }
            if (one == null)
            {
                ctx.Reply.WriteNull();
                return;
            }
            ctx.Reply.WriteBulkString(one.MemberAt(ctx.Server.Random.Next(one.Count), scratch));
            return;
        }
        if (!HashCommands.TryParseRandomCount(ctx, 2, out long requested) || !TryGetSet(ctx, ctx.Arg(1), out SetValue? set))
        {
            return;
        }
        if (set == null || requested == 0)
        {
            ctx.Reply.WriteEmptyArray();
            return;
        }
        Random random = ctx.Server.Random;
        int size = set.Count;
        if (requested < 0)
        {
            long count = -requested;
            ctx.Reply.WriteArrayHeader(count);
            for (long n = 0; n < count; n++)
            {
                ctx.Reply.WriteBulkString(set.MemberAt(random.Next(size), scratch));
            }
            return;
        }
        if (requested >= size)
        {
            ctx.Reply.WriteArrayHeader(size);
            for (int i = 0; i < size; i++)
            {
                ctx.Reply.WriteBulkString(set.MemberAt(i, scratch));
            }
            return;
        }
        int wanted = (int)requested;
        int[] picks = RandomPicks.RentDistinct(random, size, wanted);
        ctx.Reply.WriteArrayHeader(wanted);
        for (int i = 0; i < wanted; i++)
        {
            ctx.Reply.WriteBulkString(set.MemberAt(picks[i], scratch));
        }
        RandomPicks.Return(picks);
    }

    private static void SMove(CommandContext ctx)
    {
        Entry? src = ctx.Db.Find(ctx.Arg(1), ctx.NowMs);
        Entry? dst = ctx.Db.Find(ctx.Arg(2), ctx.NowMs);
        if (src == null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (src.Value is not SetValue from || (dst != null && dst.Value is not SetValue))
        {
            ctx.WrongType();
            return;
        }
        ReadOnlySpan<byte> member = ctx.Arg(3);
        if (ReferenceEquals(src, dst))
        {
            ctx.Reply.WriteInteger(from.Contains(member) ? 1 : 0);
            return;
        }
        if (!from.Remove(member))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Set, "srem");
        DropIfEmpty(ctx, from);
        SetValue to;
        if (dst == null)
        {
            to = SetValue.CreateFor(member);
            ctx.Db.Add(ctx.Args.ToArray(2), to);
        }
        else
        {
            to = (SetValue)dst.Value!;
        }
        // The destination changes (and gets its event) only when the member was new there, as in Redis.
        if (to.Add(member, MaxIntset(ctx)))
        {
            ctx.KeyWritten(ctx.Arg(2), NotifyFlags.Set, "sadd");
        }
        ctx.Reply.WriteInteger(1);
    }

    /// <summary>
    /// Looks up the sets named by arguments [first, first+count): all are type-checked before anything else,
    /// as Redis does; a missing key is a null (empty) set. Null after replying WRONGTYPE.
    /// </summary>
    private static SetValue?[]? LookupSets(CommandContext ctx, int first, int count)
    {
        var sets = new SetValue?[count];
        for (int i = 0; i < count; i++)
        {
            if (!TryGetSet(ctx, ctx.Arg(first + i), out sets[i]))
            {
                return null;
            }
        }
        return sets;
    }

    private static void SInter(CommandContext ctx) => Intersect(ctx, 1, ctx.ArgCount - 1, store: false, cardinality: false, 0);

    private static void SInterStore(CommandContext ctx) => Intersect(ctx, 2, ctx.ArgCount - 2, store: true, cardinality: false, 0);

    private static void SInterCard(CommandContext ctx)
    {
        if (!CommandContext.TryParseLong(ctx.Arg(1), out long numKeys) || numKeys < 1)
        {
            ctx.Error(Errors.NumKeysNotPositive);
            return;
        }
        if (numKeys > ctx.ArgCount - 2)
        {
            ctx.Error(Errors.NumKeysTooMany);
            return;
        }
        long limit = 0;
        for (int i = 2 + (int)numKeys; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "limit") && i + 1 < ctx.ArgCount)
            {
                if (!CommandContext.TryParseLong(ctx.Arg(i + 1), out limit) || limit < 0)
                {
                    ctx.Error(Errors.LimitNegative);
                    return;
                }
                i++;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        Intersect(ctx, 2, (int)numKeys, store: false, cardinality: true, limit);
    }

    private static void Intersect(CommandContext ctx, int first, int count, bool store, bool cardinality, long limit)
    {
        SetValue?[]? sets = LookupSets(ctx, first, count);
        if (sets == null)
        {
            return;
        }
        bool anyMissing = false;
        foreach (SetValue? s in sets)
        {
            anyMissing |= s == null;
        }
        if (anyMissing)
        {
            if (store)
            {
                DeleteDestination(ctx);
                ctx.Reply.WriteInteger(0);
            }
            else if (cardinality)
            {
                ctx.Reply.WriteInteger(0);
            }
            else
            {
                ctx.Reply.WriteSetHeader(0);
            }
            return;
        }
        // Walk the smallest set, probing the others from smallest to largest (as Redis does).
        Array.Sort(sets, static (a, b) => a!.Count.CompareTo(b!.Count));
        SetValue smallest = sets[0]!;
        List<int> hits = t_scratch ??= [];
        hits.Clear();
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        for (int i = 0; i < smallest.Count; i++)
        {
            ReadOnlySpan<byte> member = smallest.MemberAt(i, scratch);
            bool inAll = true;
            for (int k = 1; k < sets.Length && inAll; k++)
            {
                inAll = sets[k]!.Contains(member);
            }
            if (inAll)
            {
                hits.Add(i);
                if (cardinality && limit > 0 && hits.Count >= limit)
                {
                    break;
                }
            }
        }
        if (cardinality)
        {
            ctx.Reply.WriteInteger(hits.Count);
        }
        else if (store)
        {
            SetValue result = SetValue.CreateIntSet();
            int max = MaxIntset(ctx);
            foreach (int i in hits)
            {
                result.Add(smallest.MemberAt(i, scratch), max);
            }
            Store(ctx, result, "sinterstore");
        }
        else
        {
            ctx.Reply.WriteSetHeader(hits.Count);
            foreach (int i in hits)
            {
                ctx.Reply.WriteBulkString(smallest.MemberAt(i, scratch));
            }
        }
        if (hits.Capacity > 4096)
        {
            t_scratch = null;
        }
    }

    /// <summary>Stores a computed set at argument 1 (replacing any value and time to live) or deletes the key when empty; replies the size.</summary>
    private static void Store(CommandContext ctx, SetValue result, string eventName)
    {
        if (result.Count == 0)
        {
            DeleteDestination(ctx);
        }
        else
        {
            ctx.Db.Set(ctx.Arg(1), result, ctx.NowMs);
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Set, eventName);
        }
        ctx.Reply.WriteInteger(result.Count);
    }

    /// <summary>An empty result deletes the destination (a change only if it existed).</summary>
    private static void DeleteDestination(CommandContext ctx)
    {
        if (ctx.Db.Delete(ctx.Arg(1)))
        {
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "del");
        }
    }

    private static void SUnion(CommandContext ctx) => UnionOrDiff(ctx, 1, diff: false, store: false);

    private static void SUnionStore(CommandContext ctx) => UnionOrDiff(ctx, 2, diff: false, store: true);

    private static void SDiff(CommandContext ctx) => UnionOrDiff(ctx, 1, diff: true, store: false);

    private static void SDiffStore(CommandContext ctx) => UnionOrDiff(ctx, 2, diff: true, store: true);

    private static void UnionOrDiff(CommandContext ctx, int first, bool diff, bool store)
    {
        SetValue?[]? sets = LookupSets(ctx, first, ctx.ArgCount - first);
        if (sets == null)
        {
            return;
        }
        SetValue result = SetValue.CreateIntSet();
        int max = MaxIntset(ctx);
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        if (diff)
        {
            SetValue? head = sets[0];
            for (int i = 0; head != null && i < head.Count; i++)
            {
                ReadOnlySpan<byte> member = head.MemberAt(i, scratch);
                bool elsewhere = false;
                for (int k = 1; k < sets.Length && !elsewhere; k++)
                {
                    elsewhere = sets[k]?.Contains(member) == true;
                }
                if (!elsewhere)
                {
                    result.Add(member, max);
                }
            }
        }
        else
        {
            foreach (SetValue? s in sets)
            {
                for (int i = 0; s != null && i < s.Count; i++)
                {
                    result.Add(s.MemberAt(i, scratch), max);
                }
            }
        }
        if (store)
        {
            Store(ctx, result, diff ? "sdiffstore" : "sunionstore");
        }
        else
        {
            WriteMembers(ctx, result);
        }
    }

    private static void SScan(CommandContext ctx)
    {
        if (!CollectionScan.TryParseCursor(ctx.Arg(2), out ulong cursor))
        {
            ctx.Error(Errors.InvalidCursor);
            return;
        }
        if (!TryGetSet(ctx, ctx.Arg(1), out SetValue? set))
        {
            return;
        }
        if (set == null)
        {
            CollectionScan.WriteEmpty(ctx);
            return;
        }
        if (!CollectionScan.TryParseOptions(ctx, 3, out long count, out int pattern))
        {
            return;
        }
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        List<int> found = t_scratch ??= [];
        found.Clear();
        if (set.IsIntSet)
        {
            // An intset is returned whole in one call, with cursor 0, as Redis does.
            for (int i = 0; i < set.Count; i++)
            {
                found.Add(i);
            }
            cursor = 0;
        }
        else
        {
            long maxIterations = unchecked(count * 10);
            do
            {
                cursor = set.ScanStep(cursor, found);
            }
            while (cursor != 0 && maxIterations-- != 0 && found.Count < count);
        }
        int matched = 0;
        for (int k = 0; k < found.Count; k++)
        {
            int i = found[k];
            if (CollectionScan.Matches(ctx, pattern, set.MemberAt(i, scratch)))
            {
                found[matched++] = i;
            }
        }
        ctx.Reply.WriteArrayHeader(2);
        CollectionScan.WriteCursor(ctx, cursor);
        ctx.Reply.WriteArrayHeader(matched);
        for (int k = 0; k < matched; k++)
        {
            ctx.Reply.WriteBulkString(set.MemberAt(found[k], scratch));
        }
        if (found.Capacity > 4096)
        {
            t_scratch = null;
        }
    }
}
