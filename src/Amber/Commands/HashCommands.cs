using System.Buffers.Text;
using Amber.Keyspace;
using Amber.Notifications;
using Amber.Text;
using Amber.Types;

namespace Amber.Commands;

/// <summary>The hash commands, over <see cref="HashValue"/>. A key never holds an empty hash.</summary>
internal static class HashCommands
{
    [ThreadStatic]
    private static List<int>? t_scanScratch;

    public static void Register(CommandTable t)
    {
        const CommandFlags W = CommandFlags.Write | CommandFlags.DenyOom | CommandFlags.Fast;
        const CommandFlags R = CommandFlags.ReadOnly | CommandFlags.Fast;
        t.Add(new("hset", -4, W, 1, 1, 1, "write hash fast", HSet) { Group = "hash", Since = "2.0.0", Summary = "Sets fields of a hash, creating it if needed." });
        t.Add(new("hsetnx", 4, W, 1, 1, 1, "write hash fast", HSetNx) { Group = "hash", Since = "2.0.0", Summary = "Sets a hash field only when it does not exist yet." });
        t.Add(new("hmset", -4, W, 1, 1, 1, "write hash fast", HMSet) { Group = "hash", Since = "2.0.0", Summary = "Sets fields of a hash (older form of HSET that replies OK)." });
        t.Add(new("hget", 3, R, 1, 1, 1, "read hash fast", HGet) { Group = "hash", Since = "2.0.0", Summary = "Returns the value of one hash field." });
        t.Add(new("hmget", -3, R, 1, 1, 1, "read hash fast", HMGet) { Group = "hash", Since = "2.0.0", Summary = "Returns the values of several hash fields." });
        t.Add(new("hdel", -3, CommandFlags.Write | CommandFlags.Fast, 1, 1, 1, "write hash fast", HDel) { Group = "hash", Since = "2.0.0", Summary = "Removes fields from a hash." });
        t.Add(new("hexists", 3, R, 1, 1, 1, "read hash fast", HExists) { Group = "hash", Since = "2.0.0", Summary = "Tells whether a hash field exists." });
        t.Add(new("hlen", 2, R, 1, 1, 1, "read hash fast", HLen) { Group = "hash", Since = "2.0.0", Summary = "Returns the number of fields in a hash." });
        t.Add(new("hstrlen", 3, R, 1, 1, 1, "read hash fast", HStrLen) { Group = "hash", Since = "3.2.0", Summary = "Returns the length of a hash field's value." });
        t.Add(new("hkeys", 2, CommandFlags.ReadOnly, 1, 1, 1, "read hash slow", HKeys) { Group = "hash", Since = "2.0.0", Summary = "Returns every field name of a hash." });
        t.Add(new("hvals", 2, CommandFlags.ReadOnly, 1, 1, 1, "read hash slow", HVals) { Group = "hash", Since = "2.0.0", Summary = "Returns every value of a hash." });
        t.Add(new("hgetall", 2, CommandFlags.ReadOnly, 1, 1, 1, "read hash slow", HGetAll) { Group = "hash", Since = "2.0.0", Summary = "Returns every field and value of a hash." });
        t.Add(new("hincrby", 4, W, 1, 1, 1, "write hash fast", HIncrBy) { Group = "hash", Since = "2.0.0", Summary = "Adds an integer to a hash field's value." });
        t.Add(new("hincrbyfloat", 4, W, 1, 1, 1, "write hash fast", HIncrByFloat) { Group = "hash", Since = "2.6.0", Summary = "Adds a floating point number to a hash field's value." });
        t.Add(new("hrandfield", -2, CommandFlags.ReadOnly, 1, 1, 1, "read hash slow", HRandField) { Group = "hash", Since = "6.2.0", Summary = "Returns random fields of a hash, optionally with values." });
        t.Add(new("hscan", -3, CommandFlags.ReadOnly, 1, 1, 1, "read hash slow", HScan) { Group = "hash", Since = "2.8.0", Summary = "Iterates the fields and values of a hash with a cursor." });
    }

