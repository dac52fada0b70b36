using Amber.Notifications;
using System.Globalization;
using System.Text;
using static Amber.Config.ConfigFlags;

namespace Amber.Config;

/// <summary>Parameters with their own syntax: save, dir, bind, client-output-buffer-limit, notify-keyspace-events ...</summary>
internal static partial class ConfigRegistry
{
    private const int MaxBindAddresses = 16;
    private static readonly int[] s_oomDefaults = [0, 200, 800];

    private static void AddSpecials()
    {
        Add(new SpecialParam("dir", null, Protected)
        {
            Getter = c => c.Dir,
            Parser = ParseDir,
            Setter = SetDir,
            Rewriter = (c, state, name) => state.RewriteLine(name, name + " " + ConfigText.Repr(c.Dir), true),
        });
        Add(new SpecialParam("save", null, MultiArg)
        {
            Getter = c => FormatSave(c.Save),
            Parser = (_, args) => ParseSave(args),
            Setter = (c, v) => c.Save = [.. (List<SavePoint>)v!],
            Rewriter = RewriteSave,
        });
        Add(new SpecialParam("client-output-buffer-limit", null, MultiArg)
        {
            Getter = c => FormatOutputLimits(c.ClientOutputBufferLimits),
            Parser = ParseOutputLimits,
            Setter = (c, v) => c.ClientOutputBufferLimits = (ClientOutputBufferLimit[])v!,
            Rewriter = RewriteOutputLimits,
        });
        Add(new SpecialParam("oom-score-adj-values", null, MultiArg)
        {
            Getter = c => string.Join(' ', OomValues(c)),
            Parser = (_, args) => ParseOomValues(args),
            Setter = (c, v) => c.Other["oom-score-adj-values"] = v!,
            Rewriter = (c, state, name) =>
            {
                int[] v = OomValues(c);
                state.RewriteLine(name, name + " " + string.Join(' ', v), !v.AsSpan().SequenceEqual(s_oomDefaults));
            },
        });
        Add(new SpecialParam("notify-keyspace-events", null, None)
        {
            Getter = c => KeyspaceEventsToString(c.NotifyKeyspaceEvents),
            Parser = (_, args) => TryParseKeyspaceEvents(args[0], out NotifyFlags f)
                ? (f, null)
                : (null, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
            Setter = (c, v) => c.NotifyKeyspaceEvents = (NotifyFlags)v!,
            Rewriter = (c, state, name) => state.RewriteLine(name,
                name + " " + ConfigText.Repr(KeyspaceEventsToString(c.NotifyKeyspaceEvents)), c.NotifyKeyspaceEvents != NotifyFlags.None),
        });
        Add(new SpecialParam("bind", null, MultiArg)
        {
            Getter = c => string.Join(' ', c.Bind),
            Parser = (_, args) => args.Length > MaxBindAddresses
                ? (null, "Too many bind addresses specified.")
                : (args.Length == 1 && args[0].Length == 0 ? Array.Empty<string>() : (string[])args.Clone(), null),
            Setter = (c, v) => c.Bind = (string[])v!,
            Rewriter = RewriteBind,
            Apply = s => s.TryRebind() ? null : "Failed to bind to specified addresses.",
        });
        Add(new SpecialParam("replicaof", "slaveof", Immutable | MultiArg)
        {
            Getter = c => c.Other.TryGetValue("replicaof", out object? v) ? (string)v : "",
            Parser = (_, args) => ParseReplicaOf(args),
            Setter = (c, v) => c.Other["replicaof"] = v!,
            Rewriter = (c, state, name) =>
            {
                string v = c.Other.TryGetValue("replicaof", out object? o) ? (string)o : "";
                if (v.Length == 0)
                {
                    state.MarkProcessed(name);
                    return;
                }
                state.RewriteLine(name, name + " " + v, true);
            },
        });
        Add(new SpecialParam("latency-tracking-info-percentiles", null, MultiArg)
        {
            Getter = c => string.Join(' ', Array.ConvertAll(Percentiles(c), FormatPercentile)),
            Parser = (_, args) => ParsePercentiles(args),
            Setter = (c, v) => c.LatencyTrackingInfoPercentiles = (double[])v!,
            Rewriter = (c, state, name) =>
            {
                double[] p = Percentiles(c);
                state.RewriteLine(name, p.Length == 0 ? name + " \"\"" : name + " " + string.Join(' ', Array.ConvertAll(p, FormatPercentile)), true);
            },
        });
    }

    private static (object?, string?) ParseDir(ServerConfig c, string[] args)
    {
        if (args.Length != 1)
        {
            return (null, "wrong number of arguments");
        }
        string path;
        try
        {
            path = args[0].Length == 0 ? "" : Path.GetFullPath(args[0], c.Dir);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return (null, "No such file or directory");
        }
        if (path.Length == 0 || !Directory.Exists(path))
        {
            return (null, File.Exists(path) ? "Not a directory" : "No such file or directory");
        }
        return (Path.TrimEndingDirectorySeparator(path) is { Length: > 0 } trimmed ? trimmed : path, null);
    }

    private static void SetDir(ServerConfig c, object? value)
    {
        string dir = (string)value!;
        if (c.ChangeProcessDirectory)
        {
            try
            {
                Directory.SetCurrentDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;
            }
        }
        c.Dir = dir;
    }

    private static string FormatSave(List<SavePoint> points)
    {
        var sb = new StringBuilder();
        foreach (SavePoint p in points)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }
            sb.Append(p.Seconds.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(p.Changes.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>"seconds changes" pairs; a single empty argument means no save points.</summary>
    internal static (object?, string?) ParseSave(string[] args)
    {
        if (args.Length == 1 && args[0].Length == 0)
        {
            args = [];
        }
        if (args.Length % 2 != 0)
        {
            return (null, "Invalid save parameters");
        }
        var points = new List<SavePoint>();
        for (int j = 0; j < args.Length; j += 2)
        {
            if (!ConfigUnits.TryParseLenientLong(args[j], out long seconds) || seconds < 1 ||
                !ConfigUnits.TryParseLenientLong(args[j + 1], out long changes) || changes < 0)
            {
                return (null, "Invalid save parameters");
            }
            points.Add(new SavePoint(seconds, (int)Math.Min(changes, int.MaxValue)));
        }
        return (points, null);
    }

    private static void RewriteSave(ServerConfig c, ConfigRewriteState state, string name)
    {
        if (c.Save.Count == 0)
        {
            state.RewriteLine(name, "save \"\"", true);
        }
        foreach (SavePoint p in c.Save)
        {
            state.RewriteLine(name, $"save {p.Seconds} {p.Changes}", true);
        }
        state.MarkProcessed(name);
    }

    private static readonly string[] s_classNames = ["normal", "slave", "pubsub"];

    private static string FormatOutputLimits(ClientOutputBufferLimit[] limits)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < limits.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }
            sb.Append(CultureInfo.InvariantCulture, $"{s_classNames[i]} {(ulong)limits[i].HardBytes} {(ulong)limits[i].SoftBytes} {limits[i].SoftSeconds}");
        }
        return sb.ToString();
    }

