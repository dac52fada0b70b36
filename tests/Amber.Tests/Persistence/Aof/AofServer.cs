using Amber.Config;
using Amber.Diagnostics;
using Amber.Persistence.Storage;
using Amber.Server;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence.Aof;

/// <summary>
/// An in-process Amber server on a directory the test owns (so a second server can start on the same files), with
/// appendonly on by default and an optional fault-injecting file system. The log is kept for assertions.
/// </summary>
internal sealed class AofServer : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private AofServer(AmberServer server, StringWriter log)
    {
        Server = server;
        LogText = log;
        Port = server.BoundPorts[0];
    }

    public AmberServer Server { get; }
    public int Port { get; }
    public StringWriter LogText { get; }

    public string Log => LogText.ToString();

    /// <summary>
    /// Starts a server; unless <paramref name="waitForLoad"/> is false, waits until the AOF is loaded (it loads
    /// after the listener opens) and fails the test when the load failed.
    /// </summary>
    public static AofServer Start(string dir, Action<ServerConfig>? configure = null, IFileSystem? fs = null, bool waitForLoad = true)
    {
        var config = new ServerConfig { Port = 0, Bind = ["127.0.0.1"], Dir = dir, AppendOnly = true };
        configure?.Invoke(config);
        var log = new StringWriter();
        var server = new AmberServer(config, new ServerLog(TextWriter.Synchronized(log)));
        if (fs != null)
        {
            server.FileSystem = fs;
        }
        server.Start();
        var started = new AofServer(server, log);
        if (waitForLoad && !(server.StartupLoad.Wait(TimeSpan.FromSeconds(60)) && server.StartupLoad.Result))
        {
            server.StopAsync().GetAwaiter().GetResult();
            Assert.Fail("the AOF did not load:\n" + started.Log);
        }
        return started;
    }

    /// <summary>
    /// Starts a server and returns the exception that stopped its startup: thrown by Start (manifest, setup) or the
    /// one that failed the load on the load thread. Fails when the server started.
    /// </summary>
    public static Exception StartFails(string dir, Action<ServerConfig>? configure = null)
    {
        var config = new ServerConfig { Port = 0, Bind = ["127.0.0.1"], Dir = dir, AppendOnly = true };
        configure?.Invoke(config);
        var server = new AmberServer(config, new ServerLog(TextWriter.Null));
        Exception? e = Record.Exception(server.Start);
        if (e == null)
        {
            Assert.True(server.StartupLoad.Wait(TimeSpan.FromSeconds(60)), "the startup load did not finish");
            e = server.StartupLoad.Result ? null : server.StartupLoadFailure;
            server.StopAsync().GetAwaiter().GetResult();
        }
        Assert.NotNull(e);
        return e!;
    }

    public RawClient Raw()
    {
        var c = new RawClient(Port);
        _owned.Add(c);
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IDisposable d in _owned)
        {
            d.Dispose();
        }
        await Server.StopAsync();
    }
}

/// <summary>A temp directory removed at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "amber-aof-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string AofDir => System.IO.Path.Combine(Path, "appendonlydir");

    public string File(string name) => System.IO.Path.Combine(AofDir, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
