using Amber.Config;
using Amber.Diagnostics;
using Amber.Server;

namespace Amber.Hosting;

/// <summary>
/// Runs amber-server as a process: reads the configuration (file, then command-line overrides), starts the
/// server, logs as redis-server does and shuts down cleanly on SIGTERM/SIGINT or SHUTDOWN.
/// </summary>
public static class ServerHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var log = new ServerLog();
        ServerConfig config;
        try
        {
            config = ConfigLoader.FromCommandLine(args);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        log.Level = ServerLog.ParseLevel(config.LogLevel);
        if (config.LogFile.Length > 0)
        {
            log.OpenFile(config.LogFile);
        }
        log.Notice("oO0OoO0OoO0Oo Amber is starting oO0OoO0OoO0Oo");
        log.Notice($"Amber version={AmberServer.Version}, bits=64, pid={Environment.ProcessId}, just started");
        if (config.ConfigFile == null)
        {
            log.Warning("Warning: no config file specified, using the default config. In order to specify a config file use amber-server /path/to/redis.conf");
        }
        else
        {
            log.Notice("Configuration loaded");
        }

        config.MaxClients = OpenFilesLimit.Initialize(config.MaxClients, log);
        await using var server = new AmberServer(config, log);
        try
        {
            server.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            log.Warning($"Failed listening on port {config.Port} (tcp), aborting: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is Persistence.Aof.AofLoadException or Persistence.Aof.AofManifestException or IOException)
        {
            // The AOF could not be loaded or set up: as Redis, refuse to start rather than serve a partial dataset.
            log.Warning(e.Message);
            return 1;
        }
        log.Notice($"Server initialized");
        // Clients are accepted while the dataset loads (they get -LOADING); a damaged file stops the server.
        if (!await server.StartupLoad.ConfigureAwait(false))
        {
            return 1;
        }
        log.Notice("Ready to accept connections tcp");

        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            log.Warning("Received SIGTERM scheduling shutdown...");
            server.RequestShutdown(new ShutdownRequest(null, false, false));
        });
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            log.Warning("Received SIGINT scheduling shutdown...");
            server.RequestShutdown(new ShutdownRequest(null, false, false));
        });

        server.ShutdownHandler = request =>
        {
            log.Warning("User requested shutdown...");
            if (!server.Rdb.SaveBeforeExit(request))
            {
                return false;
            }
            log.Warning("Amber is now ready to exit, bye bye...");
            _ = server.StopAsync();
            return true;
        };
        await server.Stopped.ConfigureAwait(false);
        return 0;
    }
}
