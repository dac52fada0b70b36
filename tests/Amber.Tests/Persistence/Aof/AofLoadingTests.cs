using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.Aof.AofStartupTests;
using static Amber.Tests.Persistence.PersistenceTestKit;

namespace Amber.Tests.Persistence.Aof;

/// <summary>
/// The AOF loads after the listener opens, as dump.rdb does: clients get -LOADING meanwhile, INFO shows loading:1
/// with progress over the base and incr files together, aof_enabled:0 and the aof sizes at zero (as Redis 7.0).
/// A damaged file still stops the server (exit code 1, file and offset named).
/// </summary>
public sealed class AofLoadingTests : IDisposable
{
    private const string Loading = "-LOADING Redis is loading the dataset in memory\r\n";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>An RDB base holding the sample dataset (a rewrite), then an incr file with more writes.</summary>
    private async Task<string> WriteBaseAndIncrAsync()
    {
        await using AofServer s = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes");
        RawClient c = s.Raw();
        SampleDataset.Write(c);
        Assert.Equal("+Background append only file rewriting started\r\n", c.Call("BGREWRITEAOF"));
        AofRewriteTests.WaitForRewriteIdle(c);
        for (int i = 0; i < 2000; i++)
        {
            c.Call("SET", $"after:{i}", i.ToString());
        }
        c.Call("INCRBY", "counter", "5");
        return SampleDataset.Fingerprint(c);
    }

    private long SizeOf(string name) => new FileInfo(_dir.File(name)).Length;

