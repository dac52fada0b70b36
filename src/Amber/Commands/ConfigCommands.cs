using System.Net;
using System.Text;
using Amber.Config;
using Amber.Text;

namespace Amber.Commands;

/// <summary>CONFIG GET SET RESETSTAT REWRITE HELP.</summary>
internal static class ConfigCommands
{
    private static readonly string[] s_help =
    [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(CommandTable t)
    {
        const CommandFlags Admin = CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
        const string AdminCategories = "admin slow dangerous";
        t.Add(new("config", -2, CommandFlags.None, 0, 0, 0, "slow", static _ => { })
        {
            Group = "server",
            Since = "2.0.0",
            Summary = "Container for server configuration commands.",
            Subcommands =
            [
                new("get", -3, Admin, 0, 0, 0, AdminCategories, Get)
                {
                    Group = "server", Since = "2.0.0", Complexity = "O(N) when N is the number of configuration parameters provided",
                    Summary = "Returns the values of the configuration parameters matching the patterns.",
                },
                new("set", -4, Admin, 0, 0, 0, AdminCategories, Set)
                {
                    Group = "server", Since = "2.0.0", Complexity = "O(N) when N is the number of configuration parameters provided",
                    Summary = "Changes configuration parameters at runtime, all or none.",
                },
                new("resetstat", 2, Admin, 0, 0, 0, AdminCategories, ResetStat)
                {
                    Group = "server", Since = "2.0.0", Complexity = "O(1)", Summary = "Zeroes the statistics INFO reports.",
                },
                new("rewrite", 2, Admin, 0, 0, 0, AdminCategories, Rewrite)
                {
                    Group = "server", Since = "2.8.0", Complexity = "O(1)", Summary = "Writes the running configuration back to the config file.",
                },
                new("help", 2, CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "slow", Help)
                {
                    Group = "server", Since = "5.0.0", Complexity = "O(1)", Summary = "Lists the CONFIG subcommands.",
                },
            ],
        });
    }

    private static void Get(CommandContext ctx)
    {
        var matches = new List<(string Name, ConfigParam Param)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            ReadOnlySpan<byte> pattern = ctx.Arg(i);
            if (pattern.IndexOfAny("[*?"u8) < 0)
            {
                // An exact name is reported as the client spelled it, hidden parameters included.
                string name = ctx.ArgString(i);
                if (!seen.Contains(name) && ConfigRegistry.Find(name) is { } entry)
                {
                    seen.Add(name);
                    matches.Add((name, entry.Param));
                }
                continue;
            }
            foreach (ConfigEntry entry in ConfigRegistry.Entries)
            {
                if (entry.Param.Has(ConfigFlags.Hidden) || seen.Contains(entry.Name))
                {
                    continue;
                }
                if (GlobPattern.IsMatch(pattern, Encoding.ASCII.GetBytes(entry.Name), ignoreCase: true))
                {
                    seen.Add(entry.Name);
                    matches.Add((entry.Name, entry.Param));
                }
            }
        }
        ctx.Reply.WriteMapHeader(matches.Count);
        foreach (var (name, param) in matches)
        {
            ctx.Reply.WriteBulkString(name);
            ctx.Reply.WriteBulkString(param.Get(ctx.Server.Config));
        }
    }

