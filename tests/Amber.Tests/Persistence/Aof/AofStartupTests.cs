using System.Text;
using Amber.Persistence.Aof;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence.Aof;

public class AofStartupTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static string Cmd(params string[] args)
    {
        var sb = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }
        return sb.ToString();
    }

    private void WriteLayout(string baseText, params string[] incrs)
    {
        Directory.CreateDirectory(_dir.AofDir);
        var manifest = new StringBuilder("file appendonly.aof.1.base.aof seq 1 type b\n");
        File.WriteAllText(_dir.File("appendonly.aof.1.base.aof"), baseText);
        for (int i = 0; i < incrs.Length; i++)
        {
            manifest.Append($"file appendonly.aof.{i + 1}.incr.aof seq {i + 1} type i\n");
            File.WriteAllText(_dir.File($"appendonly.aof.{i + 1}.incr.aof"), incrs[i]);
        }
        File.WriteAllText(_dir.File("appendonly.aof.manifest"), manifest.ToString());
    }

    [Fact]
    public async Task FirstStartCreatesBaseIncrAndManifestAsRedis()
    {
        await using (AofServer s = AofServer.Start(_dir.Path))
        {
            Assert.Contains("Creating AOF base file appendonly.aof.1.base.rdb on server start", s.Log);
            Assert.Contains("Creating AOF incr file appendonly.aof.1.incr.aof on server start", s.Log);
            string info = s.Raw().Call("INFO", "persistence");
            Assert.Contains("aof_enabled:1\r\n", info);
            Assert.Contains("module_fork_last_cow_size:0\r\naof_current_size:0\r\naof_base_size:0\r\naof_pending_rewrite:0\r\naof_buffer_length:0\r\naof_pending_bio_fsync:0\r\naof_delayed_fsync:0\r\n", info);
        }
        Assert.Equal(
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
            File.ReadAllText(_dir.File("appendonly.aof.manifest")));
        Assert.StartsWith("REDIS0010", File.ReadAllText(_dir.File("appendonly.aof.1.base.rdb")));
        Assert.Equal(0, new FileInfo(_dir.File("appendonly.aof.1.incr.aof")).Length);
        Assert.False(File.Exists(_dir.File("temp-appendonly.aof.manifest")));

        // A second start opens the same incr file for appending.
        await using (AofServer s = AofServer.Start(_dir.Path))
        {
            Assert.Contains("Opening AOF incr file appendonly.aof.1.incr.aof on server start", s.Log);
        }
    }

    [Fact]
    public async Task LoadsBaseThenIncrFilesInOrderWithTransactionsAndDatabases()
    {
        WriteLayout(
            Cmd("SELECT", "0") + Cmd("SET", "k", "base") + Cmd("RPUSH", "l", "a", "b"),
            "#TS:1700000000\r\n" + Cmd("SELECT", "0") + Cmd("set", "k", "one") + Cmd("SELECT", "3") + Cmd("MULTI") + Cmd("incr", "n") + Cmd("incr", "n") + Cmd("EXEC"),
            Cmd("SELECT", "0") + Cmd("append", "k", "+two") + Cmd("PEXPIREAT", "l", "1") + Cmd("hset", "h", "f", "v"));
        await using AofServer s = AofServer.Start(_dir.Path);
        RawClient c = s.Raw();
        Assert.Equal("$7\r\none+two\r\n", c.Call("GET", "k"));
        Assert.Equal("$1\r\nv\r\n", c.Call("HGET", "h", "f"));
        // Nothing expires while loading; afterwards the past PEXPIREAT takes effect.
        Assert.Equal(":0\r\n", c.Call("EXISTS", "l"));
        c.Call("SELECT", "3");
        Assert.Equal("$1\r\n2\r\n", c.Call("GET", "n"));
        Assert.Contains("DB loaded from base file appendonly.aof.1.base.aof", s.Log);
        Assert.Contains("DB loaded from incr file appendonly.aof.2.incr.aof", s.Log);
        Assert.Contains("DB loaded from append only file", s.Log);
        string info = c.Call("INFO", "persistence");
        long total = new FileInfo(_dir.File("appendonly.aof.1.base.aof")).Length + new FileInfo(_dir.File("appendonly.aof.1.incr.aof")).Length +
            new FileInfo(_dir.File("appendonly.aof.2.incr.aof")).Length;
        Assert.Contains($"aof_current_size:{total}\r\n", info);
        Assert.Contains($"aof_base_size:{new FileInfo(_dir.File("appendonly.aof.1.base.aof")).Length}\r\n", info);
        // As Redis 7.0.15 on this layout: the replayed changes stay counted (SET, RPUSH of 2, set, 2 incr, append,
        // the past PEXPIREAT's delete, hset).
        Assert.Contains("rdb_changes_since_last_save:9\r\n", info);
    }

    [Theory]
    [InlineData("partial")]
    [InlineData("zeros")]
    [InlineData("multi")]
    public async Task TornTailOfTheLastFileIsTruncatedWhenAllowed(string kind)
    {
        string good = Cmd("SELECT", "0") + Cmd("set", "a", "1");
        string tail = kind switch
        {
            "partial" => "*3\r\n$3\r\nset\r\n$1\r\nb\r\n$5\r\nva",
            "zeros" => new string('\0', 4096),
            _ => Cmd("MULTI") + Cmd("set", "b", "2"),
        };
        WriteLayout("", good + tail);
        await using (AofServer s = AofServer.Start(_dir.Path))
        {
            RawClient c = s.Raw();
            Assert.Equal("$1\r\n1\r\n", c.Call("GET", "a"));
            Assert.Equal("$-1\r\n", c.Call("GET", "b"));
            Assert.Contains("!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!", s.Log);
            Assert.Contains($"!!! Truncating the AOF appendonly.aof.1.incr.aof at offset {good.Length} !!!", s.Log);
            Assert.Contains("AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled", s.Log);
            if (kind == "multi")
            {
                Assert.Contains("Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof", s.Log);
            }
        }
        Assert.Equal(good.Length, new FileInfo(_dir.File("appendonly.aof.1.incr.aof")).Length);
    }

    [Fact]
    public void TornTailRefusesToStartWhenTruncationIsOff()
    {
        string text = Cmd("SELECT", "0") + Cmd("set", "a", "1") + "*3\r\n$3\r\nset";
        WriteLayout("", text);
        Exception e = AofServer.StartFails(_dir.Path, c => c.AofLoadTruncated = false);
        Assert.IsType<AofLoadException>(e);
        Assert.Contains("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof", e.Message);
        Assert.Contains("amber-check-aof --fix", e.Message);
        Assert.Equal(text.Length, new FileInfo(_dir.File("appendonly.aof.1.incr.aof")).Length);
    }

    [Fact]
    public void DamageInsideAFileStopsStartupNamingFileOffsetAndRepair()
    {
        string good = Cmd("SELECT", "0") + Cmd("set", "a", "1");
        WriteLayout("", good + "garbage\r\n" + Cmd("set", "b", "2"));
        Exception e = AofServer.StartFails(_dir.Path);
        Assert.Contains("Bad file format reading the append only file appendonly.aof.1.incr.aof", e.Message);
        Assert.Contains($"offset {good.Length}", e.Message);
        Assert.Contains("amber-check-aof --fix <filename.manifest>", e.Message);
    }

    [Fact]
    public void ATruncatedFileThatIsNotTheLastStopsStartup()
    {
        WriteLayout("", Cmd("set", "a", "1") + "*3\r\n$3\r\nset", Cmd("set", "b", "1"));
        Exception e = AofServer.StartFails(_dir.Path);
        Assert.Contains("Fatal error: the truncated file is not the last file", e.Message);
    }

    [Fact]
    public void UnknownCommandsAndMissingFilesStopStartup()
    {
        WriteLayout("", Cmd("nosuchcmd", "a"));
        Assert.Contains("Unknown command 'nosuchcmd' reading the append only file appendonly.aof.1.incr.aof",
            AofServer.StartFails(_dir.Path).Message);
        File.Delete(_dir.File("appendonly.aof.1.incr.aof"));
        Assert.Contains("The AOF file appendonly.aof.1.incr.aof doesn't exist", AofServer.StartFails(_dir.Path).Message);
        File.WriteAllText(_dir.File("appendonly.aof.manifest"), "file x seq 1 type q\n");
        Assert.Contains("Unknown AOF file type", AofServer.StartFails(_dir.Path).Message);
    }

    [Fact]
    public async Task LegacyAppendOnlyFileIsUpgradedIntoTheMultiPartLayout()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "appendonly.aof"), Cmd("SELECT", "0") + Cmd("set", "a", "legacy"));
        await using (AofServer s = AofServer.Start(_dir.Path))
        {
            Assert.Equal("$6\r\nlegacy\r\n", s.Raw().Call("GET", "a"));
            Assert.Contains("Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).", s.Log);
            Assert.Contains("Creating AOF incr file appendonly.aof.1.incr.aof on server start", s.Log);
        }
        Assert.False(File.Exists(Path.Combine(_dir.Path, "appendonly.aof")));
        Assert.True(File.Exists(_dir.File("appendonly.aof")));
        Assert.Equal("file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
            File.ReadAllText(_dir.File("appendonly.aof.manifest")));
        await using (AofServer s = AofServer.Start(_dir.Path))
        {
            Assert.Equal("$6\r\nlegacy\r\n", s.Raw().Call("GET", "a"));
        }
    }

    [Fact]
    public async Task ConfigSetAppendonlyWritesABaseFromTheDatasetAndRestartRestoresIt()
    {
        string digest;
        await using (AofServer s = AofServer.Start(_dir.Path, c => { c.AppendOnly = false; c.EnableDebugCommand = "yes"; c.AofUseRdbPreamble = false; }))
        {
            RawClient c = s.Raw();
            SeedDataset(c);
            digest = c.Call("DEBUG", "DIGEST");
            Assert.False(Directory.Exists(_dir.AofDir));
            Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "appendonly", "yes"));
            AofRewriteTests.WaitForRewriteIdle(c);
            Assert.Contains("aof_enabled:1\r\n", c.Call("INFO", "persistence"));
            string manifest = File.ReadAllText(_dir.File("appendonly.aof.manifest"));
            Assert.Equal("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", manifest);
            string baseText = File.ReadAllText(_dir.File("appendonly.aof.1.base.aof"));
            Assert.StartsWith(Cmd("SELECT", "0"), baseText);
            Assert.Contains(Cmd("HMSET", "h", "f1", "v1", "f2", "v2"), baseText);
            Assert.Contains("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\ns\r\n$13\r\n", baseText);
            Assert.Contains(Cmd("SELECT", "5") + Cmd("SET", "in5", "five"), baseText);
            Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "appendonly", "no"));
            Assert.Contains("aof_enabled:0\r\n", c.Call("INFO", "persistence"));
            Assert.DoesNotContain("aof_current_size", c.Call("INFO", "persistence"));
        }
        await using (AofServer s = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes"))
        {
            Assert.Equal(digest, s.Raw().Call("DEBUG", "DIGEST"));
        }
    }

    [Fact]
    public async Task ConfigSetAppendonlyWithPreambleWritesAnRdbBaseThatLoadsBack()
    {
        string digest;
        await using (AofServer s = AofServer.Start(_dir.Path, c => { c.AppendOnly = false; c.EnableDebugCommand = "yes"; }))
        {
            RawClient c = s.Raw();
            SeedDataset(c);
            digest = c.Call("DEBUG", "DIGEST");
            Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "appendonly", "yes"));
            AofRewriteTests.WaitForRewriteIdle(c);
            Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
                File.ReadAllText(_dir.File("appendonly.aof.manifest")));
            Assert.Contains($"aof_base_size:{new FileInfo(_dir.File("appendonly.aof.1.base.rdb")).Length}\r\n", c.Call("INFO", "persistence"));
        }
        await using (AofServer s = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes"))
        {
            Assert.Equal(digest, s.Raw().Call("DEBUG", "DIGEST"));
            Assert.Contains("Done loading RDB, keys loaded: 9, keys expired: 0.", s.Log);
        }
    }

    internal static void SeedDataset(RawClient c)
    {
        c.Call("SET", "s", "string");
        c.Call("PEXPIRE", "s", "1000000");
        c.Call("RPUSH", "l", "a", "b", "c");
        for (int i = 0; i < 150; i++)
        {
            c.Call("RPUSH", "biglist", "e" + i);
            c.Call("ZADD", "bigz", (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture), "m" + i);
        }
        c.Call("SADD", "si", "1", "2", "3");
        c.Call("SADD", "ss", "x", "y");
        c.Call("ZADD", "z", "1.5", "a", "-inf", "b", "3", "c");
        c.Call("HSET", "h", "f1", "v1", "f2", "v2");
        c.Call("SELECT", "5");
        c.Call("SET", "in5", "five");
        c.Call("SELECT", "0");
    }

    [Fact]
    public async Task WriteErrorsGiveMisconfUntilTheDiskRecovers()
    {
        var fs = new FaultInjectingFileSystem();
        await using AofServer s = AofServer.Start(_dir.Path, null, fs);
        RawClient c = s.Raw();
        bool full = true;
        fs.WriteFault = (path, _) => full && path.EndsWith(".incr.aof", StringComparison.Ordinal) ? (0, FaultInjectingFileSystem.NoSpace()) : null;
        AofWriter writer = s.Server.Aof.Writer!;
        lock (s.Server.KeyspaceLock)
        {
            writer.Append(Encoding.UTF8.GetBytes(Cmd("SELECT", "0") + Cmd("set", "x", "1")));
        }
        await Until(() => !writer.LastWriteOk);
        const string Misconf = "-MISCONF Errors writing to the AOF file: No space left on device\r\n";
        Assert.Equal(Misconf, c.Call("SET", "a", "1"));
        Assert.Equal(Misconf, c.Call("PING"));
        Assert.Equal("$-1\r\n", c.Call("GET", "a"));
        Assert.Equal("+OK\r\n", c.Call("MULTI"));
        Assert.Equal(Misconf, c.Call("SET", "a", "1"));
        Assert.StartsWith("-EXECABORT", c.Call("EXEC"));
        Assert.Contains("aof_last_write_status:err\r\n", c.Call("INFO", "persistence"));
        full = false;
        await Until(() => writer.LastWriteOk);
        Assert.Equal("+OK\r\n", c.Call("SET", "a", "1"));
        Assert.Contains("aof_last_write_status:ok\r\n", c.Call("INFO", "persistence"));
        Assert.Contains(Cmd("set", "x", "1"), File.ReadAllText(_dir.File("appendonly.aof.1.incr.aof")));
    }

    [Fact]
    public async Task InfoWithoutAofHasNoSizeFields()
    {
        await using AofServer s = AofServer.Start(_dir.Path, c => c.AppendOnly = false);
        string info = s.Raw().Call("INFO", "persistence");
        Assert.Contains("aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n", info);
        Assert.DoesNotContain("aof_current_size", info);
        Assert.False(Directory.Exists(_dir.AofDir));
    }

    private static async Task Until(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "timed out");
            await Task.Delay(5);
        }
    }
}
