using Amber.Keyspace;
using Amber.Notifications;
using Amber.Propagation;

namespace Amber.Commands;

/// <summary>
/// The string commands. A string value is stored in its key's array (<see cref="Entry.StringValue"/>);
/// SETRANGE, SETBIT, BITFIELD and APPEND modify it in place with free space to grow (<see cref="Entry.GrowString"/>),
/// as Redis modifies its sds.
/// Counters live in <see cref="CounterCommands"/>, bitmaps in <see cref="BitCommands"/> and
/// <see cref="BitfieldCommand"/>, LCS in <see cref="LcsCommand"/>.
/// </summary>
internal static class StringCommands
{
    public static void Register(CommandTable t)
    {
        const CommandFlags Read = CommandFlags.ReadOnly;
        const CommandFlags Write = CommandFlags.Write | CommandFlags.DenyOom;
        const CommandFlags Fast = CommandFlags.Fast;
        t.Add(new("get", 2, Read | Fast, 1, 1, 1, "read string fast", Get) { Group = "string", Complexity = "O(1)", Summary = "Returns the string value of a key." });
        t.Add(new("set", -3, Write, 1, 1, 1, "write string slow", Set) { Group = "string", Complexity = "O(1)", Summary = "Sets the string value of a key, optionally with an expiry and conditions." });
        t.Add(new("setnx", 3, Write | Fast, 1, 1, 1, "write string fast", SetNx) { Group = "string", Complexity = "O(1)", Summary = "Sets a key only when it does not exist." });
        t.Add(new("setex", 4, Write, 1, 1, 1, "write string slow", SetEx) { Group = "string", Since = "2.0.0", Complexity = "O(1)", Summary = "Sets a key with a time to live in seconds." });
        t.Add(new("psetex", 4, Write, 1, 1, 1, "write string slow", PSetEx) { Group = "string", Since = "2.6.0", Complexity = "O(1)", Summary = "Sets a key with a time to live in milliseconds." });
        t.Add(new("mget", -2, Read | Fast, 1, -1, 1, "read string fast", MGet) { Group = "string", Complexity = "O(N) for N keys", Summary = "Returns the values of several keys." });
        t.Add(new("mset", -3, Write, 1, -1, 2, "write string slow", MSet) { Group = "string", Since = "1.0.1", Complexity = "O(N) for N keys", Summary = "Sets several keys at once." });
        t.Add(new("msetnx", -3, Write, 1, -1, 2, "write string slow", MSetNx) { Group = "string", Since = "1.0.1", Complexity = "O(N) for N keys", Summary = "Sets several keys only when none of them exists." });
        t.Add(new("getset", 3, Write | Fast, 1, 1, 1, "write string fast", GetSet) { Group = "string", Complexity = "O(1)", Summary = "Sets a key and returns its previous value." });
        t.Add(new("getdel", 2, CommandFlags.Write | Fast, 1, 1, 1, "write string fast", GetDel) { Group = "string", Since = "6.2.0", Complexity = "O(1)", Summary = "Returns a key's value and deletes the key." });
        t.Add(new("getex", -2, CommandFlags.Write | Fast, 1, 1, 1, "write string fast", GetEx) { Group = "string", Since = "6.2.0", Complexity = "O(1)", Summary = "Returns a key's value and changes or removes its expiry." });
        t.Add(new("append", 3, Write | Fast, 1, 1, 1, "write string fast", Append) { Group = "string", Since = "2.0.0", Complexity = "O(1) amortized: the string keeps free space to grow into", Summary = "Appends bytes to a string, creating it if needed." });
        t.Add(new("strlen", 2, Read | Fast, 1, 1, 1, "read string fast", StrLen) { Group = "string", Since = "2.2.0", Complexity = "O(1)", Summary = "Returns the length of a string." });
        t.Add(new("getrange", 4, Read, 1, 1, 1, "read string slow", GetRange) { Group = "string", Since = "2.4.0", Complexity = "O(N) in the returned length", Summary = "Returns a substring by byte offsets." });
        t.Add(new("setrange", 4, Write, 1, 1, 1, "write string slow", SetRange) { Group = "string", Since = "2.2.0", Complexity = "O(M) in the written length", Summary = "Overwrites part of a string at an offset, padding with zero bytes." });
        t.Add(new("substr", 4, Read, 1, 1, 1, "read string slow", GetRange) { Group = "string", Complexity = "O(N) in the returned length", Summary = "Returns a substring by byte offsets (old name of GETRANGE)." });
        CounterCommands.Register(t);
        BitCommands.Register(t);
        BitfieldCommand.Register(t);
        LcsCommand.Register(t);
    }

