using Amber.Config;
using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.PersistenceTestKit;

namespace Amber.Tests.Persistence;

/// <summary>What one server saves, the next one loads identically: Amber to Amber, Amber to Redis, Redis to Amber.</summary>
public sealed class RdbRestartRoundTripTests : IDisposable
{
    private readonly string _dir = NewDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Debuggable(ServerConfig c) => c.EnableDebugCommand = "yes";

    private TestServer StartOnDirectory(Action<ServerConfig>? configure = null) =>
        TestServer.Start(c =>
        {
            Debuggable(c);
            configure?.Invoke(c);
        }, new TestServerOptions { Directory = _dir });

    [Theory]
    [InlineData("SAVE")]
    [InlineData("BGSAVE")]
    [InlineData("SHUTDOWN")]
    public async Task RestartLoadsTheSameDataset(string how)
    {
        string before;
        await using (TestServer first = StartOnDirectory())
        {
            RawClient c = first.Raw();
            SampleDataset.Write(c);
            before = SampleDataset.Fingerprint(c);
            switch (how)
            {
                case "SAVE":
                    Assert.Equal("+OK\r\n", c.Call("SAVE"));
                    break;
                case "BGSAVE":
                    Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
                    await WaitForBgsaveAsync(c);
                    Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
                    break;
                default:
                    // Default save points are configured: SHUTDOWN saves, then closes the connection without a reply.
                    c.SendCommand("SHUTDOWN");
                    Assert.True(c.WaitForClose(TimeSpan.FromSeconds(10)));
                    break;
            }
        }
        await using TestServer second = StartOnDirectory();
        RawClient d = second.Raw();
        Assert.Equal(before, SampleDataset.Fingerprint(d));
        Assert.Equal("0", Info(d, "loading"));
        Assert.True(long.Parse(Info(d, "rdb_last_load_keys_loaded")!) > 100);
        Assert.Equal("0", Info(d, "rdb_last_load_keys_expired"));
    }

    [Fact]
    public async Task ExpiredKeysAreDroppedOnLoadAndCounted()
    {
        await using (TestServer first = StartOnDirectory())
        {
            RawClient c = first.Raw();
            Assert.Equal("+OK\r\n", c.Call("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
            c.Call("SET", "keep", "1");
            c.Call("SET", "gone", "1", "PX", "1");
            await WaitUntilAsync(() => first.Server.Databases[0].FindRaw("gone"u8)!.ExpireAtMs < DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "the key to expire");
            Assert.Equal("+OK\r\n", c.Call("SAVE"));
        }
        await using TestServer second = StartOnDirectory();
        RawClient d = second.Raw();
        Assert.Equal(":1\r\n", d.Call("DBSIZE"));
        Assert.Equal("1", Info(d, "rdb_last_load_keys_loaded"));
        Assert.Equal("1", Info(d, "rdb_last_load_keys_expired"));
    }

    [SkippableFact]
    public async Task RedisLoadsAmbersDumpWithTheSameDigest()
    {
        Interop.RequireTool("redis-server");
        string expected;
        await using (TestServer amber = StartOnDirectory())
        {
            RawClient c = amber.Raw();
            SampleDataset.Write(c, seed: 7);
            expected = SampleDataset.Fingerprint(c);
            Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
            await WaitForBgsaveAsync(c);
        }
        var (exit, output) = Interop.Run(Interop.RequireTool("redis-check-rdb"), Path.Combine(_dir, "dump.rdb"));
        Assert.True(exit == 0, output);
        using var redis = RedisProcess.Start(_dir);
        using var r = new RawClient(redis.Port);
        Assert.Equal(expected, SampleDataset.Fingerprint(r));
    }

    [SkippableFact]
    public async Task AmberLoadsRedissDumpWithTheSameDigest()
    {
        string expected;
        using (var redis = RedisProcess.Start(_dir))
        {
            using var r = new RawClient(redis.Port);
            SampleDataset.Write(r, seed: 11);
            expected = SampleDataset.Fingerprint(r);
            Assert.Equal("+OK\r\n", r.Call("SAVE"));
        }
        await using TestServer amber = StartOnDirectory();
        Assert.Equal(expected, SampleDataset.Fingerprint(amber.Raw()));
    }

    [Fact]
    public async Task DebugReloadKeepsTheDataset()
    {
        await using TestServer server = StartOnDirectory();
        RawClient c = server.Raw();
        SampleDataset.Write(c);
        string before = SampleDataset.Fingerprint(c);
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "RELOAD"));
        Assert.Equal(before, SampleDataset.Fingerprint(c));
        Assert.True(File.Exists(Path.Combine(_dir, "dump.rdb")));

        // NOSAVE: the file's content replaces what is in memory.
        c.Call("SET", "later", "1");
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "RELOAD", "NOSAVE"));
        Assert.Equal(before, SampleDataset.Fingerprint(c));

        // NOFLUSH adds to memory: a key in both fails the load without MERGE; with MERGE the file's value wins.
        c.Call("SET", "extra", "1");
        Assert.Equal("-ERR Error trying to load the RDB dump\r\n", c.Call("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"));
        string saved = c.Call("GET", "s:0:1");
        Assert.Equal("+OK\r\n", c.Call("SET", "s:0:1", "changed"));
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"));
        Assert.Equal("$1\r\n1\r\n", c.Call("GET", "extra"));
        Assert.Equal(saved, c.Call("GET", "s:0:1"));

        Assert.Equal("-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n", c.Call("DEBUG", "RELOAD", "FAST"));
    }

    [Fact]
    public async Task DebugReloadNosaveWithoutAFileFailsAndLeavesTheDatabasesEmpty()
    {
        await using TestServer server = StartOnDirectory(c => c.Save = []);
        RawClient c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal("-ERR Error trying to load the RDB dump\r\n", c.Call("DEBUG", "RELOAD", "NOSAVE"));
        Assert.Equal(":0\r\n", c.Call("DBSIZE"));
    }
}
