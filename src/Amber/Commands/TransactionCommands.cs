using Amber.Protocol;
using Amber.Server;

namespace Amber.Commands;

/// <summary>
/// MULTI EXEC DISCARD WATCH UNWATCH, with Redis 7.0's semantics.
/// <para>In MULTI, the executor queues every command except EXEC DISCARD MULTI WATCH QUIT RESET (replying +QUEUED)
/// after the usual checks; a command rejected by those checks (unknown, wrong arity, NOAUTH, flagged no-multi)
/// aborts the transaction (EXEC replies EXECABORT). EXEC runs the queue under the same keyspace lock acquisition
/// as itself (atomic), each command through the executor's normal call path (statistics, MONITOR, slow log);
/// errors inside do not stop the others. A change to a WATCHed key (see <see cref="WatchRegistry"/>) makes EXEC
/// reply with a null array instead.</para>
/// </summary>
internal static class TransactionCommands
{
    public static void Register(CommandTable t)
    {
        const CommandFlags Control = CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast | CommandFlags.AllowBusy;
        t.Add(new("multi", 1, Control, 0, 0, 0, "fast transaction", Multi) { Group = "transactions", Since = "1.2.0", Complexity = "O(1)", Summary = "Starts a transaction: later commands are queued until EXEC." });
        t.Add(new("exec", 1, CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.SkipSlowlog, 0, 0, 0, "slow transaction", Exec) { Group = "transactions", Since = "1.2.0", Complexity = "Depends on the queued commands", Summary = "Runs the queued commands of a transaction atomically." });
        t.Add(new("discard", 1, Control, 0, 0, 0, "fast transaction", Discard) { Group = "transactions", Since = "2.0.0", Complexity = "O(N) in the queued commands", Summary = "Drops the queued commands and leaves the transaction." });
        t.Add(new("watch", -2, Control, 1, -1, 1, "fast transaction", Watch)
        {
            Group = "transactions",
            Since = "2.2.0",
            Complexity = "O(1) per key",
            Summary = "Makes the next EXEC fail if any of the keys changes before it.",
            KeySpecs = [KeySpec.Range(KeySpecFlags.RO, 1, -1)],
        });
        t.Add(new("unwatch", 1, Control, 0, 0, 0, "fast transaction", Unwatch) { Group = "transactions", Since = "2.2.0", Complexity = "O(1)", Summary = "Forgets every watched key." });
    }

    /// <summary>Whether the command is EXEC (the executor defers its MONITOR line and lets it abort on rejection).</summary>
    internal static bool IsExec(CommandSpec spec) => spec.Parent == null && spec.Name == "exec";

    /// <summary>Commands that run at once inside MULTI instead of being queued.</summary>
    private static bool RunsInsideMulti(CommandSpec spec) =>
        spec.Parent == null && spec.Name is "exec" or "discard" or "multi" or "watch" or "quit" or "reset";

    /// <summary>
    /// Called by the executor after a command passed its checks: in MULTI (and not while EXEC runs the queue),
    /// queues it (copying the arguments), replies +QUEUED and returns true.
    /// </summary>
    internal static bool TryQueue(ClientSession session, CommandSpec spec)
    {
        TransactionState tx = session.Transaction!;
        if (tx.Executing || RunsInsideMulti(spec))
        {
            return false;
        }
        // As Redis: a transaction that will fail anyway keeps nothing.
        if (!tx.Aborted && !tx.WatchTouched)
        {
            ArgList args = session.Args;
            var queued = new QueuedCommand(spec, args);
            tx.Queue.Add(queued);
            tx.QueuedBytes += queued.DataLength + (IntPtr.Size * (long)queued.ArgCount);
            tx.QueuedFlags |= spec.Flags;
            session.MultiQueued = tx.Queue.Count;
        }
        session.Reply.WriteRaw("+QUEUED\r\n"u8);
        return true;
    }

    /// <summary>A command was rejected before running: inside MULTI this dooms the transaction (Redis's flagTransaction).</summary>
    internal static void FlagRejected(ClientSession session)
    {
        if (session.MultiQueued >= 0)
        {
            session.Transaction!.Aborted = true;
        }
    }

