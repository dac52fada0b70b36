using System.Diagnostics;
using System.Text;
using Amber.Commands;
using Amber.Protocol;

namespace Amber.Server;

/// <summary>
/// Runs requests: finds each complete one in a connection's buffer, checks name, arity and authentication,
/// and executes it. One batch (all complete requests of a read) runs under a single keyspace lock acquisition.
/// </summary>
internal sealed class CommandExecutor(AmberServer server)
{
    private readonly CommandClock _clock = new();

    // Twice the smallest keyed request ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" is 22 bytes): anything shorter holds one lookup
    // at most, which has nothing to overlap its misses with.
    private const int MinPrefetchBytes = 44;

    /// <summary>Executes every complete request in buf[parsePos..end). Returns false when the connection must close.</summary>
    public bool RunBatch(ClientSession session, byte[] buf, ref int parsePos, int end, ref int start)
    {
        // Requests run on the socket event thread (SocketScheduling); one flag test per batch after the first.
        Hosting.EventThreadSlice.ApplyToCurrentThread();
        RequestParser parser = session.Parser;
        parser.MaxBulkLength = server.Config.ProtoMaxBulkLen;
        parser.Authenticated = session.Authenticated || server.Config.RequirePass.Length == 0;
        bool keepGoing = true;
        lock (server.KeyspaceLock)
        {
            // A client killed (or a server stopped) while this connection waited for the lock runs nothing more.
            if (server.StoppingToken.IsCancellationRequested || session.CloseAfterReply)
            {
                return false;
            }
            _clock.BeginBatch();
            try
            {
                Persistence.Aof.AofWriter? aofAtStart = server.Aof.Writer;
                long lsnAtStart = aofAtStart?.AppendedLsn ?? 0;
                session.BeginBatchPushes();
                if (end - parsePos >= MinPrefetchBytes)
                {
                    BatchPrefetch.Run(server.Databases[session.DbIndex].Table, server.Commands, buf.AsSpan(parsePos, end - parsePos));
                }
                while (true)
                {
                    ParseStatus status = parser.TryParse(buf, ref parsePos, end, session.Args);
                    if (status == ParseStatus.Incomplete)
                    {
                        break;
                    }
                    if (status == ParseStatus.Error)
                    {
                        server.Log.Verbose($"Protocol error ({parser.Error}) from client: id={session.Id} addr={session.AddressText}");
                        int errorStart = session.Reply.Length;
                        session.Context.Error("ERR " + parser.Error);
                        ApplyReplyMode(session, errorStart);
                        start = parsePos = end;
                        keepGoing = false;
                        break;
                    }
                    int requestStart = start;
                    start = parsePos;
                    if (session.Args.Count == 0)
                    {
                        continue;
                    }
                    if (server.Pause.Active && ShouldHold(session))
                    {
                        // Held by CLIENT PAUSE: leave the request in the buffer; the connection waits, then parses it again.
                        session.PausePending = true;
                        start = parsePos = requestStart;
                        break;
                    }
                    Execute(session);
                    if (server.Blocking.HasReadyKeys)
                    {
                        server.Blocking.HandleReadyKeys();
                    }
                    if (session.Blocked != null)
                    {
                        // Blocked (BLPOP ...): the connection waits for the reply, then resumes with the next request.
                        break;
                    }
                    if (session.CloseAfterReply)
                    {
                        break;
                    }
                    parser.Authenticated = session.Authenticated || server.Config.RequirePass.Length == 0;
                }
                session.EndBatchPushes();
                NoteAofWait(session, aofAtStart, lsnAtStart);
                server.RunningSnapshot?.Assist();
            }
            finally
            {
                _clock.EndBatch();
            }
        }
        return keepGoing;
    }

    /// <summary>
    /// appendfsync always: when the batch appended to the AOF, its replies wait until the last appended byte is on
    /// disk (the connection awaits it outside the lock; one fsync covers every batch appended meanwhile).
    /// </summary>
    private void NoteAofWait(ClientSession session, Persistence.Aof.AofWriter? atStart, long lsnAtStart)
    {
        Persistence.Aof.AofWriter? writer = server.Aof.Writer;
        if (writer == null || server.Config.AppendFsync != Config.AppendFsyncMode.Always)
        {
            return;
        }
        long before = ReferenceEquals(writer, atStart) ? lsnAtStart : 0;
        long appended = writer.AppendedLsn;
        if (appended > before)
        {
            session.AofWaitWriter = writer;
            session.AofWaitLsn = appended;
        }
    }

