using Amber.Commands;

namespace Amber.Diagnostics;

/// <summary>Per-command counters behind INFO commandstats/latencystats and LATENCY HISTOGRAM.</summary>
internal static class CommandStatistics
{
    /// <summary>Clears every command's and subcommand's counters and latency histogram (CONFIG RESETSTAT).</summary>
    public static void ResetAll(CommandTable table)
    {
        foreach (CommandSpec c in table.All)
        {
            Reset(c);
        }
    }

    private static void Reset(CommandSpec c)
    {
        c.Calls = 0;
        c.MicrosecondsTotal = 0;
        c.RejectedCalls = 0;
        c.FailedCalls = 0;
        c.Latency = null;
        foreach (CommandSpec sub in c.Subcommands)
        {
            Reset(sub);
        }
    }
}
