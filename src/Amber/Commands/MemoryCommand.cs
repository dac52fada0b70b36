using System.Runtime;

namespace Amber.Commands;

/// <summary>
/// MEMORY PURGE | HELP. Redis's PURGE asks jemalloc to hand dirty pages back; Amber's counterpart is a blocking,
/// compacting full garbage collection (including the large object heap), after which the GC can return emptied
/// regions to the OS. It is how bench/memory.sh reads the live size of the dataset rather than live data plus
/// whatever garbage the last gen0 budget left. USAGE, STATS, DOCTOR and MALLOC-STATS are not implemented yet.
/// </summary>
internal static class MemoryCommand
{
    /// <summary>MEMORY HELP's lines, as Redis 7.0 prints them (clients may parse them).</summary>
    private static readonly string[] HelpLines =
    [
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
    ];

    public static void Register(CommandTable t)
    {
        t.Add(new("memory", -2, CommandFlags.None, 0, 0, 0, "slow", Container)
        {
            Since = "4.0.0",
            Group = "server",
            Summary = "Memory introspection and housekeeping.",
            Complexity = "Per subcommand",
            Subcommands =
            [
                new("help", 2, CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "slow", Help) { Since = "4.0.0", Group = "server", Summary = "Lists the MEMORY subcommands.", Complexity = "O(1)" },
                new("purge", 2, CommandFlags.None, 0, 0, 0, "slow", Purge)
                {
                    Since = "4.0.0",
                    Group = "server",
                    Summary = "Collects garbage now and returns free memory to the OS.",
                    Complexity = "Depends on how much memory is allocated, could be slow",
                    Tips = ["request_policy:all_shards", "response_policy:all_succeeded"],
                },
            ],
        });
    }

    /// <summary>Reached only if the dispatcher did not resolve a subcommand.</summary>
    private static void Container(CommandContext ctx) =>
        ctx.Error(Errors.SubcommandSyntax(ctx.ArgCount > 1 ? ctx.ArgString(1) : "", ctx.ArgString(0)));

    private static void Help(CommandContext ctx) => HelpText.Write(ctx.Reply, "MEMORY", HelpLines);

    private static void Purge(CommandContext ctx)
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        ctx.Reply.WriteSimpleString("OK");
    }
}