    /// <summary>Runs the request in session.Args. Caller holds the keyspace lock.</summary>
    public void Execute(ClientSession session)
    {
        CommandContext ctx = session.Context;
        ArgList args = session.Args;
        RespWriter reply = session.Reply;
        int replyStart = reply.Length;
        session.BeginCommandPushes(replyStart);
        ctx.Failed = false;
        session.LastInteractionMs = Environment.TickCount64;
        // CLIENT REPLY SKIP armed the skip for this command (the one after it); CLIENT REPLY ON may cancel it.
        if (session.ReplyMode == ReplyMode.Skip)
        {
            session.ReplyMode = ReplyMode.On;
            session.SkipCurrentReply = true;
        }

        CommandSpec? spec = server.Commands.Find(args[0]);
        if (spec == null)
        {
            ctx.Error(Errors.UnknownCommand(Encoding.UTF8.GetString(args[0]), ArgsPreview(args, 1)));
            TransactionCommands.FlagRejected(session);
            ApplyReplyMode(session, replyStart);
            return;
        }
        if (spec.Subcommands.Length > 0 && args.Count >= 2)
        {
            CommandSpec? sub = CommandTable.FindSubcommand(spec, args[1]);
            if (sub == null)
            {
                ctx.Command = spec;
                ctx.Error(Errors.UnknownSubcommand(Encoding.UTF8.GetString(args[1]), spec.Name));
                TransactionCommands.FlagRejected(session);
                ApplyReplyMode(session, replyStart);
                return;
            }
            spec = sub;
        }
        ctx.Command = spec;
        session.LastCommand = spec.FullName;
        if (!spec.ArityMatches(args.Count))
        {
            Reject(session, spec, Errors.WrongArgs(spec.FullName), replyStart);
            return;
        }
        if (spec.Has(CommandFlags.Protected) && !ProtectedCommands.IsAllowed(server, session, spec))
        {
            Reject(session, spec, Errors.DebugNotAllowed, replyStart);
            return;
        }
        if (!session.Authenticated && server.Config.RequirePass.Length > 0 && !spec.Has(CommandFlags.NoAuth))
        {
            Reject(session, spec, Errors.NoAuth, replyStart);
            return;
        }
        if (Persistence.RdbPersistence.PersistenceGate.DiskError(server) is string diskError && DeniedOnDiskError(session, spec))
        {
            Reject(session, spec, diskError, replyStart);
            return;
        }
        if (session.IsPubSub && session.Protocol == 2 && !PubSub.SubscribedContext.Allows(spec))
        {
            Reject(session, spec, PubSub.SubscribedContext.Error(spec), replyStart);
            return;
        }
        if (Persistence.RdbPersistence.PersistenceGate.RefusedWhileLoading(server, spec))
        {
            Reject(session, spec, Errors.Loading, replyStart);
            return;
        }
        if (session.MultiQueued >= 0)
        {
            if (spec.Has(CommandFlags.NoMulti))
            {
                Reject(session, spec, Errors.NotAllowedInMulti, replyStart);
                return;
            }
            if (TransactionCommands.TryQueue(session, spec))
            {
                ApplyReplyMode(session, replyStart);
                return;
            }
        }

        ctx.RedactedArgs = 0;
        ctx.NowMs = _clock.UnixMs(_clock.CommandStart());
        Call(session, spec, replyStart);
    }

    /// <summary>
    /// Runs a command queued by MULTI, from EXEC (args already loaded in session.Args): no checks (they passed at
    /// queueing) and the transaction's clock, but statistics, MONITOR and the slow log as for any command.
    /// EXEC itself is fed to MONITOR after them, as Redis.
    /// </summary>
    public void ExecuteQueued(ClientSession session, CommandSpec spec)
    {
        CommandContext ctx = session.Context;
        ctx.Command = spec;
        ctx.Failed = false;
        ctx.RedactedArgs = 0;
        Call(session, spec, session.Reply.Length);
    }

    /// <summary>What MISCONF refuses while persistence fails: write commands (EXEC of queued writes too) and PING, as Redis.</summary>
    internal static bool DeniedOnDiskError(ClientSession session, CommandSpec spec) =>
        spec.Has(CommandFlags.Write) || spec.Name == "ping" ||
        (TransactionCommands.IsExec(spec) && session.MultiQueued >= 0 && (session.Transaction!.QueuedFlags & CommandFlags.Write) != 0);

    /// <summary>A command refused before running: counted as rejected; inside MULTI it aborts the transaction.</summary>
    private static void Reject(ClientSession session, CommandSpec spec, string error, int replyStart)
    {
        spec.RejectedCalls++;
        if (TransactionCommands.IsExec(spec))
        {
            TransactionCommands.AbortExec(session.Context, error);
        }
        else
        {
            session.Context.Error(error);
            TransactionCommands.FlagRejected(session);
        }
        ApplyReplyMode(session, replyStart);
    }

