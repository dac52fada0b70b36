using Amber.Tests.Infrastructure;
using static Amber.Tests.Persistence.PersistenceTestKit;

namespace Amber.Tests.Persistence.Aof;

/// <summary>
/// DEBUG LOADAOF (Redis 7.0): flush the AOF, empty the dataset and load it back from the AOF files, whether
/// appendonly is on or not. Amber replies an error where Redis exits (no AOF, damage).
/// </summary>
public sealed class DebugLoadAofTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private long SizeOf(string name) => new FileInfo(_dir.File(name)).Length;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RoundTripKeepsTheDatasetAndAppendsNothing(bool preamble)
    {
        string fingerprint;
        await using (AofServer s = AofServer.Start(_dir.Path, c =>
        {
            c.EnableDebugCommand = "yes";
            c.AofUseRdbPreamble = preamble;
        }))
        {
            RawClient c = s.Raw();
            SampleDataset.Write(c);
            Assert.Equal("+Background append only file rewriting started\r\n", c.Call("BGREWRITEAOF"));
            AofRewriteTests.WaitForRewriteIdle(c);
            c.Call("INCRBY", "counter", "7");
            c.Call("SELECT", "3");
            c.Call("MULTI");
            c.Call("RPUSH", "list:3", "tail");
            c.Call("DEL", "s:3:1");
            c.Call("EXEC");
            c.Call("SELECT", "0");
            // Replied at once under everysec; DEBUG LOADAOF must write it out before it reads the file.
            c.Call("SET", "last", "written");
            fingerprint = SampleDataset.Fingerprint(c);
            string digest = c.Call("DEBUG", "DIGEST");

            Assert.Equal("+OK\r\n", c.Call("DEBUG", "LOADAOF"));
            Assert.Equal(digest, c.Call("DEBUG", "DIGEST"));
            Assert.Equal(fingerprint, SampleDataset.Fingerprint(c));
            Assert.Equal("$7\r\nwritten\r\n", c.Call("GET", "last"));
            Assert.Equal("0", Info(c, "rdb_changes_since_last_save"));
            Assert.Equal("1", Info(c, "aof_enabled"));
            string baseName = preamble ? "appendonly.aof.2.base.rdb" : "appendonly.aof.2.base.aof";
            long incrSize = SizeOf("appendonly.aof.2.incr.aof");
            // Redis sets aof_current_size to the size of the files it loaded.
            Assert.Equal((SizeOf(baseName) + incrSize).ToString(), Info(c, "aof_current_size"));
            Assert.Equal(SizeOf(baseName).ToString(), Info(c, "aof_base_size"));
            Assert.Contains("Append Only File loaded by DEBUG LOADAOF", s.Log);
            if (preamble)
            {
                // Redis's lines for an RDB base.
                Assert.Contains("Reading RDB base file on AOF loading...", s.Log);
                Assert.Contains("Loading RDB produced by version 7.0.15", s.Log);
                Assert.Contains("RDB is base AOF", s.Log);
            }

            // Nothing replayed went back into the AOF; new writes do.
            Assert.Equal("+OK\r\n", c.Call("SET", "after", "reload"));
            Assert.True(SpinWait.SpinUntil(() => SizeOf("appendonly.aof.2.incr.aof") > incrSize, TimeSpan.FromSeconds(10)));
            Assert.Equal((SizeOf(baseName) + SizeOf("appendonly.aof.2.incr.aof")).ToString(), Info(c, "aof_current_size"));
            c.Call("DEL", "after");
            fingerprint = SampleDataset.Fingerprint(c);
        }
        await using AofServer restarted = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes");
        Assert.Equal(fingerprint, SampleDataset.Fingerprint(restarted.Raw()));
    }

    [Fact]
    public async Task ReplacesTheDatasetWithTheAofEvenWhenAppendonlyIsOff()
    {
        await using AofServer s = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes");
        RawClient c = s.Raw();
        c.Call("SET", "kept", "1");
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "appendonly", "no"));
        c.Call("SET", "not-in-aof", "1");
        c.Call("DEL", "kept");
        Assert.Equal("+OK\r\n", c.Call("DEBUG", "LOADAOF"));
        Assert.Equal("$1\r\n1\r\n", c.Call("GET", "kept"));
        Assert.Equal(":0\r\n", c.Call("EXISTS", "not-in-aof"));
        Assert.Equal("0", Info(c, "aof_enabled"));
    }

    [Fact]
    public async Task WithoutAnAofItFailsAndKeepsTheDataset()
    {
        await using AofServer s = AofServer.Start(_dir.Path, c =>
        {
            c.AppendOnly = false;
            c.EnableDebugCommand = "yes";
        });
        RawClient c = s.Raw();
        c.Call("SET", "a", "1");
        // Redis 7.0 exits here.
        Assert.Equal("-ERR Error trying to load the AOF files, check server logs.\r\n", c.Call("DEBUG", "LOADAOF"));
        Assert.Equal("$1\r\n1\r\n", c.Call("GET", "a"));
        Assert.Contains("DEBUG LOADAOF failed: no AOF files are listed by", s.Log);
    }

    [Fact]
    public async Task DamageIsReportedWithFileAndOffset()
    {
        await using AofServer s = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes");
        RawClient c = s.Raw();
        c.Call("SET", "a", "1");
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "appendonly", "no"));
        long good = SizeOf("appendonly.aof.1.incr.aof");
        File.AppendAllText(_dir.File("appendonly.aof.1.incr.aof"), "garbage\r\n");
        Assert.Equal("-ERR Error trying to load the AOF files, check server logs.\r\n", c.Call("DEBUG", "LOADAOF"));
        Assert.Contains("DEBUG LOADAOF failed: Bad file format reading the append only file appendonly.aof.1.incr.aof", s.Log);
        Assert.Contains($"(offset {good}:", s.Log);
        // The server keeps serving (Redis would exit): what was loaded before the damage.
        Assert.Equal("$1\r\n1\r\n", c.Call("GET", "a"));
        Assert.Equal("0", Info(c, "loading"));
    }

    [Fact]
    public async Task ExtraArgumentsAreIgnoredAndTheCommandIsProtected()
    {
        await using (AofServer s = AofServer.Start(_dir.Path, c => c.EnableDebugCommand = "yes"))
        {
            Assert.Equal("+OK\r\n", s.Raw().Call("DEBUG", "loadaof", "extra"));
        }
        await using AofServer closed = AofServer.Start(_dir.Path);
        Assert.StartsWith("-ERR DEBUG command not allowed.", closed.Raw().Call("DEBUG", "LOADAOF"));
    }
}
