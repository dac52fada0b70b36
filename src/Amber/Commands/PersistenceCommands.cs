using Amber.Persistence.RdbPersistence;

namespace Amber.Commands;

/// <summary>SAVE BGSAVE (LASTSAVE is with INFO in ServerCommands; DEBUG RELOAD in DebugCommands).</summary>
internal static class PersistenceCommands
{
    private const CommandFlags SaveFlags = CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.NoAsyncLoading;

    public static void Register(CommandTable t)
    {
        t.Add(new("save", 1, SaveFlags | CommandFlags.NoMulti, 0, 0, 0, "admin slow dangerous", Save)
        {
            Group = "server",
            Complexity = "O(N) where N is the total number of keys in all databases",
            Summary = "Synchronously saves the database(s) to disk.",
        });
        t.Add(new("bgsave", -1, SaveFlags, 0, 0, 0, "admin slow dangerous", BgSave)
        {
            Group = "server",
            Complexity = "O(1)",
            Summary = "Asynchronously saves the database(s) to disk.",
            Arguments = [new("schedule", ArgType.PureToken) { Token = "SCHEDULE", Since = "3.2.2", Flags = ArgFlags.Optional }],
        });
        t.Add(new("bgrewriteaof", 1, SaveFlags, 0, 0, 0, "admin slow dangerous", BgRewriteAof)
        {
            Group = "server",
            Complexity = "O(1)",
            Summary = "Asynchronously rewrites the append-only file to disk.",
        });
    }

    /// <summary>Starts the fork-less AOF rewrite (works with appendonly no too: it then writes a base and manifest).</summary>
    private static void BgRewriteAof(CommandContext ctx)
    {
        bool inTransaction = ctx.Session.Transaction?.Executing == true;
        switch (ctx.Server.Aof.RequestRewrite(inTransaction))
        {
            case Persistence.Aof.AofRewriteStart.Started:
                ctx.Reply.WriteSimpleString("Background append only file rewriting started");
                break;
            case Persistence.Aof.AofRewriteStart.Scheduled:
                ctx.Reply.WriteSimpleString("Background append only file rewriting scheduled");
                break;
            case Persistence.Aof.AofRewriteStart.AlreadyRunning:
                ctx.Error(Errors.AofRewriteInProgress);
                break;
            default:
                ctx.Error(Errors.AofRewriteFailed);
                break;
        }
    }

    /// <summary>Writes dbfilename now, under the keyspace lock: the whole server waits, as with Redis's SAVE.</summary>
    private static void Save(CommandContext ctx)
    {
        RdbSaver rdb = ctx.Server.Rdb;
        if (rdb.BackgroundSaveInProgress)
        {
            ctx.Error(Errors.BgsaveInProgress);
            return;
        }
        ctx.Server.PersistenceStatus.RdbSaves++;
        if (rdb.Save())
        {
            ctx.Reply.WriteOk();
        }
        else
        {
            ctx.Error(Errors.Generic);
        }
    }

    private static void BgSave(CommandContext ctx)
    {
        bool schedule = false;
        if (ctx.ArgCount > 1)
        {
            if (ctx.ArgCount == 2 && ctx.ArgIs(1, "schedule"))
            {
                schedule = true;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
        }
        bool inTransaction = ctx.Session.Transaction?.Executing == true;
        switch (ctx.Server.Rdb.RequestBackgroundSave(schedule, inTransaction))
        {
            case BackgroundSaveStart.Started:
                ctx.Reply.WriteSimpleString("Background saving started");
                break;
            case BackgroundSaveStart.Scheduled:
                ctx.Reply.WriteSimpleString("Background saving scheduled");
                break;
            case BackgroundSaveStart.AlreadyRunning:
                ctx.Error(Errors.BgsaveInProgress);
                break;
            default:
                ctx.Error(Errors.BgsaveOtherChild);
                break;
        }
    }
}