    /// <summary>Runs the handler and records its statistics (Redis's call()).</summary>
    private void Call(ClientSession session, CommandSpec spec, int replyStart)
    {
        CommandContext ctx = session.Context;
        ArgList args = session.Args;
        long t0 = _clock.CommandStart();
        try
        {
            if (server.Propagation.Active)
            {
                CallPropagated(session, spec);
            }
            else
            {
                spec.Handler(ctx);
            }
        }
        catch (Exception e)
        {
            ReportInternalError(session, spec, replyStart, e);
        }
        long micros = (long)Stopwatch.GetElapsedTime(t0, _clock.CommandEnd()).TotalMicroseconds;
        if (session.Blocked != null)
        {
            // Counted when unblocked (BlockingRegistry), as Redis does; MONITOR sees the command now.
            session.Blocked.InitialMicros = micros;
            FeedMonitors(session, spec, args);
            ApplyReplyMode(session, replyStart);
            return;
        }
        if (server.Config.LatencyTracking)
        {
            (spec.Latency ??= new Diagnostics.LatencyHistogram()).Record(micros * 1000);
        }
        spec.Calls++;
        spec.MicrosecondsTotal += micros;
        if (ctx.Failed)
        {
            spec.FailedCalls++;
        }
        server.Stats.TotalCommandsProcessed++;
        server.SlowLog.Record(session, args, micros, ctx.NowMs);
        FeedMonitors(session, spec, args);
        ApplyReplyMode(session, replyStart);
    }

    /// <summary>
    /// A handler failed with an exception: a defect, never the client's doing. Its partial reply gives way to an error,
    /// the log gets the details, and the connection and the server go on (Redis would stop with an assertion; a client's
    /// request must not end anyone's service).
    /// </summary>
    private void ReportInternalError(ClientSession session, CommandSpec spec, int replyStart, Exception e)
    {
        session.Reply.Truncate(replyStart);
        server.Log.Warning($"Internal error in '{spec.FullName}' from client id={session.Id}: {e}");
        session.Context.Error($"ERR internal error in '{spec.FullName}', see the server log");
    }

    /// <summary>
    /// Runs the handler with the propagation stream listening: the command's entry (as received, or as it rewrote
    /// itself) is added when the dirty counter moved, and delivered when the outermost command ends (EXEC's end
    /// for a queued one).
    /// </summary>
    private void CallPropagated(ClientSession session, CommandSpec spec)
    {
        Propagation.PropagationStream propagation = server.Propagation;
        long dirty = server.Dirty;
        Propagation.PropagationStream.CommandScope scope = propagation.BeginCommand();
        try
        {
            spec.Handler(session.Context);
        }
        finally
        {
            propagation.EndCommand(scope, session.DbIndex, session.Args, server.Dirty > dirty);
        }
    }

    /// <summary>After execution, as Redis does (so SELECT shows its new database); admin commands are never shown.</summary>
    private void FeedMonitors(ClientSession session, CommandSpec spec, ArgList args)
    {
        if (!spec.Has(CommandFlags.Admin | CommandFlags.SkipMonitor))
        {
            server.Monitors.Feed(session, args, session.Context.RedactedArgs);
        }
    }

    /// <summary>
    /// Whether CLIENT PAUSE holds the request in session.Args. A request that fails before running (unknown
    /// command, wrong arity, NOAUTH) is not held: Redis rejects those before its pause check.
    /// </summary>
    private bool ShouldHold(ClientSession session)
    {
        ArgList args = session.Args;
        CommandSpec? spec = server.Commands.Find(args[0]);
        if (spec != null && spec.Subcommands.Length > 0 && args.Count >= 2)
        {
            spec = CommandTable.FindSubcommand(spec, args[1]);
        }
        if (spec == null || !spec.ArityMatches(args.Count) ||
            (!session.Authenticated && server.Config.RequirePass.Length > 0 && !spec.Has(CommandFlags.NoAuth)) ||
            (session.IsPubSub && session.Protocol == 2 && !PubSub.SubscribedContext.Allows(spec)) ||
            (session.MultiQueued >= 0 && spec.Has(CommandFlags.NoMulti)) ||
            Persistence.RdbPersistence.PersistenceGate.Refusal(server, session, spec) != null)
        {
            return false;
        }
        CommandFlags flags = spec.Flags;
        if (TransactionCommands.IsExec(spec) && session.MultiQueued >= 0)
        {
            // EXEC of a transaction with writes waits out a WRITE pause, as Redis checks the queued commands' flags.
            flags |= session.Transaction!.QueuedFlags;
        }
        if (!server.Pause.Holds(flags))
        {
            return false;
        }
        session.LastCommand = spec.FullName;
        return true;
    }

    /// <summary>
    /// Discards the command's reply under CLIENT REPLY OFF, or when this is the command after CLIENT REPLY SKIP.
    /// ReplyMode.Skip set by the command itself only takes effect for the next command (see Execute).
    /// </summary>
    private static void ApplyReplyMode(ClientSession session, int replyStart)
    {
        if (session.SkipCurrentReply || session.ReplyMode == ReplyMode.Off)
        {
            session.Reply.Truncate(replyStart);
        }
        session.SkipCurrentReply = false;
        session.EndCommandPushes();
    }

    /// <summary>"'a' 'b' " — the argument preview Redis puts in unknown-command errors (first 128 chars of each).</summary>
    internal static string ArgsPreview(ArgList args, int from)
    {
        var sb = new StringBuilder();
        for (int i = from; i < args.Count && sb.Length < 128; i++)
        {
            string a = Encoding.UTF8.GetString(args[i]);
            sb.Append('\'').Append(a.Length > 128 ? a[..128] : a).Append("' ");
        }
        return sb.ToString();
    }
}
