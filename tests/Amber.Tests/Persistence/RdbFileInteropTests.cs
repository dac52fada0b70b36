using Amber.Keyspace;
using System.Buffers.Binary;
using System.Text;
using Amber.Persistence.Rdb;
using Amber.Persistence.Storage;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>
/// Whole RDB files written by Amber (<see cref="RdbDatasetWriter"/>) must pass redis-check-rdb and load into a real
/// redis-server 7.0 as the same dataset (DEBUG DIGEST), with and without rdbchecksum and rdbcompression; and for a
/// dataset whose encodings and key order are deterministic, be the bytes Redis itself writes (apart from ctime and
/// used-mem).
/// </summary>
public sealed class RdbFileInteropTests
{
    /// <summary>Far in the future, so neither server expires anything during the test.</summary>
    private const long FarExpiryMs = 4102444800000; // 2100-01-01

    private static readonly string[] StandardAuxKeys = ["redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"];

    /// <summary>Every type in every encoding, expiries, several databases.</summary>
    private static void FillEverything(BinaryRespClient c)
    {
        var random = new Random(21);
        string Noise(int n) => new(Enumerable.Range(0, n).Select(_ => (char)random.Next(33, 127)).ToArray());
        c.Call("SET", "s:int", "12345");
        c.Call("SET", "s:int64", "1234567890123");
        c.Call("SET", "s:plain", "hello world");
        c.Call("SET", "s:007", "007");
        c.Call("SET", "s:empty", "");
        c.Call("SET", "s:lzf", string.Concat(Enumerable.Repeat("compress me ", 100)));
        c.Call("SET", "s:noise", Noise(2000));
        c.Call("SET", new string('k', 40), "a key long enough to be compressed");
        c.Call("HSET", "h:small", "f", "v", "n", "42", "neg", "-70000", "float", "1.5");
        c.Call(["HSET", "h:large", .. Enumerable.Range(0, 700).SelectMany(i => new object[] { "f" + i, "value-" + i })]);
        c.Call("HSET", "h:longvalue", "f", Noise(100));
        c.Call("SADD", "set:ints", "5", "-3", "100000", "9223372036854775807");
        c.Call(["SADD", "set:manyints", .. Enumerable.Range(0, 600).Select(i => (object)(i * 7))]);
        c.Call("SADD", "set:strings", "apple", "banana", "42");
        c.Call("ZADD", "z:small", "1", "one", "2.5", "two-and-a-half", "-inf", "low", "inf", "high", "1e30", "huge", "0.1", "tenth");
        c.Call(["ZADD", "z:large", .. Enumerable.Range(0, 300).SelectMany(i => new object[] { (i * 0.37).ToString("R", System.Globalization.CultureInfo.InvariantCulture), "m" + i })]);
        c.Call("ZADD", "z:longmember", "3", Noise(80));
        c.Call("RPUSH", "l:short", "a", "b", "1", "-5", "99999999999");
        c.Call(["RPUSH", "l:long", .. Enumerable.Range(0, 8000).Select(i => (object)("item:" + i))]);
        c.Call(["LPUSH", "l:headpushed", .. Enumerable.Range(0, 3000).Select(i => (object)i)]);
        c.Call(["RPUSH", "l:bigelements", .. Enumerable.Range(0, 4).Select(i => (object)Noise(9000))]);
        c.Call("SET", "e:string", "expiring", "PXAT", FarExpiryMs);
        c.Call("HSET", "e:hash", "f", "v");
        c.Call("PEXPIREAT", "e:hash", FarExpiryMs + 1);
        c.Call("SELECT", "3");
        c.Call("SET", "db3:a", "1");
        c.Call("RPUSH", "db3:list", "x");
        c.Call("PEXPIREAT", "db3:list", FarExpiryMs + 2);
        c.Call("SELECT", "15");
        c.Call("ZADD", "db15:z", "1", "a");
        c.Call("SELECT", "0");
    }