    /// <summary>Looks a hash up for reading (counts keyspace hits/misses); false after replying WRONGTYPE.</summary>
    internal static bool TryGetHash(CommandContext ctx, ReadOnlySpan<byte> key, out HashValue? hash)
    {
        Entry? e = ctx.Db.Find(key, ctx.NowMs);
        hash = null;
        if (e == null)
        {
            ctx.Server.Stats.KeyspaceMisses++;
            ctx.KeyMissed(key);
            return true;
        }
        ctx.Server.Stats.KeyspaceHits++;
        if (e.Value is HashValue h)
        {
            hash = h;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    /// <summary>Looks a hash up for writing (no hit/miss statistics); false after replying WRONGTYPE.</summary>
    private static bool TryGetHashForWrite(CommandContext ctx, ReadOnlySpan<byte> key, out HashValue? hash)
    {
        Entry? e = ctx.Db.Find(key, ctx.NowMs);
        hash = null;
        if (e == null)
        {
            return true;
        }
        if (e.Value is HashValue h)
        {
            hash = h;
            return true;
        }
        ctx.WrongType();
        return false;
    }

    /// <summary>The hash at the key, created empty in the current database if absent; null after replying WRONGTYPE.</summary>
    private static HashValue? GetOrCreate(CommandContext ctx, ReadOnlySpan<byte> key)
    {
        if (!TryGetHashForWrite(ctx, key, out HashValue? hash))
        {
            return null;
        }
        if (hash == null)
        {
            hash = new HashValue();
            ctx.Db.Add(key.ToArray(), hash);
        }
        return hash;
    }

    private static int MaxEntries(CommandContext ctx) => (int)Math.Min(ctx.Server.Config.HashMaxListpackEntries, int.MaxValue);

    private static int MaxValue(CommandContext ctx) => (int)Math.Min(ctx.Server.Config.HashMaxListpackValue, int.MaxValue);

    private static void HSet(CommandContext ctx)
    {
        long added = SetPairs(ctx);
        if (added >= 0)
        {
            ctx.Reply.WriteInteger(added);
        }
    }

    private static void HMSet(CommandContext ctx)
    {
        if (SetPairs(ctx) >= 0)
        {
            ctx.Reply.WriteOk();
        }
    }

    /// <summary>HSET/HMSET body: returns the number of new fields, or -1 after replying an error.</summary>
    private static long SetPairs(CommandContext ctx)
    {
        if (ctx.ArgCount % 2 == 1)
        {
            ctx.WrongArgs();
            return -1;
        }
        HashValue? hash = GetOrCreate(ctx, ctx.Arg(1));
        if (hash == null)
        {
            return -1;
        }
        long added = hash.SetPairs(new ArgumentPairs(ctx, 2), MaxEntries(ctx), MaxValue(ctx));
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Hash, "hset", (ctx.ArgCount - 2) / 2);
        return added;
    }

    private static void HSetNx(CommandContext ctx)
    {
        HashValue? hash = GetOrCreate(ctx, ctx.Arg(1));
        if (hash == null)
        {
            return;
        }
        if (hash.Contains(ctx.Arg(2)))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        hash.Set(ctx.Arg(2), ctx.Arg(3), MaxEntries(ctx), MaxValue(ctx));
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Hash, "hset");
        ctx.Reply.WriteInteger(1);
    }

    private static void HGet(CommandContext ctx)
    {
        if (!TryGetHash(ctx, ctx.Arg(1), out HashValue? hash))
        {
            return;
        }
        if (hash != null && hash.TryGet(ctx.Arg(2), out ReadOnlySpan<byte> value))
        {
            ctx.Reply.WriteBulkString(value);
        }
        else
        {
            ctx.Reply.WriteNull();
        }
    }

