using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.Aof.AofInteropTests;

namespace Amber.Tests.Persistence.Aof;

/// <summary>
/// The same multi-part AOF (written by redis-server 7.0) loaded by Redis and by Amber: while it loads, the replies
/// and INFO persistence's fields match; once loaded, the data, the counters and DEBUG LOADAOF's outcome match.
/// Redis is slowed with its own key-load-delay; Amber is held at the start of the incr file by a read gate.
/// </summary>
public sealed class AofLoadingInteropTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>What a client sees of one server, while it loads and after.</summary>
    private sealed record Observed(
        List<string> LoadingFields, string Ping, string Get, Dictionary<string, string> WhileLoading,
        string Digest, Dictionary<string, string> Loaded, string DebugLoadAof, Dictionary<string, string> Reloaded);

    private static Dictionary<string, string> Fields(string info)
    {
        var fields = new Dictionary<string, string>();
        foreach (string line in info.Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && !line.StartsWith('#'))
            {
                fields[line[..colon]] = line[(colon + 1)..];
            }
        }
        return fields;
    }

    private static List<string> Names(string info)
    {
        var names = new List<string>();
        foreach (string line in info.Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && !line.StartsWith('#'))
            {
                names.Add(line[..colon]);
            }
        }
        return names;
    }

    /// <summary>Polls INFO persistence until the loading field has <paramref name="loading"/>; returns that reply.</summary>
    private static string WaitForLoading(RawClient c, string loading)
    {
        long deadline = Environment.TickCount64 + 60_000;
        while (true)
        {
            string info = c.Call("INFO", "persistence");
            if (Fields(info).GetValueOrDefault("loading") == loading)
            {
                return info;
            }
            Assert.True(Environment.TickCount64 < deadline, $"INFO never showed loading:{loading}:\n{info}");
            Thread.Sleep(5);
        }
    }

    private static Observed AfterLoad(RawClient c, List<string> names, string ping, string get, string loadingInfo)
    {
        string loaded = WaitForLoading(c, "0");
        string digest = c.Call("DEBUG", "DIGEST");
        string reply = c.Call("DEBUG", "LOADAOF");
        return new Observed(names, ping, get, Fields(loadingInfo), digest, Fields(loaded), reply, Fields(c.Call("INFO", "persistence")));
    }

    [SkippableFact]
    public async Task LoadingTheSameAofLooksTheSameAsInRedis()
    {
        string redisDir = Path.Combine(_dir.Path, "redis");
        string amberDir = Path.Combine(_dir.Path, "amber");
        Directory.CreateDirectory(redisDir);
        using (var writer = RedisWithAof.Start(redisDir, "--aof-use-rdb-preamble yes"))
        {
            using RawClient c = writer.Connect();
            SampleDataset.Write(c);
            c.Call("BGREWRITEAOF");
            writer.WaitForRewrite(c);
            for (int i = 0; i < 4000; i++)
            {
                c.Call("SET", $"after:{i}", i.ToString());
            }
            writer.Shutdown(c);
        }
        PersistenceTestKit.CopyDirectory(Path.Combine(redisDir, "appendonlydir"), Path.Combine(amberDir, "appendonlydir"));

        Observed redis;
        // key-load-delay (microseconds per key and per replayed command) keeps Redis loading for about 2 s; Redis
        // answers between batches of 1024 commands.
        using (var server = RedisWithAof.Start(redisDir, "--key-load-delay 500", untilListening: true))
        {
            using RawClient c = server.Connect();
            string info = WaitForLoading(c, "1");
            redis = AfterLoad(c, Names(info), c.Call("PING"), c.Call("GET", "after:1"), info);
        }

        Observed amber;
        var fs = new FaultInjectingFileSystem { ReadGate = new ManualResetEventSlim(false), ReadGateOffset = 0, ReadGateFileSuffix = ".incr.aof" };
        await using (AofServer server = AofServer.Start(amberDir, c => c.EnableDebugCommand = "yes", fs, waitForLoad: false))
        {
            Assert.True(fs.ReadReachedGate.Wait(TimeSpan.FromSeconds(30)));
            RawClient c = server.Raw();
            string info = WaitForLoading(c, "1");
            string ping = c.Call("PING");
            string get = c.Call("GET", "after:1");
            fs.ReadGate.Set();
            amber = AfterLoad(c, Names(info), ping, get, info);
        }

        Assert.Equal("-LOADING Redis is loading the dataset in memory\r\n", redis.Ping);
        Assert.Equal(redis.Ping, amber.Ping);
        Assert.Equal(redis.Get, amber.Get);
        Assert.Equal(redis.LoadingFields, amber.LoadingFields);
        foreach (string field in new[] { "loading", "async_loading", "aof_enabled", "aof_current_size", "aof_base_size", "loading_total_bytes" })
        {
            Assert.True(redis.WhileLoading[field] == amber.WhileLoading[field], $"{field} while loading: redis {redis.WhileLoading[field]}, amber {amber.WhileLoading[field]}");
        }

        Assert.Equal(redis.Digest, amber.Digest);
        foreach (string field in new[] { "aof_enabled", "aof_current_size", "aof_base_size", "rdb_changes_since_last_save", "rdb_last_load_keys_loaded" })
        {
            Assert.True(redis.Loaded[field] == amber.Loaded[field], $"{field} after loading: redis {redis.Loaded[field]}, amber {amber.Loaded[field]}");
        }
        Assert.Equal("+OK\r\n", redis.DebugLoadAof);
        Assert.Equal(redis.DebugLoadAof, amber.DebugLoadAof);
        foreach (string field in new[] { "aof_current_size", "aof_base_size", "rdb_changes_since_last_save", "rdb_last_load_keys_loaded" })
        {
            Assert.True(redis.Reloaded[field] == amber.Reloaded[field], $"{field} after DEBUG LOADAOF: redis {redis.Reloaded[field]}, amber {amber.Reloaded[field]}");
        }
    }
}
