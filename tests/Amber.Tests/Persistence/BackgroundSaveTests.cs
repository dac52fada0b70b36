using System.Text;
using Amber.Config;
using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.PersistenceTestKit;

namespace Amber.Tests.Persistence;

/// <summary>
/// BGSAVE while clients write: the file holds exactly the dataset of the moment BGSAVE started. A gate on the file
/// writes holds the save "in progress" for as long as the test needs, without timing.
/// </summary>
public sealed class BackgroundSaveTests
{
    private static void Debuggable(ServerConfig c) => c.EnableDebugCommand = "yes";

    /// <summary>Sends all commands in one write, then reads every reply (a pipeline).</summary>
    private static void Pipeline(RawClient c, IEnumerable<string[]> commands)
    {
        var sb = new StringBuilder();
        int count = 0;
        foreach (string[] args in commands)
        {
            sb.Append('*').Append(args.Length).Append("\r\n");
            foreach (string a in args)
            {
                sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
            }
            count++;
        }
        c.Send(sb.ToString());
        for (int i = 0; i < count; i++)
        {
            string reply = c.ReadReply();
            Assert.False(reply.StartsWith('-'), reply);
        }
    }

    [Fact]
    public async Task FileHoldsTheDatasetOfTheMomentBgsaveStarted()
    {
        const int Keys = 20_000;
        var fs = new FaultInjectingFileSystem { WriteGate = new ManualResetEventSlim(false) };
        string before;
        string dump;
        await using (TestServer server = TestServer.Start(Debuggable, new TestServerOptions { FileSystem = fs }))
        {
            RawClient c = server.Raw();
            // About 20 MB: more than the snapshot buffers while the file write is held, so the walker stops part way
            // and the writes below meet keys it has not captured yet.
            string value = new('v', 1000);
            Pipeline(c, Enumerable.Range(0, Keys).Select(i => new[] { "SET", "k" + i, value + i }));
            Pipeline(c, Enumerable.Range(0, 100).Select(i => new[] { "HSET", "h" + (i % 10), "f" + i, "x" + i }));
            Pipeline(c, Enumerable.Range(0, 10).Select(i => new[] { "EXPIRE", "k" + i, "10000" }));
            before = c.Call("DEBUG", "DIGEST");

            Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
            Assert.True(fs.WriteReachedGate.Wait(TimeSpan.FromSeconds(30)));
            Assert.Equal("1", Info(c, "rdb_bgsave_in_progress"));
            Assert.Equal(Keys + 10 + "", Info(c, "current_save_keys_total"));
            Assert.True(long.Parse(Info(c, "current_save_keys_processed")!) < Keys, "the walker should be held back");
            // The walker fills the snapshot buffer concurrently with the first (held) write, so poll for it.
            Assert.True(SpinWait.SpinUntil(() => Info(c, "current_cow_size") != "0", TimeSpan.FromSeconds(30)), "current_cow_size stayed 0");
            Assert.NotEqual("-1", Info(c, "rdb_current_bgsave_time_sec"));

            // Several clients overwrite, delete, re-expire and add keys while the snapshot is open.
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
            {
                using var client = new RawClient(server.Port);
                Pipeline(client, Enumerable.Range(0, Keys).Where(i => i % 4 == w).Select(i =>
                    (i % 10) switch
                    {
                        0 => new[] { "DEL", "k" + i },
                        1 => new[] { "APPEND", "k" + i, "more" },
                        2 => new[] { "PERSIST", "k" + i },
                        _ => new[] { "SET", "k" + i, "new" + i },
                    }));
                Pipeline(client, Enumerable.Range(0, 1000).Select(i => new[] { "SET", $"fresh:{w}:{i}", "1" }));
                Pipeline(client, Enumerable.Range(0, 10).Select(i => new[] { "HDEL", "h" + i, "f" + (i + (w * 10)) }));
            })).ToArray();
            await Task.WhenAll(writers);
            Assert.NotEqual(before, c.Call("DEBUG", "DIGEST"));
            Assert.Equal("1", Info(c, "rdb_bgsave_in_progress"));

