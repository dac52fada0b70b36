using Amber.Diagnostics;
using Amber.Keyspace;
using Amber.Persistence.Rdb;
using Amber.Persistence.Rdb.Reading;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>Amber reads back what Amber writes: DUMP into RESTORE, and a whole dataset file into the RDB loader.</summary>
public sealed class RdbWriterRoundTripTests
{
    private static void Fill(BinaryRespClient c)
    {
        c.Call("SET", "s", "12345");
        c.Call("SET", "lzf", string.Concat(Enumerable.Repeat("xyz", 50)));
        c.Call("HSET", "h", "f", "1", "g", "text");
        c.Call(["HSET", "hbig", .. Enumerable.Range(0, 600).SelectMany(i => new object[] { "f" + i, i })]);
        c.Call("SADD", "si", "1", "2", "-99999999999");
        c.Call("SADD", "ss", "a", "b");
        c.Call("ZADD", "z", "1", "a", "0.5", "b");
        c.Call(["ZADD", "zbig", .. Enumerable.Range(0, 200).SelectMany(i => new object[] { i * 1.25, "m" + i })]);
        c.Call(["RPUSH", "l", .. Enumerable.Range(0, 5000).Select(i => (object)i)]);
        c.Call("SET", "ttl", "v", "PXAT", 4102444800000);
        c.Call("SELECT", "7");
        c.Call("RPUSH", "l7", "only");
        c.Call("SELECT", "0");
    }

    [Fact]
    public async Task DumpRestoresIntoAmber()
    {
        await using var amber = TestServer.Start(cfg => cfg.EnableDebugCommand = "yes");
        using var a = new BinaryRespClient(amber.Port);
        Fill(a);
        foreach (string key in new[] { "s", "lzf", "h", "hbig", "si", "ss", "z", "zbig", "l", "ttl" })
        {
            byte[] payload = a.Bulk("DUMP", key);
            Assert.Equal("OK", a.Call("RESTORE", "copy:" + key, "0", payload));
            Assert.Equal(a.Text("OBJECT", "ENCODING", key), a.Text("OBJECT", "ENCODING", "copy:" + key));
            Assert.Equal(BinaryRespClient.Describe(a.Call("DEBUG", "DIGEST-VALUE", key)), BinaryRespClient.Describe(a.Call("DEBUG", "DIGEST-VALUE", "copy:" + key)));
            // A flipped payload byte must be refused by the checksum.
            payload[0] ^= 0x01;
            Assert.IsType<BinaryRespClient.RespError>(a.Call("RESTORE", "bad:" + key, "0", payload));
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task DatasetFileLoadsBackIntoAmber(bool checksum, bool compression)
    {
        await using var amber = TestServer.Start(cfg =>
        {
            cfg.RdbChecksum = checksum;
            cfg.RdbCompression = compression;
        });
        using var a = new BinaryRespClient(amber.Port);
        Fill(a);
        using var buffer = new PooledBufferWriter();
        RdbDatasetWriter.WriteDataset(RdbDatasetWriter.CreateWriter(buffer, amber.Server), amber.Server, aofBase: true);

        Database[] loaded = DatabaseLoadTarget.CreateDatabases(16, amber.Server.Events);
        var target = new DatabaseLoadTarget(loaded, replaceExisting: false, "noeviction", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        using var stream = new MemoryStream(buffer.WrittenSpan.ToArray());
        RdbLoader.Load(stream, "amber.rdb", new RdbLoadOptions(), target);
        string? expected;
        lock (amber.Server.KeyspaceLock)
        {
            expected = DatasetDigest.Compute(amber.Server.Databases);
        }
        Assert.NotNull(expected);
        Assert.Equal(expected, DatasetDigest.Compute(loaded));
        Assert.Equal(10, loaded[0].Count);
        Assert.Equal(1, loaded[7].Count);
    }
}
