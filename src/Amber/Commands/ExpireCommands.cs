using System.Globalization;
using Amber.Keyspace;
using Amber.Notifications;

namespace Amber.Commands;

/// <summary>EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST.</summary>
internal static class ExpireCommands
{
    [Flags]
    private enum Condition
    {
        None = 0,
        Nx = 1,
        Xx = 2,
        Gt = 4,
        Lt = 8,
    }

    public static void Register(CommandTable t)
    {
        const CommandFlags Write = CommandFlags.Write | CommandFlags.Fast;
        const CommandFlags Read = CommandFlags.ReadOnly | CommandFlags.Fast;
        const string WriteCats = "keyspace write fast";
        const string ReadCats = "keyspace read fast";
        t.Add(new("expire", -3, Write, 1, 1, 1, WriteCats, Expire) { Summary = "Sets a key's time to live in seconds.", Complexity = "O(1)" });
        t.Add(new("pexpire", -3, Write, 1, 1, 1, WriteCats, PExpire) { Since = "2.6.0", Summary = "Sets a key's time to live in milliseconds.", Complexity = "O(1)" });
        t.Add(new("expireat", -3, Write, 1, 1, 1, WriteCats, ExpireAt) { Since = "1.2.0", Summary = "Sets the Unix time, in seconds, at which a key expires.", Complexity = "O(1)" });
        t.Add(new("pexpireat", -3, Write, 1, 1, 1, WriteCats, PExpireAt) { Since = "2.6.0", Summary = "Sets the Unix time, in milliseconds, at which a key expires.", Complexity = "O(1)" });
        t.Add(new("ttl", 2, Read, 1, 1, 1, ReadCats, Ttl) { Summary = "Returns a key's remaining time to live in seconds.", Complexity = "O(1)" });
        t.Add(new("pttl", 2, Read, 1, 1, 1, ReadCats, PTtl) { Since = "2.6.0", Summary = "Returns a key's remaining time to live in milliseconds.", Complexity = "O(1)" });
        t.Add(new("expiretime", 2, Read, 1, 1, 1, ReadCats, ExpireTime) { Since = "7.0.0", Summary = "Returns the Unix time, in seconds, at which a key expires.", Complexity = "O(1)" });
        t.Add(new("pexpiretime", 2, Read, 1, 1, 1, ReadCats, PExpireTime) { Since = "7.0.0", Summary = "Returns the Unix time, in milliseconds, at which a key expires.", Complexity = "O(1)" });
        t.Add(new("persist", 2, Write, 1, 1, 1, WriteCats, Persist) { Since = "2.2.0", Summary = "Removes a key's time to live.", Complexity = "O(1)" });
    }

    private static void Expire(CommandContext ctx) => ExpireGeneric(ctx, ctx.NowMs, seconds: true);

    private static void PExpire(CommandContext ctx) => ExpireGeneric(ctx, ctx.NowMs, seconds: false);

    private static void ExpireAt(CommandContext ctx) => ExpireGeneric(ctx, 0, seconds: true);

    private static void PExpireAt(CommandContext ctx) => ExpireGeneric(ctx, 0, seconds: false);

    private static void ExpireGeneric(CommandContext ctx, long baseMs, bool seconds)
    {
        if (!TryParseCondition(ctx, out Condition condition) || !ctx.TryGetLong(2, out long when))
        {
            return;
        }
        // Negative times are allowed (the key is then deleted), but overflow of the unit conversion or of the
        // addition of the base time is an error.
        if (seconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000)
            {
                InvalidExpireTime(ctx);
                return;
            }
            when *= 1000;
        }
        if (when > long.MaxValue - baseMs)
        {
            InvalidExpireTime(ctx);
            return;
        }
        when += baseMs;

