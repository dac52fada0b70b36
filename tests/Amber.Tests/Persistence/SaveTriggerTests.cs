using Amber.Config;
using Amber.Persistence.RdbPersistence;
using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.PersistenceTestKit;

namespace Amber.Tests.Persistence;

/// <summary>What saves without being asked: save points, FLUSHALL with save points, SHUTDOWN.</summary>
public sealed class SaveTriggerTests
{
    [Fact]
    public void SavePointRuleMatchesRedis()
    {
        List<SavePoint> points = [new(3600, 1), new(300, 100), new(60, 10000)];
        // Changes and strictly more than the seconds since the last save.
        Assert.False(SavePoints.TryFindDue(points, 0, 10_000, 0, true, 0, out _));
        Assert.False(SavePoints.TryFindDue(points, 1, 3600, 0, true, 0, out _));
        Assert.True(SavePoints.TryFindDue(points, 1, 3601, 0, true, 0, out SavePoint due));
        Assert.Equal(new SavePoint(3600, 1), due);
        Assert.True(SavePoints.TryFindDue(points, 100, 301, 0, true, 0, out due));
        Assert.Equal(new SavePoint(300, 100), due);
        Assert.False(SavePoints.TryFindDue(points, 9999, 299, 0, true, 0, out _));
        // After a failed background save: only once more than 5 s passed since that attempt.
        Assert.False(SavePoints.TryFindDue(points, 100, 1000, 0, false, 995, out _));
        Assert.True(SavePoints.TryFindDue(points, 100, 1000, 0, false, 994, out _));
        Assert.False(SavePoints.TryFindDue([], 100, 1000, 0, true, 0, out _));
    }

    [Fact]
    public async Task SavePointStartsABackgroundSave()
    {
        var log = new LogCapture();
        await using TestServer server = TestServer.Start(c => c.Save = [new(1, 2)], new TestServerOptions { Log = log });
        RawClient c = server.Raw();
        c.Call("SET", "a", "1");
        lock (server.Server.KeyspaceLock)
        {
            server.Server.LastSaveUnixSeconds -= 5;
        }
        // One change is below the point's two: nothing happens, however long the cron runs.
        lock (server.Server.KeyspaceLock)
        {
            server.Server.Cron(100);
        }
        Assert.Equal("0", Info(c, "rdb_saves"));
        c.Call("SET", "b", "1");
        await WaitUntilAsync(() => Info(c, "rdb_saves") == "1" && Info(c, "rdb_bgsave_in_progress") == "0", "the save point to fire");
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
        Assert.Equal("0", Info(c, "rdb_changes_since_last_save"));
        Assert.True(File.Exists(Path.Combine(server.Directory, "dump.rdb")));
        Assert.Contains("2 changes in 1 seconds. Saving...", log.ToString());
        Assert.Contains("Background saving terminated with success", log.ToString());
    }

    [Fact]
    public async Task FlushallSavesWhenSavePointsExist()
    {
        await using TestServer server = TestServer.Start();
        RawClient c = server.Raw();
        c.Call("MSET", "a", "1", "b", "2");
        Assert.Equal("+OK\r\n", c.Call("FLUSHALL"));
        string dump = Path.Combine(server.Directory, "dump.rdb");
        Assert.True(File.Exists(dump));
        // The save reset the counter, and FLUSHALL saves do not count in rdb_saves (as Redis 7.0).
        Assert.Equal("0", Info(c, "rdb_changes_since_last_save"));
        Assert.Equal("0", Info(c, "rdb_saves"));
        await using TestServer reloaded = TestServer.Start(null, new TestServerOptions { Directory = server.Directory });
        Assert.Equal(":0\r\n", reloaded.Raw().Call("DBSIZE"));
    }

    [Fact]
    public async Task FlushallWithoutSavePointsWritesNothing()
    {
        await using TestServer server = TestServer.Start(c => c.Save = []);
        RawClient c = server.Raw();
        c.Call("MSET", "a", "1", "b", "2");
        Assert.Equal("+OK\r\n", c.Call("FLUSHALL"));
        Assert.False(File.Exists(Path.Combine(server.Directory, "dump.rdb")));
        Assert.Equal("4", Info(c, "rdb_changes_since_last_save"));
    }

    [Fact]
    public async Task FlushallStopsARunningBackgroundSave()
    {
        var fs = new FaultInjectingFileSystem { WriteGate = new ManualResetEventSlim(false) };
        await using TestServer server = TestServer.Start(c => c.Save = [], new TestServerOptions { FileSystem = fs });
        RawClient c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
        Assert.True(fs.WriteReachedGate.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal("+OK\r\n", c.Call("FLUSHALL"));
        Assert.Equal("0", Info(c, "rdb_bgsave_in_progress"));
        fs.WriteGate.Set();
        // The killed save never replaces the dump and its temp file goes.
        await WaitUntilAsync(() => TempFiles(server.Directory).Length == 0, "the killed save to clean up");
        Assert.False(File.Exists(Path.Combine(server.Directory, "dump.rdb")));
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
    }

    [Fact]
    public async Task ShutdownSavesOnlyWithSavePointsUnlessTold()
    {
        foreach ((Action<ServerConfig> config, string[] args, bool saves) in new (Action<ServerConfig>, string[], bool)[]
        {
            (_ => { }, ["SHUTDOWN"], true),
            (_ => { }, ["SHUTDOWN", "NOSAVE"], false),
            (c => c.Save = [], ["SHUTDOWN"], false),
            (c => c.Save = [], ["SHUTDOWN", "SAVE"], true),
        })
        {
            await using TestServer server = TestServer.Start(config);
            RawClient c = server.Raw();
            c.Call("SET", "a", "1");
            c.SendCommand(args);
            Assert.True(c.WaitForClose(TimeSpan.FromSeconds(10)));
            Assert.Equal(saves, File.Exists(Path.Combine(server.Directory, "dump.rdb")));
        }
    }

    [Fact]
    public async Task ShutdownFailsWhenTheFinalSaveFailsUnlessForced()
    {
        var fs = new FaultInjectingFileSystem { FailWritesAfterBytes = 10 };
        var log = new LogCapture();
        await using TestServer server = TestServer.Start(null, new TestServerOptions { FileSystem = fs, Log = log });
        RawClient c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", c.Call("SHUTDOWN"));
        Assert.Equal("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", c.Call("SHUTDOWN", "SAVE"));
        Assert.Contains("Error trying to save the DB, can't exit.", log.ToString());
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Assert.Empty(TempFiles(server.Directory));
        c.SendCommand("SHUTDOWN", "FORCE");
        Assert.True(c.WaitForClose(TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(Path.Combine(server.Directory, "dump.rdb")));
    }
}
