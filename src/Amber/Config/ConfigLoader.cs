using System.Text;
using Amber.Server;

namespace Amber.Config;

/// <summary>An invalid configuration; the message is what redis-server would print before exiting.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>
/// Builds a <see cref="ServerConfig"/> from amber-server's command line exactly as redis-server reads its own:
/// <c>amber-server [/path/to/redis.conf] [-] [--name value ...]</c>. The file is read first, then standard input
/// when "-" is given, then every --name option as one more line (values quoted), and the whole text is parsed as one
/// redis.conf, so errors name the line the way redis-server does.
/// </summary>
internal static class ConfigLoader
{
    /// <summary>Deprecated directives Redis 7.0 still accepts and ignores, with their exact argument count (name included).</summary>
    private static readonly (string Name, int Argc)[] s_deprecated =
        [("list-max-ziplist-entries", 2), ("list-max-ziplist-value", 2), ("lua-replicate-commands", 2)];

    public static ServerConfig FromCommandLine(string[] args, TextReader? stdin = null, bool changeProcessDirectory = true)
    {
        var config = new ServerConfig { ChangeProcessDirectory = changeProcessDirectory };
        int j = 0;
        string? file = null;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            file = Path.GetFullPath(args[0]);
            j = 1;
        }
        bool fromStdin = false;
        string options = BuildOptions(args, j, ref fromStdin);

