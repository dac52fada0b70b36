namespace Amber.Config;

/// <summary>An invalid configuration; the message is what redis-server would print before exiting.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>Builds a <see cref="ServerConfig"/> from amber-server's command line: [config-file] [--name value ...].</summary>
internal static class ConfigLoader
{
    public static ServerConfig FromCommandLine(string[] args)
    {
        var config = new ServerConfig();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--port" && i + 1 < args.Length)
            {
                config.Port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return config;
    }
}
