using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence.Aof;

/// <summary>BGREWRITEAOF without fork: replies, the manifest it installs, writes during it, scheduling, auto rewrite, failures.</summary>
public class AofRewriteTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Info(RawClient c) => c.Call("INFO", "persistence");

    private static void WaitForRewrites(RawClient c, int count)
    {
        long deadline = Environment.TickCount64 + 20_000;
        while (true)
        {
            string info = Info(c);
            if (info.Contains("aof_rewrite_in_progress:0") && info.Contains("aof_rewrite_scheduled:0") && info.Contains($"aof_rewrites:{count}\r\n"))
            {
                return;
            }
            Assert.True(Environment.TickCount64 < deadline, "BGREWRITEAOF did not finish: " + info);
            Thread.Sleep(10);
        }
    }

    /// <summary>Waits for the rewrite CONFIG SET appendonly yes started (or any running or scheduled one) to end.</summary>
    internal static void WaitForRewriteIdle(RawClient c)
    {
        long deadline = Environment.TickCount64 + 20_000;
        while (true)
        {
            string info = Info(c);
            if (info.Contains("aof_rewrite_in_progress:0") && info.Contains("aof_rewrite_scheduled:0"))
            {
                return;
            }
            Assert.True(Environment.TickCount64 < deadline, "The AOF rewrite did not finish: " + info);
            Thread.Sleep(10);
        }
    }

    private string[] AofFiles() => Directory.GetFiles(_dir.AofDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RewriteWhileClientsWriteRestartsToTheLiveDataset(bool preamble)
    {
        string digest;
        await using (AofServer amber = AofServer.Start(_dir.Path, c =>
        {
            c.EnableDebugCommand = "yes";
            c.AofUseRdbPreamble = preamble;
        }))
        {
            RawClient c = amber.Raw();
            AofStartupTests.SeedDataset(c);
            for (int i = 0; i < 2000; i++)
            {
                c.Call("SET", "k" + i, "v" + i);
            }
            using var stop = new CancellationTokenSource();
            var writers = new List<Task>();
            for (int w = 0; w < 3; w++)
            {
                int id = w;
                RawClient wc = amber.Raw();
                writers.Add(Task.Run(() =>
                {
                    var random = new Random(id);
                    int n = 0;
                    while (!stop.IsCancellationRequested || n < 200)
                    {
                        int k = random.Next(3000);
                        switch (n++ % 5)
                        {
                            case 0: wc.Call("INCR", "counter" + id); break;
                            case 1: wc.Call("RPUSH", "list" + id, "e" + n); break;
                            case 2: wc.Call("HSET", "hash" + id, "f" + k, "v" + n); break;
                            case 3: wc.Call("SET", "k" + k, "w" + n); break;
                            default: wc.Call("DEL", "k" + k); break;
                        }
                    }
                }));
            }
            Assert.Equal("+Background append only file rewriting started\r\n", c.Call("BGREWRITEAOF"));
            WaitForRewrites(c, 1);
            stop.Cancel();
            await Task.WhenAll(writers);
            Assert.Contains("aof_last_bgrewrite_status:ok", Info(c));
            digest = c.Call("DEBUG", "DIGEST");
        }
        string ext = preamble ? "rdb" : "aof";
        Assert.Equal($"file appendonly.aof.2.base.{ext} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
            File.ReadAllText(_dir.File("appendonly.aof.manifest")));
        Assert.Equal(new[] { $"appendonly.aof.2.base.{ext}", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest" }, AofFiles());
        Assert.Empty(Directory.GetFiles(_dir.Path, "temp-*"));
        await using AofServer again = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes");
        Assert.Equal(digest, again.Raw().Call("DEBUG", "DIGEST"));
    }

    [Fact]
    public async Task RepliesWhileRunningAndBgsaveIsRefused()
    {
        var fs = new FaultInjectingFileSystem { SyncGate = new ManualResetEventSlim(false) };
        await using AofServer amber = AofServer.Start(_dir.Path, c => c.AppendOnly = false, fs);
        RawClient c = amber.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal("+Background append only file rewriting started\r\n", c.Call("BGREWRITEAOF"));
        Assert.Equal("-ERR Background append only file rewriting already in progress\r\n", c.Call("BGREWRITEAOF"));
        Assert.Equal("-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n",
            c.Call("BGSAVE"));
        Assert.Contains("aof_rewrite_in_progress:1", Info(c));
        Assert.Equal("+Background saving scheduled\r\n", c.Call("BGSAVE", "SCHEDULE"));
        fs.SyncGate.Set();
        WaitForRewrites(c, 1);
        // With appendonly no, as Redis 7.0: a base and a manifest naming only it.
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\n", File.ReadAllText(_dir.File("appendonly.aof.manifest")));
    }

    [Fact]
    public async Task RewriteIsScheduledBehindBgsave()
    {
        var fs = new FaultInjectingFileSystem { SyncGate = new ManualResetEventSlim(false) };
        await using AofServer amber = AofServer.Start(_dir.Path, c => c.AppendOnly = false, fs);
        RawClient c = amber.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
        Assert.Equal("+Background append only file rewriting scheduled\r\n", c.Call("BGREWRITEAOF"));
        Assert.Equal("+Background append only file rewriting scheduled\r\n", c.Call("BGREWRITEAOF"));
        Assert.Contains("aof_rewrite_scheduled:1", Info(c));
        Assert.Contains("aof_rewrite_in_progress:0", Info(c));
        fs.SyncGate.Set();
        WaitForRewrites(c, 1);
        Assert.True(File.Exists(_dir.File("appendonly.aof.1.base.rdb")));
    }

    [Fact]
    public async Task AutoRewriteTriggersOnGrowth()
    {
        await using AofServer amber = AofServer.Start(_dir.Path, c =>
        {
            c.AutoAofRewriteMinSize = 1024;
            c.AutoAofRewritePercentage = 100;
        });
        RawClient c = amber.Raw();
        for (int i = 0; i < 100; i++)
        {
            c.Call("SET", "key", "value-" + i);
        }
        WaitForRewrites(c, 1);
        Assert.Contains("Starting automatic rewriting of AOF on", amber.Log);
        // After the rewrite the base is the one key: the AOF no longer counts as grown.
        Assert.Matches(@"aof_base_size:[1-9]", Info(c));
    }

    [Fact]
    public async Task FailedRewriteLeavesALoadableDirAndWritesGoOn()
    {
        var fs = new FaultInjectingFileSystem
        {
            WriteFault = (path, length) => Path.GetFileName(path).StartsWith("temp-rewriteaof-bg", StringComparison.Ordinal)
                ? (0, FaultInjectingFileSystem.NoSpace())
                : null,
        };
        string digest;
        await using (AofServer amber = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes", fs))
        {
            RawClient c = amber.Raw();
            AofStartupTests.SeedDataset(c);
            Assert.Equal("+Background append only file rewriting started\r\n", c.Call("BGREWRITEAOF"));
            WaitForRewrites(c, 1);
            string info = Info(c);
            Assert.Contains("aof_last_bgrewrite_status:err", info);
            Assert.Contains("aof_rewrites_consecutive_failures:1", info);
            Assert.Contains("No space left on device", amber.Log);
            Assert.Empty(Directory.GetFiles(_dir.Path, "temp-*"));
            c.Call("SET", "after", "failure");
            // A second failure: every incr file written since the base must still be listed.
            Assert.Equal("+Background append only file rewriting started\r\n", c.Call("BGREWRITEAOF"));
            WaitForRewrites(c, 2);
            c.Call("SET", "after2", "failure");
            digest = c.Call("DEBUG", "DIGEST");
        }
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n" +
            "file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n",
            File.ReadAllText(_dir.File("appendonly.aof.manifest")));
        await using AofServer again = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes");
        Assert.Equal(digest, again.Raw().Call("DEBUG", "DIGEST"));
    }

    [Fact]
    public async Task AppendonlyYesBehindBgsaveRewritesWhenItEndsAndKeepsWritesMadeMeanwhile()
    {
        var fs = new FaultInjectingFileSystem { SyncGate = new ManualResetEventSlim(false) };
        string digest;
        await using (AofServer amber = AofServer.Start(_dir.Path, c =>
        {
            c.AppendOnly = false;
            c.EnableDebugCommand = "yes";
        }, fs))
        {
            RawClient c = amber.Raw();
            AofStartupTests.SeedDataset(c);
            Assert.Equal("+Background saving started\r\n", c.Call("BGSAVE"));
            Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "appendonly", "yes"));
            string info = Info(c);
            Assert.Contains("aof_enabled:1", info);
            Assert.Contains("aof_rewrite_scheduled:1", info);
            Assert.False(File.Exists(_dir.File("appendonly.aof.manifest")));
            c.Call("SET", "during", "wait");
            c.Call("DEL", "s");
            fs.SyncGate.Set();
            WaitForRewriteIdle(c);
            c.Call("SET", "after", "rewrite");
            digest = c.Call("DEBUG", "DIGEST");
        }
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
            File.ReadAllText(_dir.File("appendonly.aof.manifest")));
        Assert.Equal(new[] { "appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest" }, AofFiles());
        await using AofServer again = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes");
        Assert.Equal(digest, again.Raw().Call("DEBUG", "DIGEST"));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RedisLoadsTheRewrittenDirAndTheLayoutMatchesRedis(bool preamble)
    {
        string yesNo = preamble ? "yes" : "no";
        string redisDir = Path.Combine(_dir.Path, "redis");
        string amberDir = Path.Combine(_dir.Path, "amber");
        Directory.CreateDirectory(redisDir);
        Directory.CreateDirectory(amberDir);
        using (var redis = AofInteropTests.RedisWithAof.Start(redisDir, $"--aof-use-rdb-preamble {yesNo}"))
        {
            using RawClient c = redis.Connect();
            AofStartupTests.SeedDataset(c);
            c.Call("BGREWRITEAOF");
            redis.WaitForRewrite(c);
            redis.Shutdown(c);
        }
        string digest;
        await using (AofServer amber = AofServer.Start(amberDir, c =>
        {
            c.EnableDebugCommand = "yes";
            c.AofUseRdbPreamble = preamble;
        }))
        {
            RawClient c = amber.Raw();
            AofStartupTests.SeedDataset(c);
            Assert.Equal("+Background append only file rewriting started\r\n", c.Call("BGREWRITEAOF"));
            WaitForRewrites(c, 1);
            c.Call("SET", "after", "rewrite");
            digest = c.Call("DEBUG", "DIGEST");
        }
        static string[] List(string d) => Directory.GetFiles(Path.Combine(d, "appendonlydir")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(List(redisDir), List(amberDir));
        Assert.Equal(File.ReadAllText(Path.Combine(redisDir, "appendonlydir", "appendonly.aof.manifest")),
            File.ReadAllText(Path.Combine(amberDir, "appendonlydir", "appendonly.aof.manifest")));
        using var redis2 = AofInteropTests.RedisWithAof.Start(amberDir, $"--aof-use-rdb-preamble {yesNo}");
        using RawClient rc = redis2.Connect();
        Assert.Equal(digest, rc.Call("DEBUG", "DIGEST"));
    }
}
