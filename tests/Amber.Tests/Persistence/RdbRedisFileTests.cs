using Amber.Diagnostics;
using Amber.Keyspace;
using Amber.Persistence.Rdb;
using Amber.Persistence.Rdb.Reading;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>
/// Files written by real redis-server 7.0 (every type and encoding it writes, <see cref="RedisDataset"/>) load into
/// the same dataset: DEBUG DIGEST of the whole keyspace, and per key DIGEST-VALUE, OBJECT ENCODING and PEXPIRETIME.
/// </summary>
public sealed class RdbRedisFileTests
{
    internal static byte[] SaveRedisDataset(out RedisProcess redis)
    {
        redis = RedisProcess.Start(extraArgs: RedisDataset.ServerArgs);
        using BinaryRespClient c = redis.Connect();
        RedisDataset.Populate(c);
        Assert.Equal("OK", c.Call("SAVE"));
        return File.ReadAllBytes(Path.Combine(redis.Dir, "dump.rdb"));
    }

    [SkippableFact]
    public void LoadsEveryTypeAndEncodingRedis70Writes()
    {
        byte[] file = SaveRedisDataset(out RedisProcess redis);
        using (redis)
        {
            using BinaryRespClient c = redis.Connect();
            var progress = new List<long>();
            Database[] dbs = DatabaseLoadTarget.CreateDatabases(16, new RdbTestLoad.QuietEvents());
            var target = new DatabaseLoadTarget(dbs, replaceExisting: false, "noeviction", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            RdbLoadResult result = RdbLoader.Load(new MemoryStream(file), "dump.rdb",
                new RdbLoadOptions { ProgressIntervalBytes = 4096 }, target, progress.Add);

            Assert.Equal(c.Text("DEBUG", "DIGEST"), DatasetDigest.Compute(dbs));
            Assert.True(result.ChecksumVerified);
            Assert.Equal(file.Length, result.BytesRead);
            Assert.Equal(file.Length, progress[^1]);
            Assert.True(progress.Count > 2);
            Assert.Equal("7.0.15", System.Text.Encoding.ASCII.GetString(result.Aux("redis-ver")!));
            Assert.Equal("0", System.Text.Encoding.ASCII.GetString(result.Aux("aof-base")!));
            // The dataset exercises each type byte 7.0 writes.
            foreach (RdbType type in new[] { RdbType.String, RdbType.Set, RdbType.Hash, RdbType.ZSet2, RdbType.SetIntSet,
                RdbType.HashListPack, RdbType.ZSetListPack, RdbType.ListQuicklist2 })
            {
                Assert.True(result.KeysByType[(int)type] > 0, $"no key of type {type}");
            }

            long keys = 0;
            foreach (int dbIndex in new[] { 0, 1, 15 })
            {
                c.Call("SELECT", dbIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
                foreach (byte[] key in RedisDataset.Keys(c))
                {
                    keys++;
                    Entry entry = dbs[dbIndex].FindRaw(key) ?? throw new Xunit.Sdk.XunitException($"key {System.Text.Encoding.UTF8.GetString(key)} missing");
                    Assert.Equal(DigestValue(c, key), DatasetDigest.ComputeValue(entry));
                    Assert.Equal((long)c.Call("PEXPIRETIME", key)!, entry.ExpireAtMs);
                    if (c.Text("TYPE", key) != "string")
                    {
                        Assert.Equal(c.Text("OBJECT", "ENCODING", key), ValueTypes.EncodingName(entry));
                    }
                }
            }
            Assert.Equal(keys, result.KeysLoaded);
        }
    }

    /// <summary>DEBUG DIGEST-VALUE of one key (the reply is an array of one status).</summary>
    internal static string DigestValue(BinaryRespClient c, byte[] key) =>
        BinaryRespClient.Describe(((object?[])c.Call("DEBUG", "DIGEST-VALUE", key)!)[0]);

    [SkippableFact]
    public void LzfCompressedQuicklistNodesAreInTheFile()
    {
        // Guards the dataset: with list-compress-depth 1 the middle nodes of list:big are written as LZF strings.
        byte[] file = SaveRedisDataset(out RedisProcess redis);
        redis.Dispose();
        (Database[] dbs, _) = RdbTestLoad.Load(file);
        Assert.Equal(20000, ((Amber.Types.QuickList)dbs[0].FindRaw("list:big"u8)!.Value!).Count);
        int at = file.AsSpan().IndexOf("list:big"u8);
        Assert.True(at > 0);
        Assert.True(file.AsSpan(at, 20000).IndexOf((byte)0xC3) > 0);
    }

    [SkippableFact]
    public void ExpiredKeysAreDroppedOnlyWhenAsked()
    {
        using var redis = RedisProcess.Start();
        using BinaryRespClient c = redis.Connect();
        c.Call("SET", "gone", "v", "PX", "100");
        c.Call("SET", "kept", "v");
        Assert.Equal("OK", c.Call("SAVE"));
        byte[] file = File.ReadAllBytes(Path.Combine(redis.Dir, "dump.rdb"));
        long later = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 10_000;

        (Database[] dbs, RdbLoadResult result) = RdbTestLoad.Load(file, new RdbLoadOptions { NowMs = later });
        Assert.Null(dbs[0].FindRaw("gone"u8));
        Assert.Equal((1, 1, 1), (result.KeysLoaded, result.KeysExpired, result.KeysAlreadyExpired));

        (dbs, result) = RdbTestLoad.Load(file, new RdbLoadOptions { NowMs = later, DropExpiredKeys = false });
        Assert.NotNull(dbs[0].FindRaw("gone"u8));
        Assert.Equal((2, 0, 1), (result.KeysLoaded, result.KeysExpired, result.KeysAlreadyExpired));
    }

    [SkippableFact]
    public void BothCheckersAcceptTheRedisFile()
    {
        string checker = Interop.RequireTool("redis-check-rdb");
        byte[] file = SaveRedisDataset(out RedisProcess redis);
        using (redis)
        {
            string path = Path.Combine(redis.Dir, "dump.rdb");
            (int code, string redisOutput) = Interop.Run(checker, path);
            Assert.True(code == 0, redisOutput);
            var output = new StringWriter();
            Assert.Equal(0, CheckRdb.RdbCheck.Run([path], output));
            // Same lines as redis-check-rdb for everything it prints (Amber adds per-type counts at the end).
            string[] expected = redisOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            string[] actual = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(expected, actual[..expected.Length]);
            Assert.Contains(actual, l => l.StartsWith("[info] ", StringComparison.Ordinal) && l.Contains("(quicklist-v2)", StringComparison.Ordinal));
        }
    }
}
