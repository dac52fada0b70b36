using System.Diagnostics;
using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.PersistenceTestKit;

namespace Amber.Tests.Persistence;

/// <summary>
/// dump.rdb at startup: loaded while the listener already answers (-LOADING, INFO loading_*), a damaged or empty file
/// stops startup naming file and offset, a missing file starts empty.
/// </summary>
public sealed class StartupLoadTests : IDisposable
{
    private readonly string _dir = NewDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DumpPath => Path.Combine(_dir, "dump.rdb");

    private async Task WriteDumpAsync(int scale = 1)
    {
        await using TestServer server = TestServer.Start(null, new TestServerOptions { Directory = _dir });
        RawClient c = server.Raw();
        SampleDataset.Write(c, scale: scale);
        Assert.Equal("+OK\r\n", c.Call("SAVE"));
    }

    [Fact]
    public async Task ClientsGetLoadingWhileTheDumpLoads()
    {
        await WriteDumpAsync();
        long size = new FileInfo(DumpPath).Length;
        var fs = new FaultInjectingFileSystem { ReadGate = new ManualResetEventSlim(false), ReadGateOffset = 200 };
        await using TestServer server = TestServer.Start(null, new TestServerOptions { Directory = _dir, FileSystem = fs, WaitForLoad = false });
        Assert.True(fs.ReadReachedGate.Wait(TimeSpan.FromSeconds(30)));
        RawClient c = server.Raw();
        const string Loading = "-LOADING Redis is loading the dataset in memory\r\n";
        Assert.Equal(Loading, c.Call("GET", "s:0:1"));
        Assert.Equal(Loading, c.Call("PING"));
        Assert.Equal(Loading, c.Call("DBSIZE"));
        Assert.Equal(Loading, c.Call("SET", "x", "1"));
        Assert.Equal(Loading, c.Call("SAVE"));
        Assert.StartsWith(":", c.Call("LASTSAVE"));
        Assert.StartsWith("*2", c.Call("CONFIG", "GET", "save"));

        Assert.Equal("1", Info(c, "loading"));
        List<string> names = InfoNames(c);
        Assert.Equal(
            ["module_fork_in_progress", "module_fork_last_cow_size", "loading_start_time", "loading_total_bytes", "loading_rdb_used_mem",
             "loading_loaded_bytes", "loading_loaded_perc", "loading_eta_seconds"],
            names[^8..]);
        Assert.Equal(size.ToString(), Info(c, "loading_total_bytes"));
        Assert.True(long.Parse(Info(c, "loading_rdb_used_mem")!) > 0, "used-mem comes from the file's AUX field");
        long start = long.Parse(Info(c, "loading_start_time")!);
        Assert.InRange(start, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Matches(@"^\d+\.\d\d$", Info(c, "loading_loaded_perc"));
        Assert.False(server.Server.StartupLoad.IsCompleted);

        fs.ReadGate.Set();
        Assert.True(await server.Server.StartupLoad.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Assert.Equal("0", Info(c, "loading"));
        Assert.Null(Info(c, "loading_total_bytes"));
        long keys = 0;
        foreach (string db in new[] { "0", "3", "15" })
        {
            c.Call("SELECT", db);
            keys += long.Parse(c.Call("DBSIZE")[1..^2]);
        }
        Assert.Equal(keys.ToString(), Info(c, "rdb_last_load_keys_loaded"));
    }

    [Fact]
    public async Task DamagedDumpStopsStartupNamingTheOffset()
    {
        await WriteDumpAsync();
        byte[] bytes = File.ReadAllBytes(DumpPath);
        File.WriteAllBytes(DumpPath, bytes[..(bytes.Length * 2 / 3)]);
        var log = new LogCapture();
        await using TestServer server = TestServer.Start(null, new TestServerOptions { Directory = _dir, Log = log, WaitForLoad = false });
        Assert.False(await server.Server.StartupLoad.WaitAsync(TimeSpan.FromSeconds(30)));
        string text = log.ToString();
        Assert.Contains("Fatal error loading the RDB file " + DumpPath, text);
        Assert.Matches(@"offset \d+", text);
        Assert.Contains("Terminating server after rdb file reading failure.", text);
        // Nothing half-loaded is visible, and the file is left as it was for inspection.
        Assert.Equal(bytes.Length * 2 / 3, new FileInfo(DumpPath).Length);
    }

    [Fact]
    public async Task EmptyDumpIsFatal()
    {
        File.WriteAllBytes(DumpPath, []);
        var log = new LogCapture();
        await using TestServer server = TestServer.Start(null, new TestServerOptions { Directory = _dir, Log = log, WaitForLoad = false });
        Assert.False(await server.Server.StartupLoad.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("offset 0", log.ToString());
    }

    [Fact]
    public async Task ChecksumMismatchIsFatalUnlessRdbchecksumIsOff()
    {
        await WriteDumpAsync();
        byte[] bytes = File.ReadAllBytes(DumpPath);
        bytes[^1] ^= 0x5A;
        File.WriteAllBytes(DumpPath, bytes);
        await using (TestServer strict = TestServer.Start(null, new TestServerOptions { Directory = _dir, WaitForLoad = false }))
        {
            Assert.False(await strict.Server.StartupLoad.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        // The documented way out when only the checksum is damaged.
        await using TestServer lenient = TestServer.Start(c => c.RdbChecksum = false, new TestServerOptions { Directory = _dir });
        Assert.True(await lenient.Server.StartupLoad);
        Assert.NotEqual("0", Info(lenient.Raw(), "rdb_last_load_keys_loaded"));
    }

    [Fact]
    public async Task MissingDumpStartsEmpty()
    {
        await using TestServer server = TestServer.Start(null, new TestServerOptions { Directory = _dir });
        Assert.True(server.Server.StartupLoad.IsCompletedSuccessfully);
        Assert.True(await server.Server.StartupLoad);
        RawClient c = server.Raw();
        Assert.Equal(":0\r\n", c.Call("DBSIZE"));
        Assert.Equal("0", Info(c, "rdb_last_load_keys_loaded"));
    }

    [Fact]
    public async Task AmberServerExitsWithCode1OnADamagedDump()
    {
        await WriteDumpAsync();
        byte[] bytes = File.ReadAllBytes(DumpPath);
        bytes[^3] ^= 0xFF; // inside the checksum
        File.WriteAllBytes(DumpPath, bytes);
        string dll = Path.Combine(AppContext.BaseDirectory, "amber-server.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { dll, "--port", "0", "--bind", "127.0.0.1", "--dir", _dir })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "amber-server kept running on a damaged dump");
        Assert.Equal(1, p.ExitCode);
        string output = await stdout + await stderr;
        Assert.Contains("Fatal error loading the RDB file", output);
        Assert.Contains("offset", output);
        Assert.DoesNotContain("Ready to accept connections", output);
    }
}