    private static void Set(CommandContext ctx)
    {
        if ((ctx.ArgCount & 1) != 0)
        {
            ctx.SyntaxError();
            return;
        }
        ServerConfig config = ctx.Server.Config;
        int count = (ctx.ArgCount - 2) / 2;
        var entries = new ConfigEntry[count];
        string? unknown = null;
        string? error = null;
        string? errorName = null;
        for (int i = 0; i < count && unknown == null && error == null; i++)
        {
            string name = ctx.ArgString(2 + i * 2);
            ConfigEntry? entry = ConfigRegistry.Find(name);
            if (entry == null)
            {
                unknown = name;
                break;
            }
            if (entry.Param.Has(ConfigFlags.Immutable) || (entry.Param.Has(ConfigFlags.Protected) && !AllowProtected(ctx)))
            {
                error = entry.Param.Has(ConfigFlags.Immutable) ? "can't set immutable config" : "can't set protected config";
                errorName = name;
                break;
            }
            for (int j = 0; j < i; j++)
            {
                // Redis compares the name entries: a parameter and its alias count as two.
                if (entries[j] == entry)
                {
                    error = "duplicate parameter";
                    errorName = name;
                    break;
                }
            }
            entries[i] = entry;
        }
        if (unknown != null)
        {
            ctx.Error(Errors.ConfigSetUnknown(unknown));
            return;
        }
        if (error != null)
        {
            ctx.Error(Errors.ConfigSetFailed(errorName!, error));
            return;
        }

        // Validate every value before changing anything, then set them all, then run live effects.
        var values = new object?[count];
        var oldValues = new string[count];
        for (int i = 0; i < count; i++)
        {
            ConfigParam p = entries[i].Param;
            if (!p.TryParse(config, SplitValue(p, ctx.ArgString(3 + i * 2)), out values[i], out string parseError))
            {
                ctx.Error(Errors.ConfigSetFailed(entries[i].Name, parseError));
                return;
            }
            oldValues[i] = p.Get(config);
        }
        for (int i = 0; i < count; i++)
        {
            entries[i].Param.Set(config, values[i]);
        }
        for (int i = 0; i < count; i++)
        {
            ConfigParam p = entries[i].Param;
            if (p.Apply == null || p.Get(config) == oldValues[i] || Array.FindIndex(entries, 0, i, e => e.Param.Apply == p.Apply) >= 0)
            {
                continue;
            }
            if (p.Apply(ctx.Server) is string applyError)
            {
                ctx.Server.Log.Warning($"Failed applying new configuration. Possibly related to new {entries[i].Name} setting. Restoring previous settings.");
                Restore(ctx, entries, oldValues);
                ctx.Error(Errors.ConfigSetFailed(entries[i].Name, applyError));
                return;
            }
        }
        ctx.Reply.WriteOk();
    }

    private static void Restore(CommandContext ctx, ConfigEntry[] entries, string[] oldValues)
    {
        ServerConfig config = ctx.Server.Config;
        for (int i = 0; i < entries.Length; i++)
        {
            ConfigParam p = entries[i].Param;
            if (p.TryParse(config, SplitValue(p, oldValues[i]), out object? old, out _))
            {
                p.Set(config, old);
                p.Apply?.Invoke(ctx.Server);
            }
        }
    }

    /// <summary>CONFIG SET gives one value; multi-argument parameters split it on single spaces (an empty value is no arguments).</summary>
    private static string[] SplitValue(ConfigParam p, string value) =>
        !p.Has(ConfigFlags.MultiArg) ? [value] : value.Length == 0 ? [] : value.Split(' ');

    /// <summary>enable-protected-configs: yes allows everyone, local allows loopback clients.</summary>
    private static bool AllowProtected(CommandContext ctx)
    {
        string mode = ctx.Server.Config.EnableProtectedConfigs;
        if (mode.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (!mode.Equals("local", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (ctx.Session.RemoteEndPoint is not IPEndPoint ip)
        {
            return true; // Unix socket clients are local.
        }
        IPAddress address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        return IPAddress.IsLoopback(address);
    }

    private static void ResetStat(CommandContext ctx)
    {
        ctx.Server.Stats.Reset();
        Diagnostics.CommandStatistics.ResetAll(ctx.Server.Commands);
        ctx.Reply.WriteOk();
    }

    private static void Rewrite(CommandContext ctx)
    {
        string? path = ctx.Server.Config.ConfigFile;
        if (path == null)
        {
            ctx.Error(Errors.NoConfigFile);
            return;
        }
        try
        {
            ConfigRewriter.Rewrite(ctx.Server.Config, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = ConfigRewriter.Describe(e);
            ctx.Server.Log.Warning($"CONFIG REWRITE failed: {reason}");
            ctx.Error($"ERR Rewriting config file: {reason}");
            return;
        }
        ctx.Server.Log.Notice("CONFIG REWRITE executed with success.");
        ctx.Reply.WriteOk();
    }

    private static void Help(CommandContext ctx)
    {
        ctx.Reply.WriteArrayHeader(s_help.Length);
        foreach (string line in s_help)
        {
            ctx.Reply.WriteSimpleString(line);
        }
    }
}
