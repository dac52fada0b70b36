using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.PersistenceTestKit;

namespace Amber.Tests.Persistence;

/// <summary>
/// Saves that fail (ENOSPC mid-write, fsync, rename, directory fsync): the previous dump survives byte for byte, no
/// temp file is left, the failure is logged and reported, and MISCONF refuses writes until a save succeeds.
/// </summary>
public sealed class SaveFailureTests
{
    private const string Misconf =
        "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set " +
        "are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error " +
        "option). Please check the Redis logs for details about the RDB error.\r\n";

    public static TheoryData<string> Faults => new() { "enospc", "fsync", "rename", "dirsync" };

    private static void Arm(FaultInjectingFileSystem fs, string fault)
    {
        switch (fault)
        {
            case "enospc":
                fs.FailWritesAfterBytes = 100;
                break;
            case "fsync":
                fs.FailSync = true;
                break;
            case "rename":
                fs.FailRename = true;
                break;
            default:
                fs.FailDirectorySync = true;
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task FailedSaveLeavesThePreviousDumpAndNoTempFile(string fault)
    {
        var fs = new FaultInjectingFileSystem();
        var log = new LogCapture();
        await using TestServer server = TestServer.Start(null, new TestServerOptions { FileSystem = fs, Log = log });
        RawClient c = server.Raw();
        c.Call("SET", "old", "1");
        Assert.Equal("+OK\r\n", c.Call("SAVE"));
        string dump = Path.Combine(server.Directory, "dump.rdb");
        byte[] good = File.ReadAllBytes(dump);

        SampleDataset.Write(c);
        Arm(fs, fault);
        Assert.Equal("-ERR\r\n", c.Call("SAVE"));
        // SAVE's failure is not a background save's: the status stays ok (Redis 7.0), the changes stay counted.
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
        Assert.NotEqual("0", Info(c, "rdb_changes_since_last_save"));
        if (fault != "dirsync")
        {
            // (A failed directory fsync comes after the rename: the new file is in place but not known to be durable.)
            Assert.Equal(good, File.ReadAllBytes(dump));
        }
        Assert.Empty(TempFiles(server.Directory));

        Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
        await WaitForBgsaveAsync(c);
        Assert.Equal("err", Info(c, "rdb_last_bgsave_status"));
        Assert.NotEqual("-1", Info(c, "rdb_last_bgsave_time_sec"));
        if (fault != "dirsync")
        {
            Assert.Equal(good, File.ReadAllBytes(dump));
        }
        Assert.Empty(TempFiles(server.Directory));
        string text = log.ToString();
        Assert.Contains("Background saving error", text);
        Assert.Contains(fault switch
        {
            "enospc" => "Write error saving DB on disk (write): No space left on device",
            "fsync" => "Write error saving DB on disk (fsync): Input/output error",
            "rename" => "Error moving temp DB file",
            _ => "Write error saving DB on disk (fsync of the directory)",
        }, text);
    }

    [Fact]
    public async Task MisconfRefusesWritesAndPingUntilASaveSucceeds()
    {
        var fs = new FaultInjectingFileSystem { FailRename = true };
        await using TestServer server = TestServer.Start(null, new TestServerOptions { FileSystem = fs });
        RawClient c = server.Raw();
        c.Call("SET", "k", "v");
        Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
        await WaitForBgsaveAsync(c);
        Assert.Equal("err", Info(c, "rdb_last_bgsave_status"));

        Assert.Equal(Misconf, c.Call("SET", "k", "w"));
        Assert.Equal(Misconf, c.Call("PING"));
        Assert.Equal(Misconf, c.Call("FLUSHALL"));
        Assert.Equal("$1\r\nv\r\n", c.Call("GET", "k"));
        Assert.StartsWith("$", c.Call("INFO", "persistence"));
        // In a transaction the refused write aborts EXEC, as any command rejected while queueing.
        Assert.Equal("+OK\r\n", c.Call("MULTI"));
        Assert.Equal(Misconf, c.Call("SET", "k", "x"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", c.Call("EXEC"));
        Assert.Contains("errorstat_MISCONF:count=", c.Call("INFO", "errorstats"));

        // Only with save points and stop-writes-on-bgsave-error yes.
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"));
        Assert.Equal(Misconf, c.Call("PING"));
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "save", ""));
        Assert.Equal("+OK\r\n", c.Call("SET", "k", "w"));
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "save", "3600 1"));
        Assert.Equal(Misconf, c.Call("SET", "k", "w"));

        // The disk recovers: a successful save clears the error.
        fs.FailRename = false;
        Assert.Equal("+OK\r\n", c.Call("SAVE"));
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
        Assert.Equal("+OK\r\n", c.Call("SET", "k", "x"));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
    }

    [Fact]
    public async Task SavePointsRetryAFailedSaveOnlyAfterTheRetryDelay()
    {
        var fs = new FaultInjectingFileSystem { FailSync = true };
        await using TestServer server = TestServer.Start(c => c.Save = [new(1, 1)], new TestServerOptions { FileSystem = fs });
        RawClient c = server.Raw();
        c.Call("SET", "k", "v");
        // As if the last save were long ago: the save point is due at the next cron tick.
        lock (server.Server.KeyspaceLock)
        {
            server.Server.LastSaveUnixSeconds -= 100;
        }
        await WaitUntilAsync(() => Info(c, "rdb_last_bgsave_status") == "err", "the automatic save to fail");
        Assert.Equal("1", Info(c, "rdb_saves"));
        // Within the 5 s retry delay nothing is retried...
        lock (server.Server.KeyspaceLock)
        {
            server.Server.Cron(100);
        }
        await WaitForBgsaveAsync(c);
        Assert.Equal("1", Info(c, "rdb_saves"));
        // ... after it, the save point tries again, and succeeds on a healthy disk.
        fs.FailSync = false;
        lock (server.Server.KeyspaceLock)
        {
            server.Server.PersistenceStatus.LastBgsaveTryUnixSeconds -= 10;
        }
        await WaitUntilAsync(() => Info(c, "rdb_last_bgsave_status") == "ok" && Info(c, "rdb_bgsave_in_progress") == "0", "the retried save");
        Assert.Equal("2", Info(c, "rdb_saves"));
        Assert.Equal("0", Info(c, "rdb_changes_since_last_save"));
    }
}