    /// <summary>Looks up a string; writes WRONGTYPE and returns false if the key holds another type.</summary>
    /// <remarks><paramref name="entry"/> is null when the key is missing; its value is <see cref="Entry.StringValue"/>.</remarks>
    internal static bool TryGetString(CommandContext ctx, ReadOnlySpan<byte> key, out Entry? entry)
    {
        entry = ctx.Db.Find(key, ctx.NowMs);
        if (entry == null)
        {
            ctx.Server.Stats.KeyspaceMisses++;
            ctx.KeyMissed(key);
            return true;
        }
        ctx.Server.Stats.KeyspaceHits++;
        if (entry.IsString)
        {
            return true;
        }
        ctx.WrongType();
        return false;
    }

    /// <summary>Like <see cref="TryGetString"/> for a command about to write: Redis's write lookups count no hits or misses.</summary>
    internal static bool TryGetStringForWrite(CommandContext ctx, ReadOnlySpan<byte> key, out Entry? entry)
    {
        entry = ctx.Db.Find(key, ctx.NowMs);
        if (entry == null || entry.IsString)
        {
            return true;
        }
        ctx.WrongType();
        return false;
    }

    /// <summary>The longest string a command may build: proto-max-bulk-len, and what a .NET array can hold.</summary>
    internal static long MaxStringLength(CommandContext ctx) => Math.Min(ctx.Server.Config.ProtoMaxBulkLen, Array.MaxLength - 16);

    /// <summary>Redis's checkStringLength: replies with the error when <paramref name="length"/> + <paramref name="append"/> is too long.</summary>
    internal static bool CheckStringLength(CommandContext ctx, long length, long append)
    {
        long max = MaxStringLength(ctx);
        if (length > max || append > max - length)
        {
            ctx.Error(Errors.StringTooLong);
            return false;
        }
        return true;
    }

