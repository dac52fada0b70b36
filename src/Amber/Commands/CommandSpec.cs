namespace Amber.Commands;

internal delegate void CommandHandler(CommandContext ctx);

/// <summary>
/// One command's metadata (what COMMAND reports and the dispatcher checks) and its handler.
/// Arity follows Redis: positive = exact argument count including the name, negative = at least that many.
/// </summary>
internal sealed class CommandSpec
{
    public CommandSpec(string name, int arity, CommandFlags flags, int firstKey, int lastKey, int step, string categories, CommandHandler handler)
    {
        Name = name;
        NameBytes = System.Text.Encoding.ASCII.GetBytes(name);
        Arity = arity;
        Flags = flags;
        FirstKey = firstKey;
        LastKey = lastKey;
        Step = step;
        Categories = categories.Length == 0 ? [] : categories.Split(' ');
        Handler = handler;
    }

    public string Name { get; }
    public byte[] NameBytes { get; }
    public int Arity { get; }
    public CommandFlags Flags { get; }
    public int FirstKey { get; }
    public int LastKey { get; }
    public int Step { get; }

    /// <summary>ACL categories without the @ (e.g. "string", "fast").</summary>
    public string[] Categories { get; }
    public CommandHandler Handler { get; }

    /// <summary>For container commands (CONFIG, CLIENT ...): subcommands by lowercase name; the full name is "parent|sub".</summary>
    public CommandSpec[] Subcommands { get; init; } = [];
    public CommandSpec? Parent { get; internal set; }

    /// <summary>Computes key positions for commands whose keys move (MovableKeys), e.g. ZUNIONSTORE, SORT; null when fixed.</summary>
    public Func<Protocol.ArgList, List<int>, bool>? KeyFinder { get; init; }

    /// <summary>Like <see cref="KeyFinder"/> but also gives each key's flags (SORT: the STORE key is OW update); preferred when set.</summary>
    public Func<Protocol.ArgList, List<(int Position, KeySpecFlags Flags)>, bool>? KeyFlagsFinder { get; init; }

    /// <summary>Short description for COMMAND DOCS, written for Amber.</summary>
    public string Summary { get; init; } = "";
    public string Since { get; init; } = "1.0.0";
    public string Group { get; init; } = "generic";
    public string Complexity { get; init; } = "";

    /// <summary>Command tips as COMMAND INFO reports them (e.g. "nondeterministic_output", "request_policy:all_shards").</summary>
    public string[] Tips { get; init; } = [];

    /// <summary>Documented arguments (COMMAND DOCS, redis-cli help and hints).</summary>
    public CommandArg[] Arguments { get; init; } = [];

    /// <summary>COMMAND DOCS doc_flags: "syscmd", "deprecated".</summary>
    public string[] DocFlags { get; init; } = [];

    /// <summary>Redis 7 key specs; when null they are derived from FirstKey/LastKey/Step (see <see cref="KeySpec.For"/>).</summary>
    public KeySpec[]? KeySpecs { get; init; }

    /// <summary>"get", or "config|get" for a subcommand; lowercase, computed once (CLIENT LIST cmd=, errors).</summary>
    public string FullName => _fullName ??= (Parent == null ? Name : Parent.Name + "|" + Name).ToLowerInvariant();

    private string? _fullName;

    public bool Has(CommandFlags flag) => (Flags & flag) != 0;

    // Statistics for INFO commandstats.
    public long Calls;
    public long MicrosecondsTotal;
    public long RejectedCalls;
    public long FailedCalls;

    /// <summary>Latency distribution for INFO latencystats and LATENCY HISTOGRAM; created on the first call.</summary>
    public Diagnostics.LatencyHistogram? Latency;

    public bool ArityMatches(int argc) => Arity >= 0 ? argc == Arity : argc >= -Arity;
}