    [Fact]
    public async Task ClientsGetLoadingWhileTheAofLoadsThenTheData()
    {
        string fingerprint = await WriteBaseAndIncrAsync();
        long baseSize = SizeOf("appendonly.aof.2.base.rdb");
        long incrSize = SizeOf("appendonly.aof.2.incr.aof");
        Assert.True(incrSize > 20_000, "the incr file holds the writes after the rewrite");

        // The load stops at the first read of the incr file: the base is in, the incr file not yet.
        var fs = new FaultInjectingFileSystem { ReadGate = new ManualResetEventSlim(false), ReadGateOffset = 0, ReadGateFileSuffix = ".incr.aof" };
        await using AofServer s = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes", fs, waitForLoad: false);
        Assert.True(fs.ReadReachedGate.Wait(TimeSpan.FromSeconds(30)));
        RawClient c = s.Raw();
        Assert.Equal(Loading, c.Call("GET", "after:1"));
        Assert.Equal(Loading, c.Call("PING"));
        Assert.Equal(Loading, c.Call("DBSIZE"));
        Assert.Equal(Loading, c.Call("SET", "x", "1"));
        Assert.Equal(Loading, c.Call("BGREWRITEAOF"));
        Assert.Equal(Loading, c.Call("DEBUG", "LOADAOF"));
        Assert.StartsWith("*2", c.Call("CONFIG", "GET", "appendonly"));

        Assert.Equal("1", Info(c, "loading"));
        // As Redis 7.0: the AOF is off while it loads (aof_enabled:0), its size fields are shown and zero.
        Assert.Equal("0", Info(c, "aof_enabled"));
        List<string> names = InfoNames(c);
        Assert.Equal(
            ["module_fork_in_progress", "module_fork_last_cow_size", "aof_current_size", "aof_base_size", "aof_pending_rewrite",
             "aof_buffer_length", "aof_pending_bio_fsync", "aof_delayed_fsync", "loading_start_time", "loading_total_bytes",
             "loading_rdb_used_mem", "loading_loaded_bytes", "loading_loaded_perc", "loading_eta_seconds"],
            names[^14..]);
        Assert.Equal("0", Info(c, "aof_current_size"));
        // Progress counts every file of the manifest: the base is loaded, the incr file is next.
        Assert.Equal((baseSize + incrSize).ToString(), Info(c, "loading_total_bytes"));
        Assert.Equal(baseSize.ToString(), Info(c, "loading_loaded_bytes"));
        Assert.Equal((100.0 * baseSize / (baseSize + incrSize)).ToString("F2", System.Globalization.CultureInfo.InvariantCulture), Info(c, "loading_loaded_perc"));
        Assert.True(long.Parse(Info(c, "loading_rdb_used_mem")!) > 0, "used-mem comes from the base's AUX field");
        Assert.False(s.Server.StartupLoad.IsCompleted);

        fs.ReadGate.Set();
        Assert.True(await s.Server.StartupLoad.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Assert.Equal("0", Info(c, "loading"));
        Assert.Equal("1", Info(c, "aof_enabled"));
        Assert.Null(Info(c, "loading_total_bytes"));
        Assert.Equal((baseSize + incrSize).ToString(), Info(c, "aof_current_size"));
        Assert.Equal(fingerprint, SampleDataset.Fingerprint(c));
        Assert.Equal("$1\r\n5\r\n", c.Call("GET", "counter"));
        // Writes go to the incr file again once loaded.
        Assert.Equal("+OK\r\n", c.Call("SET", "later", "1"));
        Assert.True(SpinWait.SpinUntil(() => SizeOf("appendonly.aof.2.incr.aof") > incrSize, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void AmberServerAnswersLoadingWhileALargeAofLoads()
    {
        // A RESP base and an incr file of 2000 commands; key-load-delay (1 ms a command) keeps the load going ~2 s.
        Directory.CreateDirectory(_dir.AofDir);
        var incr = new System.Text.StringBuilder(Cmd("SELECT", "0"));
        for (int i = 0; i < 2000; i++)
        {
            incr.Append(Cmd("SET", $"k:{i}", new string('v', 100)));
        }
        File.WriteAllText(_dir.File("appendonly.aof.1.base.aof"), Cmd("SELECT", "0") + Cmd("SET", "base", "1"));
        File.WriteAllText(_dir.File("appendonly.aof.1.incr.aof"), incr.ToString());
        File.WriteAllText(_dir.File("appendonly.aof.manifest"),
            "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        long total = SizeOf("appendonly.aof.1.base.aof") + SizeOf("appendonly.aof.1.incr.aof");

        using ServerProcess server = ServerProcess.StartListening(_dir.Path, "--appendonly", "yes", "--save", "", "--key-load-delay", "1000");
        using var c = new RawClient(server.Port);
        Assert.Equal(Loading, c.Call("PING"));
        Assert.Equal(Loading, c.Call("GET", "k:1"));
        string info = c.Call("INFO", "persistence");
        Assert.Contains("\r\nloading:1\r\n", info);
        Assert.Contains($"\r\nloading_total_bytes:{total}\r\n", info);
        Assert.Contains("\r\naof_enabled:0\r\n", info);
        Assert.DoesNotContain("Ready to accept connections", server.Output);

        Assert.True(server.WaitUntil(() => server.Output.Contains("Ready to accept connections"), TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Assert.Equal(":2001\r\n", c.Call("DBSIZE"));
        Assert.Equal($"${100}\r\n{new string('v', 100)}\r\n", c.Call("GET", "k:1999"));
        Assert.Contains("\r\naof_enabled:1\r\n", c.Call("INFO", "persistence"));
        Assert.Contains("DB loaded from incr file appendonly.aof.1.incr.aof", server.Output);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public async Task ConfigSetAppendonlyWhileTheAofLoadsTakesEffectAfterIt(string appendonly)
    {
        await WriteBaseAndIncrAsync();
        string[] files = Directory.GetFiles(_dir.AofDir).Order().ToArray();
        var fs = new FaultInjectingFileSystem { ReadGate = new ManualResetEventSlim(false), ReadGateOffset = 0, ReadGateFileSuffix = ".incr.aof" };
        await using AofServer s = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes", fs, waitForLoad: false);
        Assert.True(fs.ReadReachedGate.Wait(TimeSpan.FromSeconds(30)));
        RawClient c = s.Raw();
        // no, then (for "yes") back to yes: each a change, so each applied.
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "appendonly", "no"));
        if (appendonly == "yes")
        {
            Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "appendonly", "yes"));
        }
        fs.ReadGate.Set();
        Assert.True(await s.Server.StartupLoad.WaitAsync(TimeSpan.FromSeconds(30)));
        // No second AOF was started on the half-loaded dataset (no temp incr file, no rewrite).
        Assert.Equal(appendonly == "yes" ? "1" : "0", Info(c, "aof_enabled"));
        Assert.Equal("0", Info(c, "aof_rewrites"));
        Assert.Equal(files, Directory.GetFiles(_dir.AofDir).Order().ToArray());
        Assert.Equal("$1\r\n5\r\n", c.Call("GET", "counter"));
    }

    [Fact]
    public async Task AServerThatFailsToLoadKeepsRefusingCommands()
    {
        string good = Cmd("SELECT", "0") + Cmd("set", "a", "1");
        Directory.CreateDirectory(_dir.AofDir);
        File.WriteAllText(_dir.File("appendonly.aof.1.incr.aof"), good + "garbage\r\n");
        File.WriteAllText(_dir.File("appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq 1 type i\n");
        await using AofServer s = AofServer.Start(_dir.Path, fs: null, waitForLoad: false);
        Assert.False(await s.Server.StartupLoad.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"Bad file format reading the append only file appendonly.aof.1.incr.aof", s.Log);
        Assert.Contains($"offset {good.Length}", s.Server.StartupLoadFailure!.Message);
        // The partial dataset (key a) is never served while the process exits.
        Assert.Equal(Loading, s.Raw().Call("GET", "a"));
    }

    [Fact]
    public void AmberServerExitsWithCode1OnADamagedIncrFile()
    {
        string good = Cmd("SELECT", "0") + Cmd("set", "a", "1") + Cmd("set", "b", "2");
        Directory.CreateDirectory(_dir.AofDir);
        File.WriteAllText(_dir.File("appendonly.aof.1.base.aof"), Cmd("SELECT", "0") + Cmd("set", "base", "1"));
        File.WriteAllText(_dir.File("appendonly.aof.1.incr.aof"), good + "garbage\r\n" + Cmd("set", "c", "3"));
        File.WriteAllText(_dir.File("appendonly.aof.manifest"),
            "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        (int exitCode, string output) = ServerProcess.StartExpectingExit(_dir.Path, "--appendonly", "yes", "--save", "");
        Assert.Equal(1, exitCode);
        Assert.Contains("Bad file format reading the append only file appendonly.aof.1.incr.aof", output);
        Assert.Contains($"(offset {good.Length}:", output);
        Assert.Contains("amber-check-aof --fix", output);
        Assert.DoesNotContain("Ready to accept connections", output);
    }

    [Fact]
    public void AmberServerExitsWithCode1OnATornTailWhenTruncationIsOff()
    {
        string good = Cmd("SELECT", "0") + Cmd("set", "a", "1");
        Directory.CreateDirectory(_dir.AofDir);
        File.WriteAllText(_dir.File("appendonly.aof.1.incr.aof"), good + "*3\r\n$3\r\nset\r\n$1\r\nb");
        File.WriteAllText(_dir.File("appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq 1 type i\n");
        (int exitCode, string output) = ServerProcess.StartExpectingExit(_dir.Path, "--appendonly", "yes", "--save", "", "--aof-load-truncated", "no");
        Assert.Equal(1, exitCode);
        Assert.Contains($"Unexpected end of file reading the append only file appendonly.aof.1.incr.aof (offset {good.Length})", output);
        Assert.DoesNotContain("Ready to accept connections", output);
    }
}