    private static void Get(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), out Entry? entry))
        {
            return;
        }
        if (entry == null)
        {
            ctx.Reply.WriteNull();
        }
        else
        {
            ctx.Reply.WriteBulkString(entry.StringValue);
        }
    }

    private static void Set(CommandContext ctx)
    {
        if (ctx.ArgCount == 3)
        {
            ctx.Db.SetString(ctx.Arg(1), ctx.Arg(2), ctx.NowMs);
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.String, "set");
            ctx.Reply.WriteOk();
            return;
        }
        if (!SetOptions.TryParse(ctx, 3, forGetEx: false, out SetFlags flags, out int expireIndex))
        {
            return;
        }
        SetGeneric(ctx, flags, 2, expireIndex, "+OK\r\n"u8, default);
    }

    private static void SetNx(CommandContext ctx) => SetGeneric(ctx, SetFlags.Nx, 2, -1, ":1\r\n"u8, ":0\r\n"u8);

    private static void SetEx(CommandContext ctx) => SetGeneric(ctx, SetFlags.Ex, 3, 2, "+OK\r\n"u8, default);

    private static void PSetEx(CommandContext ctx) => SetGeneric(ctx, SetFlags.Px, 3, 2, "+OK\r\n"u8, default);

    /// <summary>
    /// Redis's setGenericCommand: validate the expiry, reply with the old value for GET, honour NX/XX
    /// (replying <paramref name="abortReply"/>, or null when empty), then set, keeping the TTL only for KEEPTTL.
    /// An expiry already in the past is stored as is and expires on the next access, as in Redis 7.0.
    /// </summary>
    private static void SetGeneric(CommandContext ctx, SetFlags flags, int valueIndex, int expireIndex, ReadOnlySpan<byte> okReply, ReadOnlySpan<byte> abortReply)
    {
        long expireAt = 0;
        if (expireIndex > 0 && !SetOptions.TryGetExpireAt(ctx, expireIndex, flags, out expireAt))
        {
            return;
        }
        ReadOnlySpan<byte> key = ctx.Arg(1);
        bool get = (flags & SetFlags.Get) != 0;
        if (get)
        {
            if (!TryGetString(ctx, key, out Entry? old))
            {
                return;
            }
            if (old == null)
            {
                ctx.Reply.WriteNull();
            }
            else
            {
                ctx.Reply.WriteBulkString(old.StringValue);
            }
        }
        if ((flags & (SetFlags.Nx | SetFlags.Xx)) != 0)
        {
            bool found = ctx.Db.Find(key, ctx.NowMs) != null;
            if (((flags & SetFlags.Nx) != 0 && found) || ((flags & SetFlags.Xx) != 0 && !found))
            {
                if (!get)
                {
                    if (abortReply.IsEmpty)
                    {
                        ctx.Reply.WriteNull();
                    }
                    else
                    {
                        ctx.Reply.WriteRaw(abortReply);
                    }
                }
                return;
            }
        }
        Entry e = ctx.Db.SetString(key, ctx.Arg(valueIndex), ctx.NowMs, keepTtl: (flags & SetFlags.KeepTtl) != 0);
        ctx.KeyWritten(key, NotifyFlags.String, "set");
        if (ctx.Propagating)
        {
            PropagateSet(ctx, get, valueIndex, expireIndex, expireAt);
        }
        if (expireIndex > 0)
        {
            ctx.Db.SetExpiry(e, expireAt);
            ctx.KeyEvent(key, NotifyFlags.Generic, "expire");
        }
        if (!get)
        {
            ctx.Reply.WriteRaw(okReply);
        }
    }

    /// <summary>
    /// As Redis 7.0: any expiry (EX PX EXAT PXAT, SETEX, PSETEX) propagates as SET key value PXAT absolute-ms, which
    /// drops NX/XX/GET; otherwise GET is removed (its reply does not replicate) and the rest stays as received.
    /// </summary>
    private static void PropagateSet(CommandContext ctx, bool get, int valueIndex, int expireIndex, long expireAt)
    {
        if (expireIndex > 0)
        {
            ctx.PropagateAs(5).Arg("SET"u8).Arg(ctx.Arg(1)).Arg(ctx.Arg(valueIndex)).Arg("PXAT"u8).Arg(expireAt);
            return;
        }
        if (!get)
        {
            return;
        }
        int kept = ctx.ArgCount;
        for (int i = 3; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "get"))
            {
                kept--;
            }
        }
        RespCommandBuilder b = ctx.PropagateAs(kept);
        for (int i = 0; i < ctx.ArgCount; i++)
        {
            if (i < 3 || !ctx.ArgIs(i, "get"))
            {
                b.Arg(ctx.Arg(i));
            }
        }
    }

    private static void GetEx(CommandContext ctx)
    {
        if (!SetOptions.TryParse(ctx, 2, forGetEx: true, out SetFlags flags, out int expireIndex))
        {
            return;
        }
        if (!TryGetString(ctx, ctx.Arg(1), out Entry? entry))
        {
            return;
        }
        if (entry == null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        long expireAt = 0;
        if (expireIndex > 0 && !SetOptions.TryGetExpireAt(ctx, expireIndex, flags, out expireAt))
        {
            return;
        }
        ctx.Reply.WriteBulkString(entry.StringValue);
        if ((flags & SetFlags.Absolute) != 0 && expireAt <= ctx.NowMs)
        {
            // An absolute time already past deletes the key now.
            ctx.Db.Delete(ctx.Arg(1));
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "del");
            if (ctx.Propagating)
            {
                ctx.PropagateAs(2).Arg(ctx.Server.Config.LazyfreeLazyExpire ? "UNLINK"u8 : "DEL"u8).Arg(ctx.Arg(1));
            }
        }
        else if (expireIndex > 0)
        {
            ctx.Db.SetExpiry(entry, expireAt);
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "expire");
            if (ctx.Propagating)
            {
                ctx.PropagateAs(3).Arg("PEXPIREAT"u8).Arg(ctx.Arg(1)).Arg(expireAt);
            }
        }
        else if ((flags & SetFlags.Persist) != 0 && ctx.Db.RemoveExpiry(entry))
        {
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "persist");
            if (ctx.Propagating)
            {
                ctx.PropagateAs(2).Arg("PERSIST"u8).Arg(ctx.Arg(1));
            }
        }
    }

    private static void GetDel(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), out Entry? entry))
        {
            return;
        }
        if (entry == null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        ctx.Reply.WriteBulkString(entry.StringValue);
        ctx.Db.Delete(ctx.Arg(1));
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "del");
        if (ctx.Propagating)
        {
            ctx.PropagateAs(2).Arg("DEL"u8).Arg(ctx.Arg(1));
        }
    }

    private static void GetSet(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), out Entry? old))
        {
            return;
        }
        if (old == null)
        {
            ctx.Reply.WriteNull();
        }
        else
        {
            ctx.Reply.WriteBulkString(old.StringValue);
        }
        ctx.Db.SetString(ctx.Arg(1), ctx.Arg(2), ctx.NowMs);
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.String, "set");
        if (ctx.Propagating)
        {
            ctx.PropagateAs(3).Arg("SET"u8).Arg(ctx.Arg(1)).Arg(ctx.Arg(2));
        }
    }

    private static void MGet(CommandContext ctx)
    {
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 1);
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            Entry? e = ctx.Db.Find(ctx.Arg(i), ctx.NowMs);
            if (e == null)
            {
                ctx.Server.Stats.KeyspaceMisses++;
                ctx.KeyMissed(ctx.Arg(i));
                ctx.Reply.WriteNull();
                continue;
            }
            ctx.Server.Stats.KeyspaceHits++;
            if (e.IsString)
            {
                ctx.Reply.WriteBulkString(e.StringValue);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
        }
    }

    private static void MSet(CommandContext ctx)
    {
        if (ctx.ArgCount % 2 == 0)
        {
            ctx.WrongArgs();
            return;
        }
        for (int i = 1; i < ctx.ArgCount; i += 2)
        {
            ctx.Db.SetString(ctx.Arg(i), ctx.Arg(i + 1), ctx.NowMs);
            ctx.KeyWritten(ctx.Arg(i), NotifyFlags.String, "set");
        }
        ctx.Reply.WriteOk();
    }

    private static void MSetNx(CommandContext ctx)
    {
        if (ctx.ArgCount % 2 == 0)
        {
            ctx.WrongArgs();
            return;
        }
        for (int i = 1; i < ctx.ArgCount; i += 2)
        {
            if (ctx.Db.Find(ctx.Arg(i), ctx.NowMs) != null)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
        }
        for (int i = 1; i < ctx.ArgCount; i += 2)
        {
            ctx.Db.SetString(ctx.Arg(i), ctx.Arg(i + 1), ctx.NowMs);
            ctx.KeyWritten(ctx.Arg(i), NotifyFlags.String, "set");
        }
        ctx.Reply.WriteInteger(1);
    }

    private static void Append(CommandContext ctx)
    {
        if (!TryGetStringForWrite(ctx, ctx.Arg(1), out Entry? entry))
        {
            return;
        }
        ReadOnlySpan<byte> tail = ctx.Arg(2);
        if (entry == null)
        {
            ctx.Db.AddString(ctx.Arg(1), tail);
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.String, "append");
            ctx.Reply.WriteInteger(tail.Length);
            return;
        }
        int length = entry.StringLength;
        if (!CheckStringLength(ctx, length, tail.Length))
        {
            return;
        }
        if (tail.Length > 0)
        {
            // In place into free space when there is some (amortized O(1) per appended byte, as Redis's sds).
            tail.CopyTo(entry.GrowString(length + tail.Length)[length..]);
        }
        // Redis unshares the value into a raw sds even when appending nothing.
        entry.ForceRawEncoding = true;
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.String, "append");
        ctx.Reply.WriteInteger(length + tail.Length);
    }

    private static void StrLen(CommandContext ctx)
    {
        if (!TryGetString(ctx, ctx.Arg(1), out Entry? entry))
        {
            return;
        }
        ctx.Reply.WriteInteger(entry?.StringLength ?? 0);
    }

    private static void GetRange(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long start) || !ctx.TryGetLong(3, out long end))
        {
            return;
        }
        if (!TryGetString(ctx, ctx.Arg(1), out Entry? entry))
        {
            return;
        }
        if (entry == null || (start < 0 && end < 0 && start > end))
        {
            ctx.Reply.WriteBulkString(ReadOnlySpan<byte>.Empty);
            return;
        }
        ReadOnlySpan<byte> value = entry.StringValue;
        long length = value.Length;
        if (start < 0)
        {
            start += length;
        }
        if (end < 0)
        {
            end += length;
        }
        start = Math.Max(start, 0);
        end = Math.Max(end, 0);
        if (end >= length)
        {
            end = length - 1;
        }
        if (start > end || length == 0)
        {
            ctx.Reply.WriteBulkString(ReadOnlySpan<byte>.Empty);
            return;
        }
        ctx.Reply.WriteBulkString(value.Slice((int)start, (int)(end - start + 1)));
    }

    private static void SetRange(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long offset))
        {
            return;
        }
        if (offset < 0)
        {
            ctx.Error(Errors.OffsetOutOfRange);
            return;
        }
        if (!TryGetStringForWrite(ctx, ctx.Arg(1), out Entry? entry))
        {
            return;
        }
        ReadOnlySpan<byte> patch = ctx.Arg(3);
        if (patch.IsEmpty)
        {
            ctx.Reply.WriteInteger(entry?.StringLength ?? 0);
            return;
        }
        if (!CheckStringLength(ctx, offset, patch.Length))
        {
            return;
        }
        int needed = (int)offset + patch.Length;
        entry ??= ctx.Db.AddString(ctx.Arg(1), default);
        Span<byte> value = entry.GrowString(needed);
        patch.CopyTo(value[(int)offset..]);
        entry.ForceRawEncoding = true;
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.String, "setrange");
        ctx.Reply.WriteInteger(value.Length);
    }
}