    /// <summary>EXEC itself was rejected: the transaction is discarded and the reason given as EXECABORT.</summary>
    internal static void AbortExec(CommandContext ctx, string error)
    {
        DiscardTransaction(ctx.Session);
        ctx.Error(Errors.ExecAbortBecause(error));
        ctx.Server.Monitors.Feed(ctx.Session, ctx.Args);
    }

    /// <summary>Leaves MULTI (if in it) and drops every watch: DISCARD, EXEC's end, RESET.</summary>
    internal static void DiscardTransaction(ClientSession session)
    {
        if (session.Transaction is not { } tx)
        {
            return;
        }
        tx.ClearQueue();
        session.MultiQueued = -1;
        session.Server.Watches.UnwatchAll(session);
    }

    private static void Multi(CommandContext ctx)
    {
        ClientSession s = ctx.Session;
        if (s.MultiQueued >= 0)
        {
            ctx.Error(Errors.NestedMulti);
            return;
        }
        s.Transaction ??= new TransactionState();
        s.MultiQueued = 0;
        ctx.Reply.WriteOk();
    }

    private static void Discard(CommandContext ctx)
    {
        if (ctx.Session.MultiQueued < 0)
        {
            ctx.Error(Errors.DiscardWithoutMulti);
            return;
        }
        DiscardTransaction(ctx.Session);
        ctx.Reply.WriteOk();
    }

    private static void Exec(CommandContext ctx)
    {
        // EXEC is never propagated itself: its commands are, wrapped in MULTI/EXEC when more than one propagates.
        ctx.SuppressPropagation();
        ClientSession s = ctx.Session;
        TransactionState? tx = s.Transaction;
        if (s.MultiQueued < 0 || tx == null)
        {
            ctx.Error(Errors.ExecWithoutMulti);
        }
        else
        {
            if (ctx.Server.Watches.AnyWatchedKeyExpired(s, ctx.NowMs))
            {
                tx.WatchTouched = true;
            }
            if (tx.Aborted)
            {
                ctx.Error(Errors.ExecAbort);
            }
            else if (tx.WatchTouched)
            {
                ctx.Reply.WriteNullArray();
            }
            else
            {
                RunQueue(ctx, tx);
            }
            DiscardTransaction(s);
        }
    }

    /// <summary>Runs the queued commands: blocking commands may not block, watches are gone, the args are EXEC's again after.</summary>
    private static void RunQueue(CommandContext ctx, TransactionState tx)
    {
        ClientSession s = ctx.Session;
        ArgList args = s.Args;
        ArgSlice execName = args.Slice(0);
        CommandSpec exec = ctx.Command;
        bool denied = s.DenyBlocking;
        s.DenyBlocking = true;
        ctx.Server.Watches.UnwatchAll(s);
        tx.Executing = true;
        try
        {
            ctx.Reply.WriteArrayHeader(tx.Queue.Count);
            foreach (QueuedCommand queued in tx.Queue)
            {
                queued.LoadInto(args);
                ctx.Server.Executor.ExecuteQueued(s, queued.Spec);
            }
        }
        finally
        {
            tx.Executing = false;
            s.DenyBlocking = denied;
            args.Clear();
            args.Add(execName.Buffer, execName.Offset, execName.Length);
            ctx.Command = exec;
            ctx.RedactedArgs = 0;
            // EXEC itself failed nothing: errors of the queued commands are theirs.
            ctx.Failed = false;
        }
    }

    private static void Watch(CommandContext ctx)
    {
        ClientSession s = ctx.Session;
        if (s.MultiQueued >= 0)
        {
            ctx.Error(Errors.WatchInsideMulti);
            return;
        }
        // A client whose watched key already changed gains nothing from more watches (Redis 7.0).
        if (s.Transaction is not { WatchTouched: true })
        {
            for (int i = 1; i < ctx.ArgCount; i++)
            {
                ctx.Server.Watches.Watch(s, ctx.Arg(i), ctx.NowMs);
            }
        }
        ctx.Reply.WriteOk();
    }

    private static void Unwatch(CommandContext ctx)
    {
        ClientSession s = ctx.Session;
        ctx.Server.Watches.UnwatchAll(s);
        if (s.Transaction is { } tx)
        {
            tx.WatchTouched = false;
        }
        ctx.Reply.WriteOk();
    }
}
