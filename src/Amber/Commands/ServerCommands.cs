using Amber.Diagnostics;
using Amber.Protocol;
using Amber.Server;

namespace Amber.Commands;

/// <summary>INFO TIME LASTSAVE MONITOR SLOWLOG LATENCY.</summary>
internal static class ServerCommands
{
    private const CommandFlags LS = CommandFlags.Loading | CommandFlags.Stale;
    private const CommandFlags AdminLS = CommandFlags.Admin | LS;
    private const CommandFlags AdminNoScriptLS = CommandFlags.Admin | CommandFlags.NoScript | LS;
    private const string AdminCats = "admin slow dangerous";

    public static void Register(CommandTable t)
    {
        t.Add(new("info", -1, LS, 0, 0, 0, "slow dangerous", Info)
        {
            Group = "server",
            Complexity = "O(1)",
            Summary = "Reports server state and statistics, by section.",
            Arguments = [new("section", ArgType.String) { Flags = ArgFlags.Optional | ArgFlags.Multiple }],
            Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        });
        t.Add(new("time", 1, LS | CommandFlags.Fast, 0, 0, 0, "fast", Time)
        {
            Group = "server",
            Since = "2.6.0",
            Complexity = "O(1)",
            Summary = "Returns the server's clock.",
            Tips = ["nondeterministic_output"],
        });
        t.Add(new("lastsave", 1, LS | CommandFlags.Fast, 0, 0, 0, "admin fast dangerous", LastSave)
        {
            Group = "server",
            Complexity = "O(1)",
            Summary = "Returns when the dataset was last saved, in Unix seconds.",
            Tips = ["nondeterministic_output"],
        });
        t.Add(new("monitor", 1, AdminNoScriptLS, 0, 0, 0, AdminCats, Monitor)
        {
            Group = "server",
            Complexity = "",
            Summary = "Streams every command the server runs to this connection.",
        });
        t.Add(new("slowlog", -2, CommandFlags.None, 0, 0, 0, "slow", _ => { })
        {
            Group = "server",
            Since = "2.2.12",
            Complexity = "Depends on subcommand.",
            Summary = "Container for the slow log subcommands.",
            Subcommands =
            [
                new("get", -2, AdminLS, 0, 0, 0, AdminCats, SlowlogGet)
                {
                    Group = "server", Since = "2.2.12", Complexity = "O(N) where N is the number of entries returned",
                    Summary = "Returns the newest slow log entries.",
                    Arguments = [new("count", ArgType.Integer) { Flags = ArgFlags.Optional }],
                    Tips = ["request_policy:all_nodes", "nondeterministic_output"],
                },
                new("help", 2, LS, 0, 0, 0, "slow", SlowlogHelp) { Group = "server", Since = "6.2.0", Complexity = "O(1)", Summary = "Shows the SLOWLOG subcommands." },
                new("len", 2, AdminLS, 0, 0, 0, AdminCats, SlowlogLen)
                {
                    Group = "server", Since = "2.2.12", Complexity = "O(1)", Summary = "Counts the slow log entries.",
                    Tips = ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
                },
                new("reset", 2, AdminLS, 0, 0, 0, AdminCats, SlowlogReset)
                {
                    Group = "server", Since = "2.2.12", Complexity = "O(N) where N is the number of entries in the slowlog",
                    Summary = "Empties the slow log.", Tips = ["request_policy:all_nodes", "response_policy:all_succeeded"],
                },
            ],
        });
        string[] special = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"];
        t.Add(new("latency", -2, CommandFlags.None, 0, 0, 0, "slow", _ => { })
        {
            Group = "server",
            Since = "2.8.13",
            Complexity = "Depends on subcommand.",
            Summary = "Container for the latency monitor subcommands.",
            Subcommands =
            [
                new("doctor", 2, AdminNoScriptLS, 0, 0, 0, AdminCats, LatencyDoctor) { Group = "server", Since = "2.8.13", Complexity = "O(1)", Summary = "Reports on latency events in words.", Tips = special },
                new("graph", 3, AdminNoScriptLS, 0, 0, 0, AdminCats, LatencyGraph) { Group = "server", Since = "2.8.13", Complexity = "O(1)", Summary = "Draws a latency event's samples as text.", Tips = special, Arguments = [new("event", ArgType.String)] },
                new("help", 2, LS, 0, 0, 0, "slow", LatencyHelp) { Group = "server", Since = "2.8.13", Complexity = "O(1)", Summary = "Shows the LATENCY subcommands." },
                new("histogram", -2, AdminNoScriptLS, 0, 0, 0, AdminCats, LatencyHistogramCommand)
                {
                    Group = "server", Since = "7.0.0", Complexity = "O(N) where N is the number of commands with latency information being retrieved.",
                    Summary = "Returns the latency distribution of commands.", Tips = special,
                    Arguments = [new("command", ArgType.String) { Flags = ArgFlags.Optional | ArgFlags.Multiple }],
                },
                new("history", 3, AdminNoScriptLS, 0, 0, 0, AdminCats, LatencyHistory) { Group = "server", Since = "2.8.13", Complexity = "O(1)", Summary = "Returns a latency event's samples.", Tips = special, Arguments = [new("event", ArgType.String)] },
                new("latest", 2, AdminNoScriptLS, 0, 0, 0, AdminCats, LatencyLatest) { Group = "server", Since = "2.8.13", Complexity = "O(1)", Summary = "Returns the latest sample of every latency event.", Tips = special },
                new("reset", -2, AdminNoScriptLS, 0, 0, 0, AdminCats, LatencyReset)
                {
                    Group = "server", Since = "2.8.13", Complexity = "O(1)", Summary = "Clears latency event samples.",
                    Arguments = [new("event", ArgType.String) { Flags = ArgFlags.Optional | ArgFlags.Multiple }],
                    Tips = ["request_policy:all_nodes", "response_policy:all_succeeded"],
                },
            ],
        });
    }

