using System.Text;
using Amber.Commands;
using Amber.Protocol;
using Amber.Server;

namespace Amber.Persistence.Aof;

/// <summary>
/// Redis's "fake client" of AOF loading: runs each command of a file through its handler directly (no statistics,
/// MONITOR or slow log, as Redis calls the command procedure), replies discarded. MULTI ... EXEC is queued here and run
/// at EXEC; a MULTI still open at the end of the file is reported so the loader can treat it as a torn tail.
/// One client per file, as Redis creates one per file (so each file starts in database 0).
/// </summary>
internal sealed class AofReplayClient
{
    private readonly AmberServer _server;
    private readonly ClientSession _session;
    private List<byte[][]>? _queued;

    public AofReplayClient(AmberServer server)
    {
        _server = server;
        _session = new ClientSession(0, server, null, null) { Authenticated = true, DenyBlocking = true };
    }

    /// <summary>True between MULTI and EXEC.</summary>
    public bool InMulti => _queued != null;

    /// <summary>Runs (or queues) one command. Returns an error text for a command Redis would refuse to load.
    /// Caller holds the keyspace lock.</summary>
    public string? Execute(ArgList args)
    {
        CommandSpec? spec = Resolve(args);
        if (spec == null)
        {
            return $"Unknown command '{Encoding.UTF8.GetString(args[0])}'";
        }
        if (!spec.ArityMatches(args.Count))
        {
            return $"Wrong number of arguments for '{spec.FullName}'";
        }
        if (TransactionCommands.IsExec(spec))
        {
            List<byte[][]> queued = _queued ?? [];
            _queued = null;
            foreach (byte[][] command in queued)
            {
                LoadArgs(command);
                Run(Resolve(_session.Args)!);
            }
            return null;
        }
        if (_queued != null)
        {
            var copy = new byte[args.Count][];
            for (int i = 0; i < copy.Length; i++)
            {
                copy[i] = args.ToArray(i);
            }
            _queued.Add(copy);
            return null;
        }
        if (IsMulti(spec))
        {
            _queued = [];
            return null;
        }
        _session.Args.Clear();
        for (int i = 0; i < args.Count; i++)
        {
            ArgSlice a = args.Slice(i);
            _session.Args.Add(a.Buffer, a.Offset, a.Length);
        }
        Run(spec);
        return null;
    }

    /// <summary>Drops an unfinished MULTI (the loader reverts to before it).</summary>
    public void DiscardMulti() => _queued = null;

    private CommandSpec? Resolve(ArgList args)
    {
        CommandSpec? spec = _server.Commands.Find(args[0]);
        if (spec != null && spec.Subcommands.Length > 0 && args.Count >= 2)
        {
            spec = CommandTable.FindSubcommand(spec, args[1]);
        }
        return spec;
    }

    private static bool IsMulti(CommandSpec spec) => spec.Name.Equals("multi", StringComparison.OrdinalIgnoreCase);

    private void LoadArgs(byte[][] command)
    {
        _session.Args.Clear();
        foreach (byte[] a in command)
        {
            _session.Args.Add(a, 0, a.Length);
        }
    }

    private void Run(CommandSpec spec)
    {
        CommandContext ctx = _session.Context;
        ctx.Command = spec;
        ctx.Failed = false;
        ctx.RedactedArgs = 0;
        ctx.NowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        spec.Handler(ctx);
        _session.Reply.Reset();
    }
}
