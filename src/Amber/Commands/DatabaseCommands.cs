using Amber.Keyspace;
using Amber.Notifications;

namespace Amber.Commands;

/// <summary>SWAPDB MOVE FLUSHDB FLUSHALL DBSIZE (SELECT is in ConnectionCommands).</summary>
internal static class DatabaseCommands
{
    public static void Register(CommandTable t)
    {
        t.Add(new("swapdb", 3, CommandFlags.Write | CommandFlags.Fast, 0, 0, 0, "keyspace write fast dangerous", SwapDb) { Group = "server", Since = "4.0.0", Summary = "Exchanges the contents of two databases.", Complexity = "O(N) in the clients watching or blocked on keys of both" });
        t.Add(new("move", 3, CommandFlags.Write | CommandFlags.Fast, 1, 1, 1, "keyspace write fast", Move) { Summary = "Moves a key to another database unless the name is taken there.", Complexity = "O(1)" });
        t.Add(new("flushdb", -1, CommandFlags.Write, 0, 0, 0, "keyspace write slow dangerous", FlushDb) { Group = "server", Summary = "Deletes every key of the selected database.", Complexity = "O(N) in the keys of the database" });
        t.Add(new("flushall", -1, CommandFlags.Write, 0, 0, 0, "keyspace write slow dangerous", FlushAll) { Group = "server", Summary = "Deletes every key of every database.", Complexity = "O(N) in all keys" });
        t.Add(new("dbsize", 1, CommandFlags.ReadOnly | CommandFlags.Fast, 0, 0, 0, "keyspace read fast", DbSize) { Group = "server", Summary = "Returns the number of keys in the selected database.", Complexity = "O(1)" });
    }

    /// <summary>
    /// Parses a database number as Redis's getIntFromObjectOrReply does: not an integer, or outside 32 bits, is an error
    /// (<paramref name="error"/> when given, else Redis's generic texts). The caller checks the database range.
    /// </summary>
    internal static bool TryGetDbIndex(CommandContext ctx, int arg, out int index, string? error)
    {
        index = 0;
        if (!CommandContext.TryParseLong(ctx.Arg(arg), out long value))
        {
            ctx.Error(error ?? Errors.NotInteger);
            return false;
        }
        if (value < int.MinValue || value > int.MaxValue)
        {
            ctx.Error(error ?? Errors.IntOutOfRange);
            return false;
        }
        index = (int)value;
        return true;
    }

    private static bool IsValidDb(CommandContext ctx, int index) => index >= 0 && index < ctx.Server.Databases.Length;

    private static void SwapDb(CommandContext ctx)
    {
        if (!TryGetDbIndex(ctx, 1, out int first, Errors.InvalidFirstDbIndex) ||
            !TryGetDbIndex(ctx, 2, out int second, Errors.InvalidSecondDbIndex))
        {
            return;
        }
        if (!IsValidDb(ctx, first) || !IsValidDb(ctx, second))
        {
            ctx.Error(Errors.InvalidDbIndex);
            return;
        }
        if (first != second)
        {
            // Watches are checked against both contents before the swap (Redis 7.0's touchAllWatchedKeysInDb order).
            ctx.Server.Effects.DatabaseModified(first, second);
            ctx.Server.Effects.DatabaseModified(second, first);
            ctx.Server.Databases[first].SwapContents(ctx.Server.Databases[second]);
            // Clients blocked on a key that the swap brought in are served now.
            ctx.Server.Blocking.SignalExistingKeys(ctx.Server.Databases[first]);
            ctx.Server.Blocking.SignalExistingKeys(ctx.Server.Databases[second]);
        }
        ctx.Server.Dirty++;
        ctx.Reply.WriteOk();
    }

    private static void Move(CommandContext ctx)
    {
        if (!TryGetDbIndex(ctx, 2, out int index, null))
        {
            return;
        }
        if (!IsValidDb(ctx, index))
        {
            ctx.Error(Errors.InvalidDbIndex);
            return;
        }
        Database source = ctx.Db;
        Database destination = ctx.Server.Databases[index];
        if (source == destination)
        {
            ctx.Error(Errors.SameObject);
            return;
        }
        ReadOnlySpan<byte> key = ctx.Arg(1);
        Entry? e = source.Find(key, ctx.NowMs);
        if (e == null || destination.Find(key, ctx.NowMs) != null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        Entry moved = destination.AddValueOf(e.Key, e);
        KeyCommands.CarryObjectState(e, moved);
        if (e.HasExpiry)
        {
            destination.SetExpiry(moved, e.ExpireAtMs);
        }
        source.Delete(key);
        ctx.KeyWritten(key, NotifyFlags.Generic, "move_from");
        ctx.KeyWrittenIn(index, key, NotifyFlags.Generic, "move_to", changes: 0);
        ctx.Reply.WriteInteger(1);
    }

    /// <summary>FLUSHDB and FLUSHALL take an optional SYNC or ASYNC; both free at once here (the old table goes to the GC).</summary>
    private static bool TryParseFlushMode(CommandContext ctx)
    {
        if (ctx.ArgCount == 1 || (ctx.ArgCount == 2 && (ctx.ArgIs(1, "sync") || ctx.ArgIs(1, "async"))))
        {
            return true;
        }
        ctx.SyntaxError();
        return false;
    }

    private static void FlushDb(CommandContext ctx)
    {
        if (TryParseFlushMode(ctx))
        {
            ctx.Server.Effects.DatabaseModified(ctx.Session.DbIndex);
            ctx.Server.Dirty += ctx.Db.Count;
            // Propagated even when the database was already empty, as Redis.
            ctx.ForcePropagation();
            ctx.Db.Clear();
            ctx.Reply.WriteOk();
        }
    }

    private static void FlushAll(CommandContext ctx)
    {
        if (TryParseFlushMode(ctx))
        {
            ctx.ForcePropagation();
            // Redis 7.0 counts the keys removed; with save points it then saves the empty dataset (resetting the count).
            foreach (Database db in ctx.Server.Databases)
            {
                ctx.Server.Effects.DatabaseModified(db.Index);
                ctx.Server.Dirty += db.Count;
            }
            ctx.Server.FlushAll();
            ctx.Server.Rdb.AfterFlushAll();
            ctx.Reply.WriteOk();
        }
    }

    private static void DbSize(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Db.Count);
}