    private static void Info(CommandContext ctx)
    {
        InfoSections sections = InfoBuilder.Parse(ctx, 1);
        ctx.Reply.WriteVerbatim(ctx.Server.Info.Build(sections, ctx.NowMs));
    }

    private static void Time(CommandContext ctx)
    {
        long micros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulkInteger(micros / 1_000_000);
        ctx.Reply.WriteBulkInteger(micros % 1_000_000);
    }

    private static void LastSave(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Server.LastSaveUnixSeconds);

    private static void Monitor(CommandContext ctx)
    {
        ClientSession session = ctx.Session;
        if (session.DenyBlocking)
        {
            // Inside EXEC: such a client expects one reply per command.
            ctx.Error(Errors.MonitorDenyBlocking);
            return;
        }
        if (session.IsMonitor)
        {
            return; // Redis ignores MONITOR from a client already monitoring: no reply at all
        }
        session.IsMonitor = true;
        ctx.Server.Monitors.Add(session);
        ctx.Reply.WriteOk();
    }

    private static void SlowlogGet(CommandContext ctx)
    {
        long count = 10;
        if (ctx.ArgCount == 3)
        {
            if (!CommandContext.TryParseLong(ctx.Arg(2), out count) || count < -1)
            {
                ctx.Error(Errors.SlowlogCount);
                return;
            }
        }
        else if (ctx.ArgCount > 3)
        {
            ctx.Error(Errors.SubcommandSyntax(ctx.ArgString(1), "slowlog"));
            return;
        }
        SlowLog log = ctx.Server.SlowLog;
        long n = count == -1 ? log.Count : Math.Min(count, log.Count);
        RespWriter w = ctx.Reply;
        w.WriteArrayHeader(n);
        foreach (SlowLogEntry e in log.Entries)
        {
            if (n-- <= 0)
            {
                break;
            }
            w.WriteArrayHeader(6);
            w.WriteInteger(e.Id);
            w.WriteInteger(e.UnixSeconds);
            w.WriteInteger(e.Micros);
            w.WriteArrayHeader(e.Args.Length);
            foreach (byte[] a in e.Args)
            {
                w.WriteBulkString(a);
            }
            w.WriteBulkString(e.ClientAddress);
            w.WriteBulkString(e.ClientName);
        }
    }

    private static void SlowlogLen(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Server.SlowLog.Count);

    private static void SlowlogReset(CommandContext ctx)
    {
        ctx.Server.SlowLog.Reset();
        ctx.Reply.WriteOk();
    }

    private static void SlowlogHelp(CommandContext ctx) => HelpText.Write(ctx.Reply, "SLOWLOG",
    [
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
    ]);

    // The latency monitor records no events yet: every event query is empty, as on a Redis that saw none.

    private static void LatencyLatest(CommandContext ctx) => ctx.Reply.WriteEmptyArray();

    private static void LatencyHistory(CommandContext ctx) => ctx.Reply.WriteEmptyArray();

    private static void LatencyReset(CommandContext ctx) => ctx.Reply.WriteInteger(0);

    private static void LatencyGraph(CommandContext ctx) => ctx.Error(Errors.NoLatencySamples(ctx.ArgString(2)));

    private static void LatencyDoctor(CommandContext ctx)
    {
        string report = ctx.Server.Config.LatencyMonitorThreshold == 0
            ? "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
            : "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
        ctx.Reply.WriteVerbatim(report);
    }

    private static void LatencyHistogramCommand(CommandContext ctx)
    {
        RespWriter w = ctx.Reply;
        int at = w.BeginDeferredArray();
        int written = 0;
        if (ctx.ArgCount == 2)
        {
            foreach (CommandSpec c in ctx.Server.Commands.All)
            {
                written += WriteHistograms(w, c, includeSubcommands: true);
            }
        }
        else
        {
            for (int i = 2; i < ctx.ArgCount; i++)
            {
                CommandSpec? c = IntrospectionCommands.LookupByFullName(ctx.Server.Commands, ctx.Arg(i));
                if (c != null)
                {
                    written += WriteHistograms(w, c, includeSubcommands: true);
                }
            }
        }
        w.EndDeferredArray(at, written, map: true);
    }

    private static int WriteHistograms(RespWriter w, CommandSpec c, bool includeSubcommands)
    {
        int written = 0;
        if (c.Latency != null)
        {
            w.WriteBulkString(c.FullName);
            w.WriteMapHeader(2);
            w.WriteBulkString("calls");
            w.WriteInteger(c.Latency.TotalCount);
            w.WriteBulkString("histogram_usec");
            List<(long Micros, long Cumulative)> cdf = c.Latency.CumulativeByPowerOfTwo();
            w.WriteMapHeader(cdf.Count);
            foreach ((long micros, long cumulative) in cdf)
            {
                w.WriteInteger(micros);
                w.WriteInteger(cumulative);
            }
            written++;
        }
        if (includeSubcommands)
        {
            foreach (CommandSpec sub in c.Subcommands)
            {
                written += WriteHistograms(w, sub, includeSubcommands: false);
            }
        }
        return written;
    }

    private static void LatencyHelp(CommandContext ctx) => HelpText.Write(ctx.Reply, "LATENCY",
    [
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
    ]);
}