    private static void HMGet(CommandContext ctx)
    {
        if (!TryGetHash(ctx, ctx.Arg(1), out HashValue? hash))
        {
            return;
        }
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            if (hash != null && hash.TryGet(ctx.Arg(i), out ReadOnlySpan<byte> value))
            {
                ctx.Reply.WriteBulkString(value);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
        }
    }

    private static void HDel(CommandContext ctx)
    {
        if (!TryGetHashForWrite(ctx, ctx.Arg(1), out HashValue? hash))
        {
            return;
        }
        long deleted = 0;
        bool keyRemoved = false;
        if (hash != null)
        {
            for (int i = 2; i < ctx.ArgCount; i++)
            {
                if (hash.Delete(ctx.Arg(i)))
                {
                    deleted++;
                    if (hash.Count == 0)
                    {
                        ctx.Db.Delete(ctx.Arg(1));
                        keyRemoved = true;
                        break;
                    }
                }
            }
        }
        if (deleted > 0)
        {
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Hash, "hdel", deleted);
            if (keyRemoved)
            {
                ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "del", 0);
            }
        }
        ctx.Reply.WriteInteger(deleted);
    }

    private static void HExists(CommandContext ctx)
    {
        if (TryGetHash(ctx, ctx.Arg(1), out HashValue? hash))
        {
            ctx.Reply.WriteInteger(hash != null && hash.Contains(ctx.Arg(2)) ? 1 : 0);
        }
    }

    private static void HLen(CommandContext ctx)
    {
        if (TryGetHash(ctx, ctx.Arg(1), out HashValue? hash))
        {
            ctx.Reply.WriteInteger(hash?.Count ?? 0);
        }
    }

    private static void HStrLen(CommandContext ctx)
    {
        if (TryGetHash(ctx, ctx.Arg(1), out HashValue? hash))
        {
            ctx.Reply.WriteInteger(hash != null && hash.TryGet(ctx.Arg(2), out ReadOnlySpan<byte> value) ? value.Length : 0);
        }
    }

    private static void HKeys(CommandContext ctx) => WriteAll(ctx, fields: true, values: false);

    private static void HVals(CommandContext ctx) => WriteAll(ctx, fields: false, values: true);

    private static void HGetAll(CommandContext ctx) => WriteAll(ctx, fields: true, values: true);

    private static void WriteAll(CommandContext ctx, bool fields, bool values)
    {
        if (!TryGetHash(ctx, ctx.Arg(1), out HashValue? hash))
        {
            return;
        }
        int count = hash?.Count ?? 0;
        if (fields && values)
        {
            ctx.Reply.WriteMapHeader(count);
        }
        else
        {
            ctx.Reply.WriteArrayHeader(count);
        }
        if (hash == null)
        {
            return;
        }
        HashValue.PairEnumerator e = hash.GetEnumerator();
        while (e.MoveNext())
        {
            if (fields)
            {
                ctx.Reply.WriteBulkString(e.Field);
            }
            if (values)
            {
                ctx.Reply.WriteBulkString(e.Value);
            }
        }
    }

    private static void HIncrBy(CommandContext ctx)
    {
        if (!ctx.TryGetLong(3, out long increment))
        {
            return;
        }
        HashValue? hash = GetOrCreate(ctx, ctx.Arg(1));
        if (hash == null)
        {
            return;
        }
        long current = 0;
        if (hash.TryGet(ctx.Arg(2), out ReadOnlySpan<byte> old) && !CommandContext.TryParseLong(old, out current))
        {
            ctx.Error(Errors.HashValueNotInteger);
            return;
        }
        if ((increment < 0 && current < 0 && increment < long.MinValue - current) ||
            (increment > 0 && current > 0 && increment > long.MaxValue - current))
        {
            ctx.Error(Errors.Overflow);
            return;
        }
        long result = current + increment;
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(result, text, out int n);
        hash.Set(ctx.Arg(2), text[..n], MaxEntries(ctx), MaxValue(ctx));
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Hash, "hincrby");
        ctx.Reply.WriteInteger(result);
    }

    private static void HIncrByFloat(CommandContext ctx)
    {
        if (!LongDouble.TryParse(ctx.Arg(3), out LongDouble increment))
        {
            ctx.Error(Errors.NotFloat);
            return;
        }
        if (increment.IsInfinity)
        {
            ctx.Error(Errors.NanOrInfinity);
            return;
        }
        HashValue? hash = GetOrCreate(ctx, ctx.Arg(1));
        if (hash == null)
        {
            return;
        }
        LongDouble current = LongDouble.Zero;
        if (hash.TryGet(ctx.Arg(2), out ReadOnlySpan<byte> old) && !LongDouble.TryParse(old, out current))
        {
            ctx.Error(Errors.HashValueNotFloat);
            return;
        }
        if (!LongDouble.TryAdd(current, increment, out LongDouble sum))
        {
            ctx.Error(Errors.IncrFloatNaN);
            return;
        }
        byte[] text = sum.ToHumanBytes();
        hash.Set(ctx.Arg(2), text, MaxEntries(ctx), MaxValue(ctx));
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Hash, "hincrbyfloat");
        if (ctx.Propagating)
        {
            ctx.PropagateAs(4).Arg("HSET"u8).Arg(ctx.Arg(1)).Arg(ctx.Arg(2)).Arg(text);
        }
        ctx.Reply.WriteBulkString(text);
    }

    private static void HRandField(CommandContext ctx)
    {
        if (ctx.ArgCount >= 3)
        {
            HRandFieldWithCount(ctx);
            return;
        }
        if (!TryGetHash(ctx, ctx.Arg(1), out HashValue? hash))
        {
            return;
        }
        if (hash == null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        int[]? index = hash.RentIndex();
        hash.GetPair(ctx.Server.Random.Next(hash.Count), index, out ReadOnlySpan<byte> field, out _);
        ctx.Reply.WriteBulkString(field);
        HashValue.ReturnIndex(index);
    }

    private static void HRandFieldWithCount(CommandContext ctx)
    {
        if (!TryParseRandomCount(ctx, 2, out long requested))
        {
            return;
        }
        bool withValues = false;
        if (ctx.ArgCount > 4 || (ctx.ArgCount == 4 && !ctx.ArgIs(3, "withvalues")))
        {
            ctx.SyntaxError();
            return;
        }
        if (ctx.ArgCount == 4)
        {
            withValues = true;
            if (requested < -long.MaxValue / 2 || requested > long.MaxValue / 2)
            {
                ctx.Error(Errors.ValueOutOfRange);
                return;
            }
        }
        if (!TryGetHash(ctx, ctx.Arg(1), out HashValue? hash))
        {
            return;
        }
        if (hash == null || requested == 0)
        {
            ctx.Reply.WriteEmptyArray();
            return;
        }
        Random random = ctx.Server.Random;
        int size = hash.Count;
        int[]? index = hash.RentIndex();
        try
        {
            if (requested < 0)
            {
                long count = -requested;
                WriteRandomHeader(ctx, count, withValues);
                for (long i = 0; i < count; i++)
                {
                    WriteRandomPair(ctx, hash, random.Next(size), index, withValues);
                }
            }
            else if (requested >= size)
            {
                WriteRandomHeader(ctx, size, withValues);
                for (int i = 0; i < size; i++)
                {
                    WriteRandomPair(ctx, hash, i, index, withValues);
                }
            }
            else
            {
                int count = (int)requested;
                WriteRandomHeader(ctx, count, withValues);
                int[] picks = RandomPicks.RentDistinct(random, size, count);
                for (int i = 0; i < count; i++)
                {
                    WriteRandomPair(ctx, hash, picks[i], index, withValues);
                }
                RandomPicks.Return(picks);
            }
        }
        finally
        {
            HashValue.ReturnIndex(index);
        }
    }

    /// <summary>Parses a random-pick count in [-LONG_MAX, LONG_MAX] as HRANDFIELD/SRANDMEMBER do.</summary>
    internal static bool TryParseRandomCount(CommandContext ctx, int arg, out long count)
    {
        if (!ctx.TryGetLong(arg, out count))
        {
            return false;
        }
        if (count == long.MinValue)
        {
            ctx.Error(Errors.ValueOutOfLongRange);
            return false;
        }
        return true;
    }

    private static void WriteRandomHeader(CommandContext ctx, long count, bool withValues) =>
        ctx.Reply.WriteArrayHeader(withValues && !ctx.Reply.IsResp3 ? count * 2 : count);

    private static void WriteRandomPair(CommandContext ctx, HashValue hash, int i, int[]? index, bool withValues)
    {
        hash.GetPair(i, index, out ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value);
        if (withValues && ctx.Reply.IsResp3)
        {
            ctx.Reply.WriteArrayHeader(2);
        }
        ctx.Reply.WriteBulkString(field);
        if (withValues)
        {
            ctx.Reply.WriteBulkString(value);
        }
    }

    private static void HScan(CommandContext ctx)
    {
        if (!CollectionScan.TryParseCursor(ctx.Arg(2), out ulong cursor))
        {
            ctx.Error(Errors.InvalidCursor);
            return;
        }
        if (!TryGetHash(ctx, ctx.Arg(1), out HashValue? hash))
        {
            return;
        }
        if (hash == null)
        {
            CollectionScan.WriteEmpty(ctx);
            return;
        }
        if (!CollectionScan.TryParseOptions(ctx, 3, out long count, out int pattern))
        {
            return;
        }
        ByteTable? table = hash.Table;
        if (table == null)
        {
            // A listpack is returned whole in one call, with cursor 0, as Redis does.
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteBulkString("0"u8);
            int header = ctx.Reply.BeginDeferredArray();
            long written = 0;
            HashValue.PairEnumerator e = hash.GetEnumerator();
            while (e.MoveNext())
            {
                if (CollectionScan.Matches(ctx, pattern, e.Field))
                {
                    ctx.Reply.WriteBulkString(e.Field);
                    ctx.Reply.WriteBulkString(e.Value);
                    written += 2;
                }
            }
            ctx.Reply.EndDeferredArray(header, written);
            return;
        }
        List<int> found = t_scanScratch ??= [];
        found.Clear();
        // As Redis: COUNT counts fields and values, and at most ten bucket visits per counted element
        // (a C long that wraps for absurd counts, and only zero ends the loop).
        long wanted = unchecked(count * 2);
        long maxIterations = unchecked(wanted * 10);
        do
        {
            cursor = table.Scan(cursor, found);
        }
        while (cursor != 0 && maxIterations-- != 0 && (ulong)found.Count * 2 < (ulong)wanted);
        ctx.Reply.WriteArrayHeader(2);
        CollectionScan.WriteCursor(ctx, cursor);
        int matched = 0;
        for (int k = 0; k < found.Count; k++)
        {
            int i = found[k];
            if (CollectionScan.Matches(ctx, pattern, table.KeyAt(i)))
            {
                found[matched++] = i;
            }
        }
        ctx.Reply.WriteArrayHeader(matched * 2L);
        for (int k = 0; k < matched; k++)
        {
            ctx.Reply.WriteBulkString(table.PairAt(found[k], out ReadOnlySpan<byte> value));
            ctx.Reply.WriteBulkString(value);
        }
        if (found.Capacity > 4096)
        {
            t_scanScratch = null;
        }
    }

    /// <summary>A command's arguments from <c>first</c> on, as field/value pairs.</summary>
    private readonly struct ArgumentPairs(CommandContext ctx, int first) : IFieldValuePairs
    {
        public int Count => (ctx.ArgCount - first) / 2;

        public ReadOnlySpan<byte> Field(int index) => ctx.Arg(first + (2 * index));

        public ReadOnlySpan<byte> Value(int index) => ctx.Arg(first + (2 * index) + 1);
    }
}