        Database db = ctx.Db;
        Entry? e = db.Find(ctx.Arg(1), ctx.NowMs);
        if (e == null || !ConditionHolds(condition, e.ExpireAtMs, when))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (when <= ctx.NowMs && !ctx.Server.Events.SuppressExpiry)
        {
            // A time in the past deletes the key now (Redis propagates this as a DEL).
            db.Delete(ctx.Arg(1));
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "del");
            if (ctx.Propagating)
            {
                ctx.PropagateAs(2).Arg(ctx.Server.Config.LazyfreeLazyExpire ? "UNLINK"u8 : "DEL"u8).Arg(ctx.Arg(1));
            }
        }
        else
        {
            db.SetExpiry(e, when);
            ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "expire");
            if (ctx.Propagating && !(baseMs == 0 && !seconds))
            {
                // Relative or in seconds: the absolute time in ms, conditions (NX XX GT LT) kept as received.
                ctx.PropagateAs(ctx.ArgCount).Arg("PEXPIREAT"u8).Arg(ctx.Arg(1)).Arg(when).Args(ctx.Args, 3, ctx.ArgCount - 3);
            }
        }
        ctx.Reply.WriteInteger(1);
    }

    private static bool TryParseCondition(CommandContext ctx, out Condition condition)
    {
        condition = Condition.None;
        for (int i = 3; i < ctx.ArgCount; i++)
        {
            if (ctx.ArgIs(i, "nx"))
            {
                condition |= Condition.Nx;
            }
            else if (ctx.ArgIs(i, "xx"))
            {
                condition |= Condition.Xx;
            }
            else if (ctx.ArgIs(i, "gt"))
            {
                condition |= Condition.Gt;
            }
            else if (ctx.ArgIs(i, "lt"))
            {
                condition |= Condition.Lt;
            }
            else
            {
                ctx.Error(Errors.UnsupportedOption(ctx.ArgString(i)));
                return false;
            }
        }
        if ((condition & Condition.Nx) != 0 && (condition & (Condition.Xx | Condition.Gt | Condition.Lt)) != 0)
        {
            ctx.Error(Errors.ExpireNxConflict);
            return false;
        }
        if ((condition & (Condition.Gt | Condition.Lt)) == (Condition.Gt | Condition.Lt))
        {
            ctx.Error(Errors.ExpireGtLtConflict);
            return false;
        }
        return true;
    }

    /// <summary>NX: no TTL yet. XX: has one. GT: later than the current one (none counts as infinite). LT: earlier.</summary>
    private static bool ConditionHolds(Condition condition, long current, long when)
    {
        bool hasTtl = current != Entry.NoExpiry;
        return condition switch
        {
            Condition.None => true,
            _ => ((condition & Condition.Nx) == 0 || !hasTtl) &&
                 ((condition & Condition.Xx) == 0 || hasTtl) &&
                 ((condition & Condition.Gt) == 0 || (hasTtl && when > current)) &&
                 ((condition & Condition.Lt) == 0 || !hasTtl || when < current),
        };
    }

    private static void InvalidExpireTime(CommandContext ctx) =>
        ctx.Error(string.Format(CultureInfo.InvariantCulture, Errors.InvalidExpire, ctx.Command.Name));

    private static void Ttl(CommandContext ctx) => TtlGeneric(ctx, milliseconds: false, absolute: false);

    private static void PTtl(CommandContext ctx) => TtlGeneric(ctx, milliseconds: true, absolute: false);

    private static void ExpireTime(CommandContext ctx) => TtlGeneric(ctx, milliseconds: false, absolute: true);

    private static void PExpireTime(CommandContext ctx) => TtlGeneric(ctx, milliseconds: true, absolute: true);

    private static void TtlGeneric(CommandContext ctx, bool milliseconds, bool absolute)
    {
        Entry? e = KeyCommands.LookupRead(ctx, ctx.Arg(1), touch: false);
        if (e == null)
        {
            ctx.Reply.WriteInteger(-2);
            return;
        }
        if (!e.HasExpiry)
        {
            ctx.Reply.WriteInteger(-1);
            return;
        }
        long ttl = Math.Max(0, absolute ? e.ExpireAtMs : e.ExpireAtMs - ctx.NowMs);
        // Rounded to the nearest second; unsigned so that a time near long.MaxValue does not wrap (matches Redis's output).
        ctx.Reply.WriteInteger(milliseconds ? ttl : (long)(((ulong)ttl + 500) / 1000));
    }

    private static void Persist(CommandContext ctx)
    {
        Database db = ctx.Db;
        Entry? e = db.Find(ctx.Arg(1), ctx.NowMs);
        if (e == null || !db.RemoveExpiry(e))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.KeyWritten(ctx.Arg(1), NotifyFlags.Generic, "persist");
        ctx.Reply.WriteInteger(1);
    }
}
