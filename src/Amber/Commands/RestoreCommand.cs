using Amber.Keyspace;
using Amber.Notifications;
using Amber.Persistence.Rdb.Reading;

namespace Amber.Commands;

/// <summary>RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]: creates a key from a DUMP payload.</summary>
internal static class RestoreCommand
{
    public static void Register(CommandTable t)
    {
        t.Add(new("restore", -4, CommandFlags.Write | CommandFlags.DenyOom, 1, 1, 1, "keyspace write slow dangerous", Restore)
        {
            Since = "2.6.0",
            Summary = "Create a key using the provided serialized value, previously obtained using DUMP.",
            Complexity = "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into a sorted set is O(log(N)).",
            KeySpecs = [KeySpec.Range(KeySpecFlags.OW | KeySpecFlags.Update, 1, 0)],
        });
    }

    private static void Restore(CommandContext ctx)
    {
        bool replace = false;
        bool absTtl = false;
        long idleSeconds = -1;
        long frequency = -1;
        // Options first, so a syntax error wins over every other error (as in Redis's restoreCommand).
        for (int i = 4; i < ctx.ArgCount; i++)
        {
            bool hasValue = i + 1 < ctx.ArgCount;
            if (ctx.ArgIs(i, "replace"))
            {
                replace = true;
            }
            else if (ctx.ArgIs(i, "absttl"))
            {
                absTtl = true;
            }
            else if (ctx.ArgIs(i, "idletime") && hasValue && frequency == -1)
            {
                if (!ctx.TryGetLong(i + 1, out idleSeconds))
                {
                    return;
                }
                if (idleSeconds < 0)
                {
                    ctx.Error(Errors.RestoreInvalidIdleTime);
                    return;
                }
                i++;
            }
            else if (ctx.ArgIs(i, "freq") && hasValue && idleSeconds == -1)
            {
                if (!ctx.TryGetLong(i + 1, out frequency))
                {
                    return;
                }
                if (frequency is < 0 or > 255)
                {
                    ctx.Error(Errors.RestoreInvalidFreq);
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

        Database db = ctx.Db;
        ReadOnlySpan<byte> key = ctx.Arg(1);
        if (!replace && db.Peek(key, ctx.NowMs) != null)
        {
            ctx.Error(Errors.RestoreBusyKey);
            return;
        }
        if (!ctx.TryGetLong(2, out long ttl))
        {
            return;
        }
        if (ttl < 0)
        {
            ctx.Error(Errors.RestoreInvalidTtl);
            return;
        }
        ReadOnlySpan<byte> payload = ctx.Arg(3);
        if (!DumpPayload.Verify(payload))
        {
            ctx.Error(Errors.RestorePayloadInvalid);
            return;
        }
        if (!DumpPayload.TryLoadValue(payload, RdbValueLimits.From(ctx.Server.Config), out object? value, out _))
        {
            ctx.Error(Errors.RestoreBadDataFormat);
            return;
        }

        bool deleted = replace && db.Peek(key, ctx.NowMs) != null && db.Delete(key);
        if (ttl != 0 && !absTtl)
        {
            ttl += ctx.NowMs;
        }
        if (ttl != 0 && ttl <= ctx.NowMs && !ctx.Server.Events.SuppressExpiry)
        {
            // Already expired: nothing is created, but a replaced key is gone (Redis propagates a DEL).
            if (deleted)
            {
                ctx.KeyWritten(key, NotifyFlags.Generic, "del");
                if (ctx.Propagating)
                {
                    ctx.PropagateAs(2).Arg("DEL"u8).Arg(key);
                }
            }
            ctx.Reply.WriteOk();
            return;
        }
        Entry entry = db.Add(key.ToArray(), value!);
        if (ttl != 0)
        {
            db.SetExpiry(entry, ttl);
        }
        uint nowSeconds = AccessTracking.Seconds(ctx.NowMs);
        DatabaseLoadTarget.ApplyAccessState(entry, idleSeconds, (int)frequency,
            AccessTracking.IsLfu(ctx.Server.Config.MaxMemoryPolicy), nowSeconds);
        ctx.KeyWritten(key, NotifyFlags.Generic, "restore");
        if (ttl != 0 && !absTtl && ctx.Propagating)
        {
            // As Redis 7.0: the absolute time in place of the relative one, and ABSTTL appended.
            ctx.PropagateAs(ctx.ArgCount + 1).Args(ctx.Args, 0, 2).Arg(ttl).Args(ctx.Args, 3, ctx.ArgCount - 3).Arg("ABSTTL"u8);
        }
        ctx.Reply.WriteOk();
    }
}