        var text = new StringBuilder();
        if (file != null)
        {
            text.Append(ReadConfigFile(file));
        }
        if (fromStdin)
        {
            text.Append((stdin ?? Console.In).ReadToEnd());
        }
        text.Append('\n').Append(options);
        config.ConfigFile = file;
        LoadFromString(config, text.ToString());
        return config;
    }

    /// <summary>
    /// Turns "--name value ..." arguments into config lines, as redis-server's main() does: a new line per --name,
    /// each value quoted; "--save" with no value (last, or followed by another --option) means save "".
    /// </summary>
    internal static string BuildOptions(string[] args, int start, ref bool fromStdin)
    {
        var options = new StringBuilder();
        bool handledLastConfigArg = true;
        for (int j = start; j < args.Length; j++)
        {
            string a = args[j];
            if (a == "-" && (j == 0 || j == args.Length - 1))
            {
                fromStdin = true;
            }
            else if (handledLastConfigArg && a.StartsWith("--", StringComparison.Ordinal))
            {
                if (options.Length > 0)
                {
                    options.Append('\n');
                }
                options.Append(a, 2, a.Length - 2).Append(' ');
                string[]? parts = ConfigText.Split(a);
                if (parts is { Length: 1 })
                {
                    // Only the option's name: its values follow as separate arguments.
                    handledLastConfigArg = false;
                    bool isSave = a.Equals("--save", StringComparison.OrdinalIgnoreCase);
                    if (isSave && j != args.Length - 1 && args[j + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        options.Append("\"\"");
                        handledLastConfigArg = true;
                    }
                    else if (isSave && j == args.Length - 1)
                    {
                        options.Append("\"\"");
                    }
                }
                else
                {
                    // Name and value in one argument, e.g. "--port 6380".
                    handledLastConfigArg = true;
                }
            }
            else
            {
                options.Append(ConfigText.Repr(a)).Append(' ');
                handledLastConfigArg = true;
            }
        }
        return options.ToString();
    }

    /// <summary>Parses redis.conf text into <paramref name="config"/>; throws <see cref="ConfigException"/> on the first bad line.</summary>
    public static void LoadFromString(ServerConfig config, string text) => LoadFromString(config, text, new LoadState());

    private static void LoadFromString(ServerConfig config, string text, LoadState state)
    {
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = ConfigText.TrimLine(lines[i]);
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            string[]? argv = ConfigText.Split(line);
            if (argv == null)
            {
                throw Fatal(i + 1, line, "Unbalanced quotes in configuration line");
            }
            if (argv.Length == 0)
            {
                continue;
            }
            string name = argv[0].ToLowerInvariant();
            if (ConfigRegistry.Find(name) is { } entry)
            {
                string? error = Apply(config, entry.Param, argv, state);
                if (error != null)
                {
                    throw Fatal(i + 1, line, error);
                }
                continue;
            }
            if (Array.Exists(s_deprecated, d => d.Name == name && d.Argc == argv.Length))
            {
                continue;
            }
            if (name == "include" && argv.Length == 2)
            {
                LoadFromString(config, ReadConfigFile(argv[1]), state);
            }
            else if (name == "rename-command" && argv.Length == 3)
            {
                throw Fatal(i + 1, line, "rename-command is not supported by Amber");
            }
            else if (name == "loadmodule" && argv.Length >= 2)
            {
                throw Fatal(i + 1, line, "loadmodule is not supported by Amber");
            }
            else
            {
                throw Fatal(i + 1, line, "Bad directive or wrong number of arguments");
            }
        }
    }

    private static string? Apply(ServerConfig config, ConfigParam param, string[] argv, LoadState state)
    {
        bool multi = param.Has(ConfigFlags.MultiArg);
        if (!multi && argv.Length != 2)
        {
            return "wrong number of arguments";
        }
        string[] values = argv[1..];
        if (multi && values.Length == 1 && values[0].Length > 0)
        {
            // A multi-argument directive given as one quoted value ("900 1 300 10") is split again.
            values = ConfigText.Split(values[0]) ?? [];
        }
        if (!param.TryParse(config, values, out object? value, out string error))
        {
            return error;
        }
        if (param.Name == "save")
        {
            // Redis keeps the default save points unless the file names some; then every save line adds points,
            // and save "" clears them.
            if (values is [""])
            {
                config.Save = [];
            }
            if (!state.SaveLoaded)
            {
                state.SaveLoaded = true;
                config.Save = [];
            }
            config.Save.AddRange((List<SavePoint>)value!);
            return null;
        }
        param.Set(config, value);
        return null;
    }

    /// <summary>Reads a config file, or every file a pattern (with * ? [) matches; a pattern matching nothing is empty.</summary>
    private static string ReadConfigFile(string path)
    {
        if (path.AsSpan().IndexOfAny("*?[") >= 0)
        {
            var sb = new StringBuilder();
            foreach (string match in Glob(path))
            {
                sb.Append(ReadOne(match));
            }
            return sb.ToString();
        }
        return ReadOne(path);
    }

    private static string ReadOne(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
                UnauthorizedAccessException => "Permission denied",
                _ => e.Message,
            };
            throw new ConfigException($"Fatal error, can't open config file '{path}': {reason}");
        }
    }

    /// <summary>Files matching a pattern in its last path component, sorted as glob(3) sorts them.</summary>
    private static List<string> Glob(string path)
    {
        string dir = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
        byte[] pattern = Encoding.UTF8.GetBytes(Path.GetFileName(path));
        var result = new List<string>();
        if (!Directory.Exists(dir))
        {
            return result;
        }
        foreach (string candidate in Directory.GetFiles(dir))
        {
            if (Text.GlobPattern.IsMatch(pattern, Encoding.UTF8.GetBytes(Path.GetFileName(candidate))))
            {
                result.Add(candidate);
            }
        }
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    /// <summary>
    /// redis-server's fatal config error, byte for byte. The banner keeps "Redis 7.0.15": Amber reports itself as
    /// Redis 7.0.15 everywhere a tool may parse it (INFO redis_version, HELLO), and scripts that grep for the banner keep working.
    /// </summary>
    private static ConfigException Fatal(int lineNumber, string line, string error) =>
        new($"\n*** FATAL CONFIG FILE ERROR (Redis {AmberServer.Version}) ***\nReading the configuration file, at line {lineNumber}\n>>> '{line}'\n{error}");

    private sealed class LoadState
    {
        public bool SaveLoaded;
    }
}