            fs.WriteGate.Set();
            await WaitForBgsaveAsync(c);
            Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
            Assert.NotEqual("0", Info(c, "rdb_last_cow_size"));
            Assert.Equal("1", Info(c, "rdb_saves"));
            // The success subtracts the changes made before the start; those made during the save stay counted.
            Assert.True(long.Parse(Info(c, "rdb_changes_since_last_save")!) >= 4000, "writes during the save stay counted");
            dump = Path.Combine(NewDirectory(), "dump.rdb");
            File.Copy(Path.Combine(server.Directory, "dump.rdb"), dump);
        }
        try
        {
            await using TestServer loaded = TestServer.Start(Debuggable, new TestServerOptions { Directory = Path.GetDirectoryName(dump) });
            RawClient d = loaded.Raw();
            Assert.Equal(":" + (Keys + 10) + "\r\n", d.Call("DBSIZE"));
            Assert.Equal(before, d.Call("DEBUG", "DIGEST"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dump)!, recursive: true);
        }
    }

    [Fact]
    public async Task SmallCollectionsChangedReplacedAndRenamedDuringABgsaveAreSavedAsTheyWere()
    {
        // A small collection is its key's entry with its encoding in the entry's array after the key: changing it,
        // giving its key a value of another type, renaming or moving it while the snapshot is open must not leak in.
        const int Strings = 20_000;
        const int PerType = 1000;
        var fs = new FaultInjectingFileSystem { WriteGate = new ManualResetEventSlim(false) };
        string before;
        string dump;
        await using (TestServer server = TestServer.Start(Debuggable, new TestServerOptions { FileSystem = fs }))
        {
            RawClient c = server.Raw();
            string value = new('v', 1000);
            Pipeline(c, Enumerable.Range(0, Strings).Select(i => new[] { "SET", "k" + i, value }));
            Pipeline(c, Enumerable.Range(0, PerType).SelectMany(i => new[]
            {
                new[] { "HSET", "h" + i, "a", "1", "b", "2", "c", "3" },
                new[] { "SADD", "i" + i, "1", "2", "3" },
                new[] { "SADD", "w" + i, "x", "y", "z" },
                new[] { "ZADD", "z" + i, "1", "x", "2", "y", "3", "z" },
                new[] { "RPUSH", "l" + i, "x", "y", "z" },
            }));
            Pipeline(c, Enumerable.Range(0, PerType).Where(i => i % 10 == 0).Select(i => new[] { "EXPIRE", "h" + i, "10000" }));
            before = c.Call("DEBUG", "DIGEST");

            Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
            Assert.True(fs.WriteReachedGate.Wait(TimeSpan.FromSeconds(30)));
            Assert.True(long.Parse(Info(c, "current_save_keys_processed")!) < Strings, "the walker should be held back");

            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
            {
                using var client = new RawClient(server.Port);
                Pipeline(client, Enumerable.Range(0, PerType).Where(i => i % 4 == w).SelectMany(i => (i % 8) switch
                {
                    // In place, and past the small encodings.
                    0 => new[]
                    {
                        new[] { "HSET", "h" + i, "a", "changed", "d", "4" },
                        new[] { "SADD", "i" + i, "4", "-70000" },
                        new[] { "SADD", "w" + i, "added" },
                        new[] { "ZADD", "z" + i, "0.5", "x", "9", "new" },
                        new[] { "LPUSH", "l" + i, "head" },
                    },
                    1 => new[]
                    {
                        new[] { "HSET", "h" + i, "long", new string('x', 100) },
                        new[] { "SADD", "i" + i, "word" },
                        new[] { "ZADD", "z" + i, "1", new string('m', 100) },
                        new[] { "HDEL", "h" + i, "a" },
                        new[] { "SREM", "w" + i, "x" },
                    },
                    // Other types under the same keys.
                    2 => new[]
                    {
                        new[] { "SORT", "i" + i, "STORE", "h" + i },
                        new[] { "SUNIONSTORE", "z" + i, "w" + i },
                        new[] { "ZUNIONSTORE", "l" + i, "1", "z" + i },
                    },
                    3 => new[]
                    {
                        new[] { "SET", "h" + i, "a string now" },
                        new[] { "DEL", "h" + i },
                        new[] { "SET", "w" + i, "a string too" },
                        new[] { "SADD", "h" + i, "a set again" },
                    },
                    // Moved between keys and databases, copied, swapped back and forth.
                    4 => new[]
                    {
                        new[] { "RENAME", "h" + i, "h" + (i + 1) },
                        new[] { "RENAME", "z" + i, "renamed" + i },
                        new[] { "MOVE", "l" + i, "1" },
                    },
                    5 => new[]
                    {
                        new[] { "COPY", "w" + i, "i" + i, "REPLACE" },
                        new[] { "SADD", "i" + i, "copied" },
                    },
                    _ => new[]
                    {
                        new[] { "HINCRBY", "h" + i, "b", "5" },
                        new[] { "SPOP", "i" + i },
                        new[] { "ZINCRBY", "z" + i, "2", "y" },
                        new[] { "LSET", "l" + i, "0", "set" },
                    },
                }));
            })).ToArray();
            await Task.WhenAll(writers);
            Pipeline(c, [["SWAPDB", "0", "1"], ["SWAPDB", "0", "1"]]);
            Assert.NotEqual(before, c.Call("DEBUG", "DIGEST"));
            Assert.Equal("1", Info(c, "rdb_bgsave_in_progress"));

            fs.WriteGate.Set();
            await WaitForBgsaveAsync(c);
            Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
            dump = Path.Combine(NewDirectory(), "dump.rdb");
            File.Copy(Path.Combine(server.Directory, "dump.rdb"), dump);
        }
        try
        {
            await using TestServer loaded = TestServer.Start(Debuggable, new TestServerOptions { Directory = Path.GetDirectoryName(dump) });
            RawClient d = loaded.Raw();
            Assert.Equal(":" + (Strings + (5 * PerType)) + "\r\n", d.Call("DBSIZE"));
            Assert.Equal(before, d.Call("DEBUG", "DIGEST"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dump)!, recursive: true);
        }
    }

    [Fact]
    public async Task BusyRepliesWhileABackgroundSaveRuns()
    {
        var fs = new FaultInjectingFileSystem { WriteGate = new ManualResetEventSlim(false) };
        await using TestServer server = TestServer.Start(null, new TestServerOptions { FileSystem = fs });
        RawClient c = server.Raw();
        c.Call("SET", "a", "1");
        c.Call("SET", "b", "1");
        Assert.Equal("-ERR syntax error\r\n", c.Call("BGSAVE", "NOW"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("BGSAVE", "SCHEDULE", "x"));
        Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
        Assert.True(fs.WriteReachedGate.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal("-ERR Background save already in progress\r\n", c.Call("BGSAVE"));
        Assert.Equal("-ERR Background save already in progress\r\n", c.Call("BGSAVE", "SCHEDULE"));
        Assert.Equal("-ERR Background save already in progress\r\n", c.Call("SAVE"));
        Assert.Equal("1", Info(c, "rdb_saves"));
        Assert.Equal("2", Info(c, "current_save_keys_total"));
        // A write during the save: the success subtracts only the changes made before the start.
        c.Call("SET", "c", "1");
        Assert.Equal("3", Info(c, "rdb_changes_since_last_save"));
        fs.WriteGate.Set();
        await WaitForBgsaveAsync(c);
        Assert.Equal("1", Info(c, "rdb_changes_since_last_save"));
        Assert.Equal("0", Info(c, "current_save_keys_total"));
        Assert.Equal("-1", Info(c, "rdb_current_bgsave_time_sec"));
        Assert.Equal("+OK\r\n", c.Call("SAVE"));
        Assert.Equal("2", Info(c, "rdb_saves"));
    }

    [Fact]
    public async Task BgsaveInsideATransactionIsScheduledAndRunByTheCron()
    {
        await using TestServer server = TestServer.Start();
        RawClient c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal("+OK\r\n", c.Call("MULTI"));
        Assert.Equal("+QUEUED\r\n", c.Call("BGSAVE"));
        Assert.Equal("*1\r\n+Background saving scheduled\r\n", c.Call("EXEC"));
        await WaitUntilAsync(() => Info(c, "rdb_saves") == "1" && Info(c, "rdb_bgsave_in_progress") == "0", "the scheduled save");
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
        Assert.True(File.Exists(Path.Combine(server.Directory, "dump.rdb")));
    }

    [Fact]
    public async Task InfoPersistenceHasRedisFieldsInRedisOrder()
    {
        await using TestServer server = TestServer.Start();
        RawClient c = server.Raw();
        string[] expected =
        [
            "loading", "async_loading", "current_cow_peak", "current_cow_size", "current_cow_size_age", "current_fork_perc",
            "current_save_keys_processed", "current_save_keys_total", "rdb_changes_since_last_save", "rdb_bgsave_in_progress",
            "rdb_last_save_time", "rdb_last_bgsave_status", "rdb_last_bgsave_time_sec", "rdb_current_bgsave_time_sec", "rdb_saves",
            "rdb_last_cow_size", "rdb_last_load_keys_expired", "rdb_last_load_keys_loaded", "aof_enabled", "aof_rewrite_in_progress",
            "aof_rewrite_scheduled", "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec", "aof_last_bgrewrite_status",
            "aof_rewrites", "aof_rewrites_consecutive_failures", "aof_last_write_status", "aof_last_cow_size",
            "module_fork_in_progress", "module_fork_last_cow_size",
        ];
        Assert.Equal(expected, InfoNames(c));
        Assert.Equal("-1", Info(c, "rdb_last_bgsave_time_sec"));
        Assert.Equal("0.00", Info(c, "current_fork_perc"));
        Assert.Equal("0", Info(c, "latest_fork_usec", "stats"));
        Assert.Equal("0", Info(c, "total_forks", "stats"));
    }
}