    [SkippableTheory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task RedisLoadsTheFileAmberWritesAsTheSameDataset(bool checksum, bool compression)
    {
        string checker = Interop.RequireTool("redis-check-rdb");
        Interop.RequireTool("redis-server");
        await using var amber = TestServer.Start(cfg =>
        {
            cfg.EnableDebugCommand = "yes";
            cfg.RdbChecksum = checksum;
            cfg.RdbCompression = compression;
        });
        using var a = new BinaryRespClient(amber.Port);
        FillEverything(a);
        string amberDigest = a.Text("DEBUG", "DIGEST");

        string dir = Directory.CreateTempSubdirectory("amber-rdb-").FullName;
        try
        {
            string path = Path.Combine(dir, "dump.rdb");
            WriteDatasetFile(amber, path);
            byte[] file = File.ReadAllBytes(path);
            ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(file.Length - 8));
            Assert.Equal(checksum ? Crc64.Compute(file.AsSpan(0, file.Length - 8)) : 0UL, stored);
            Assert.Equal(0xFF, file[^9]);

            (int exit, string output) = Interop.Run(checker, path);
            Assert.True(exit == 0, output);
            Assert.Contains("RDB looks OK", output);
            Assert.Contains(checksum ? "Checksum OK" : "RDB file was saved with checksum disabled", output);

            using var redis = RedisProcess.Start(dir, $"--dbfilename dump.rdb --rdbcompression {(compression ? "yes" : "no")}");
            using var r = redis.Connect();
            Assert.Equal(amberDigest, r.Text("DEBUG", "DIGEST"));
            foreach (int db in new[] { 0, 3, 15 })
            {
                Assert.Equal("OK", a.Call("SELECT", db));
                Assert.Equal("OK", r.Call("SELECT", db));
                Assert.Equal(a.Call("DBSIZE"), r.Call("DBSIZE"));
                var keys = ((object?[])a.Call("KEYS", "*")!).Select(k => Encoding.UTF8.GetString((byte[])k!)).ToList();
                foreach (string key in keys)
                {
                    Assert.Equal(a.Text("OBJECT", "ENCODING", key), r.Text("OBJECT", "ENCODING", key));
                    Assert.Equal(a.Call("PEXPIRETIME", key), r.Call("PEXPIRETIME", key));
                    Assert.Equal(Digest(a, key), Digest(r, key));
                }
            }
            Assert.Equal("OK", r.Call("SELECT", 0));
            Assert.Equal("12345", r.Text("GET", "s:int"));
            Assert.Equal("007", r.Text("GET", "s:007"));
            Assert.Equal("42", r.Text("HGET", "h:small", "n"));
            Assert.Equal("value-699", r.Text("HGET", "h:large", "f699"));
            Assert.Equal(1L, r.Call("SISMEMBER", "set:ints", "9223372036854775807"));
            Assert.Equal("2.5", r.Text("ZSCORE", "z:small", "two-and-a-half"));
            Assert.Equal("item:7999", r.Text("LINDEX", "l:long", "-1"));
            Assert.Equal("2999", r.Text("LINDEX", "l:headpushed", "0"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Digest(BinaryRespClient client, string key)
    {
        var reply = (object?[])client.Call("DEBUG", "DIGEST-VALUE", key)!;
        return reply[0] is byte[] b ? Encoding.ASCII.GetString(b) : (string)reply[0]!;
    }

    /// <summary>Writes the whole dataset through the file seam, the way SAVE will.</summary>
    private static void WriteDatasetFile(TestServer amber, string path)
    {
        using IWritableFile file = new OsFileSystem().Create(path);
        using var chunks = new FlushingBufferWriter(file.Write, chunkSize: 4096);
        RdbWriter writer = RdbDatasetWriter.CreateWriter(chunks, amber.Server);
        RdbDatasetWriter.WriteDataset(writer, amber.Server, aofBase: false);
        chunks.Flush();
        file.Sync();
    }

    /// <summary>One key per database, so key order cannot differ; every encoding here is deterministic.</summary>
    private static void FillDeterministic(BinaryRespClient c)
    {
        object[][] perDb =
        [
            ["HSET", "hash", "f", "v", "f2", "2", "long", string.Concat(Enumerable.Repeat("ab", 20))],
            ["ZADD", "zset", "1", "a", "2.5", "b", "-7", "c"],
            ["RPUSH", "list", .. Enumerable.Range(0, 6000).Select(i => (object)("node element " + i))],
            ["SADD", "intset", "1", "2", "3", "-40000"],
            ["SET", "compressible", string.Concat(Enumerable.Repeat("0123456789", 30)), "PXAT", FarExpiryMs],
            ["ZADD", "skiplist", .. Enumerable.Range(0, 200).SelectMany(i => new object[] { i % 13, "member:" + i })],
            ["SET", "int", "-123456"],
            ["SET", "text", "just some text"],
        ];
        for (int db = 0; db < perDb.Length; db++)
        {
            c.Call("SELECT", db);
            c.Call(perDb[db]);
        }
        c.Call("SELECT", "0");
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FileBytesEqualRedisSaveForTheSameDataset(bool compression)
    {
        using var redis = RedisProcess.Start(extraArgs: $"--rdbcompression {(compression ? "yes" : "no")}");
        await using var amber = TestServer.Start(cfg => cfg.RdbCompression = compression);
        using var a = new BinaryRespClient(amber.Port);
        using var r = redis.Connect();
        FillDeterministic(a);
        FillDeterministic(r);
        Assert.Equal("OK", r.Call("SAVE"));
        byte[] redisFile = File.ReadAllBytes(Path.Combine(redis.Dir, "dump.rdb"));
        string path = Path.Combine(amber.Directory, "amber.rdb");
        WriteDatasetFile(amber, path);
        byte[] amberFile = File.ReadAllBytes(path);

        Assert.Equal(Encoding.ASCII.GetBytes("REDIS0010"), amberFile[..9]);
        List<(string Key, byte[] Raw)> redisAux = ReadAux(redisFile, out int redisBody);
        List<(string Key, byte[] Raw)> amberAux = ReadAux(amberFile, out int amberBody);
        Assert.Equal(redisFile[..9], amberFile[..9]);
        Assert.Equal(StandardAuxKeys, redisAux.Select(x => x.Key));
        Assert.Equal(StandardAuxKeys, amberAux.Select(x => x.Key));
        for (int i = 0; i < redisAux.Count; i++)
        {
            if (redisAux[i].Key is "ctime" or "used-mem")
            {
                // Different values, same encoding (both int32-encoded numbers).
                Assert.Equal(redisAux[i].Raw[0], amberAux[i].Raw[0]);
            }
            else
            {
                Assert.Equal(Convert.ToHexString(redisAux[i].Raw), Convert.ToHexString(amberAux[i].Raw));
            }
        }
        // Databases, keys and EOF: identical. Then each file's own valid checksum.
        Assert.Equal(Convert.ToHexString(redisFile.AsSpan(redisBody, redisFile.Length - 8 - redisBody)),
            Convert.ToHexString(amberFile.AsSpan(amberBody, amberFile.Length - 8 - amberBody)));
        Assert.Equal(Crc64.Compute(amberFile.AsSpan(0, amberFile.Length - 8)), BinaryPrimitives.ReadUInt64LittleEndian(amberFile.AsSpan(amberFile.Length - 8)));
    }

    /// <summary>The AUX records after the header, as (key, raw bytes of the whole record); <paramref name="end"/> is where they stop.</summary>
    private static List<(string Key, byte[] Raw)> ReadAux(byte[] file, out int end)
    {
        var aux = new List<(string, byte[])>();
        int pos = 9;
        while (file[pos] == 0xFA)
        {
            int start = pos++;
            string key = Encoding.ASCII.GetString(ReadPlainString(file, ref pos));
            SkipString(file, ref pos);
            aux.Add((key, file[start..pos]));
        }
        end = pos;
        return aux;
    }

    private static byte[] ReadPlainString(byte[] data, ref int pos)
    {
        int len = (int)LzfTests.ReadLength(data, ref pos);
        byte[] s = data[pos..(pos + len)];
        pos += len;
        return s;
    }

    private static void SkipString(byte[] data, ref int pos)
    {
        byte first = data[pos];
        if ((first & 0xC0) != 0xC0)
        {
            ReadPlainString(data, ref pos);
            return;
        }
        pos++;
        switch (first & 0x3F)
        {
            case 0: pos += 1; break;
            case 1: pos += 2; break;
            case 2: pos += 4; break;
            default:
                int compressed = (int)LzfTests.ReadLength(data, ref pos);
                LzfTests.ReadLength(data, ref pos);
                pos += compressed;
                break;
        }
    }
}