    private static (object?, string?) ParseOutputLimits(ServerConfig c, string[] args)
    {
        if (args.Length % 4 != 0)
        {
            return (null, "Wrong number of arguments in buffer limit configuration.");
        }
        ClientOutputBufferLimit[] result = (ClientOutputBufferLimit[])c.ClientOutputBufferLimits.Clone();
        for (int j = 0; j < args.Length; j += 4)
        {
            int cls = args[j].ToLowerInvariant() switch
            {
                "normal" => 0,
                "slave" or "replica" => 1,
                "pubsub" => 2,
                _ => -1,
            };
            if (cls < 0)
            {
                return (null, "Invalid client class specified in buffer limit configuration.");
            }
            if (!ConfigUnits.TryParseMemory(args[j + 1], out ulong hard) || !ConfigUnits.TryParseMemory(args[j + 2], out ulong soft) ||
                !ConfigUnits.TryParseLenientLong(args[j + 3], out long seconds) || seconds < 0)
            {
                return (null, "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            }
            result[cls] = new ClientOutputBufferLimit((long)hard, (long)soft, seconds);
        }
        return (result, null);
    }

    private static void RewriteOutputLimits(ServerConfig c, ConfigRewriteState state, string name)
    {
        ClientOutputBufferLimit[] defaults = ClientOutputBufferLimit.Defaults();
        string[] rewriteNames = ["normal", "replica", "pubsub"];
        for (int i = 0; i < defaults.Length; i++)
        {
            ClientOutputBufferLimit l = c.ClientOutputBufferLimits[i];
            string line = $"{name} {rewriteNames[i]} {ConfigUnits.FormatMemory(l.HardBytes)} {ConfigUnits.FormatMemory(l.SoftBytes)} {l.SoftSeconds}";
            state.RewriteLine(name, line, l != defaults[i]);
        }
    }

    private static int[] OomValues(ServerConfig c) =>
        c.Other.TryGetValue("oom-score-adj-values", out object? v) ? (int[])v : s_oomDefaults;

    private static (object?, string?) ParseOomValues(string[] args)
    {
        if (args.Length != 3)
        {
            return (null, "wrong number of arguments");
        }
        int[] values = new int[3];
        for (int i = 0; i < 3; i++)
        {
            if (!ConfigUnits.TryParseLenientLong(args[i], out long v) || v < -2000 || v > 2000)
            {
                return (null, "Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
            }
            values[i] = (int)v;
        }
        return (values, null);
    }

    private static void RewriteBind(ServerConfig c, ConfigRewriteState state, string name)
    {
        if (c.Bind.AsSpan().SequenceEqual(new ServerConfig().Bind))
        {
            state.MarkProcessed(name);
            return;
        }
        state.RewriteLine(name, name + " " + (c.Bind.Length > 0 ? string.Join(' ', c.Bind) : "\"\""), true);
    }

    private static (object?, string?) ParseReplicaOf(string[] args)
    {
        if (args.Length != 2)
        {
            return (null, "wrong number of arguments");
        }
        if (args[0].Equals("no", StringComparison.OrdinalIgnoreCase) && args[1].Equals("one", StringComparison.OrdinalIgnoreCase))
        {
            return ("", null);
        }
        if (!ConfigUnits.TryParseLenientLong(args[1], out long port) || port < 0 || port > 65535)
        {
            return (null, "Invalid master port");
        }
        return ($"{args[0]} {port}", null);
    }

    private static double[] Percentiles(ServerConfig c) => c.LatencyTrackingInfoPercentiles;

    private static (object?, string?) ParsePercentiles(string[] args)
    {
        if (args.Length == 1 && args[0].Length == 0)
        {
            args = [];
        }
        double[] values = new double[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            if (!Commands.CommandContext.TryParseDouble(Encoding.UTF8.GetBytes(args[i]), out double p))
            {
                return (null, "Invalid latency-tracking-info-percentiles parameters");
            }
            if (p > 100.0 || p < 0.0)
            {
                return (null, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
            }
            values[i] = p;
        }
        return (values, null);
    }

    /// <summary>"%f" with trailing zeros (and a trailing dot) removed.</summary>
    private static string FormatPercentile(double p)
    {
        string s = p.ToString("F6", CultureInfo.InvariantCulture);
        return s.Contains('.') ? s.TrimEnd('0').TrimEnd('.') : s;
    }

    internal static string KeyspaceEventsToString(NotifyFlags flags)
    {
        var sb = new StringBuilder();
        if ((flags & NotifyFlags.All) == NotifyFlags.All)
        {
            sb.Append('A');
        }
        else
        {
            Append(NotifyFlags.Generic, 'g');
            Append(NotifyFlags.String, '$');
            Append(NotifyFlags.List, 'l');
            Append(NotifyFlags.Set, 's');
            Append(NotifyFlags.Hash, 'h');
            Append(NotifyFlags.SortedSet, 'z');
            Append(NotifyFlags.Expired, 'x');
            Append(NotifyFlags.Evicted, 'e');
            Append(NotifyFlags.Stream, 't');
            Append(NotifyFlags.Module, 'd');
            Append(NotifyFlags.New, 'n');
        }
        Append(NotifyFlags.Keyspace, 'K');
        Append(NotifyFlags.Keyevent, 'E');
        Append(NotifyFlags.KeyMiss, 'm');
        return sb.ToString();

        void Append(NotifyFlags f, char c)
        {
            if ((flags & f) != 0)
            {
                sb.Append(c);
            }
        }
    }

    internal static bool TryParseKeyspaceEvents(string text, out NotifyFlags flags)
    {
        flags = NotifyFlags.None;
        foreach (char c in text)
        {
            flags |= c switch
            {
                'A' => NotifyFlags.All,
                'g' => NotifyFlags.Generic,
                '$' => NotifyFlags.String,
                'l' => NotifyFlags.List,
                's' => NotifyFlags.Set,
                'h' => NotifyFlags.Hash,
                'z' => NotifyFlags.SortedSet,
                'x' => NotifyFlags.Expired,
                'e' => NotifyFlags.Evicted,
                'K' => NotifyFlags.Keyspace,
                'E' => NotifyFlags.Keyevent,
                't' => NotifyFlags.Stream,
                'm' => NotifyFlags.KeyMiss,
                'd' => NotifyFlags.Module,
                'n' => NotifyFlags.New,
                _ => (NotifyFlags)(-1),
            };
            if ((int)flags == -1)
            {
                return false;
            }
        }
        return true;
    }
}
