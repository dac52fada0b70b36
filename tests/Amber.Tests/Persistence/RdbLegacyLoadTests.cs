using Amber.Diagnostics;
using Amber.Keyspace;
using Amber.Persistence.Rdb.Reading;
using Amber.Types;

namespace Amber.Tests.Persistence;

/// <summary>
/// Encodings and versions Redis 7.0 no longer writes (zipmap, ziplists, quicklist v1, legacy ZSET, second expiries,
/// versions 3..9), built from the format spec by <see cref="RdbFixtureBuilder"/>. The interop tests check that real
/// redis-check-rdb accepts the same bytes and that real redis-server loads the same dataset (DEBUG DIGEST).
/// </summary>
public sealed class RdbLegacyLoadTests
{
    private static readonly string LongQ = new('q', 100);

    internal static byte[] LegacyFile(int version)
    {
        var b = new RdbFixtureBuilder(version);
        if (version >= 7)
        {
            b.Aux("redis-ver", "3.2.0").Aux("redis-bits", "64");
        }
        b.SelectDb(0);
        if (version >= 7)
        {
            b.ResizeDb(20, 2);
        }
        b.Key(0, "s:plain").Str("hello");
        b.Key(0, "s:int8").IntStr(-7);
        b.Key(0, "s:int16").IntStr(300);
        b.Key(0, "s:int32").IntStr(100000);
        b.Key(0, "s:lzf").LzfStr(System.Text.Encoding.ASCII.GetBytes(new string('x', 200) + "y"));
        b.Key(0, "s:empty").Str("");
        b.ExpireSeconds(2_000_000_000).Key(0, "s:exp-sec").Str("v");
        b.ExpireMs(4_000_000_000_000).Key(0, "s:exp-ms").Str("v");
        b.Key(1, "l:linked").Len(3).Str("a").IntStr(5).Str("c");
        b.Key(2, "set:linked").Len(3).Str("x").Str("1").Str("y");
        b.Key(2, "set:linked-ints").Len(3).Str("10").IntStr(-2).Str("7");
        b.Key(3, "z:legacy").Len(3).Str("c").TextDouble(-2).Str("a").TextDouble(1.5).Str("b").TextDouble(double.PositiveInfinity);
        b.Key(4, "h:linked").Len(2).Str("f1").Str("v1").Str("f2").IntStr(7);
        b.Key(9, "h:zipmap").Str(RdbFixtureBuilder.Zipmap([("a", "1"), ("bb", "22"), ("long", new string('z', 300))], free: 2));
        b.Key(10, "l:ziplist").Str(RdbFixtureBuilder.Ziplist(["a", 1L, 12L, 13L, -100L, 1000L, 70000L, 5000000000L, -5000000000L, LongQ]));
        b.Key(11, "set:intset").Str(RdbFixtureBuilder.Intset(2, -3, 1, 5));
        b.Key(11, "set:intset64").Str(RdbFixtureBuilder.Intset(8, -5000000000, 0, 5000000000));
        b.Key(12, "z:ziplist").Str(RdbFixtureBuilder.Ziplist(["m1", 1L, "m2", "2.5", "m3", 3L]));
        b.Key(13, "h:ziplist").Str(RdbFixtureBuilder.Ziplist(["f", "v", "n", 12L]));
        object[] many = new object[60];
        Array.Fill(many, "rrrrrrrrrr");
        b.Key(14, "l:quicklist").Len(3).Str(RdbFixtureBuilder.Ziplist(["a", "b"])).LzfStr(RdbFixtureBuilder.Ziplist(many))
            .Str(RdbFixtureBuilder.Ziplist([9L]));
        b.SelectDb(2).Key(0, "db2").Str("x");
        return b.Eof(checksum: true, withChecksumField: version >= 5);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void LegacyEncodingsLoadIntoAmberValues(int version)
    {
        (Database[] dbs, RdbLoadResult result) = RdbTestLoad.Load(LegacyFile(version));
        Database db = dbs[0];
        Assert.Equal(version, result.Version);
        Assert.Equal(21, result.KeysLoaded);
        Assert.Equal(version >= 5, result.ChecksumVerified);
        Assert.Equal("hello", Str(db, "s:plain"));
        Assert.Equal("-7", Str(db, "s:int8"));
        Assert.Equal("300", Str(db, "s:int16"));
        Assert.Equal("100000", Str(db, "s:int32"));
        Assert.Equal(new string('x', 200) + "y", Str(db, "s:lzf"));
        Assert.Equal("", Str(db, "s:empty"));
        Assert.Equal(2_000_000_000_000, db.FindRaw("s:exp-sec"u8)!.ExpireAtMs);
        Assert.Equal(4_000_000_000_000, db.FindRaw("s:exp-ms"u8)!.ExpireAtMs);
        Assert.Equal(["a", "5", "c"], List(db, "l:linked"));
        Assert.Equal("hashtable", Encoding(db, "set:linked"));
        Assert.Equal("intset", Encoding(db, "set:linked-ints"));
        var z = (SortedSet)db.FindRaw("z:legacy"u8)!.Value!;
        Assert.True(z.TryGetScore("a"u8, out double sa) && sa == 1.5);
        Assert.True(z.TryGetScore("b"u8, out double sb) && double.IsPositiveInfinity(sb));
        Assert.True(z.TryGetScore("c"u8, out double sc) && sc == -2);
        Assert.Equal("listpack", z.Encoding);
        var h = (HashValue)db.FindRaw("h:linked"u8)!.Value!;
        Assert.True(h.TryGet("f2"u8, out ReadOnlySpan<byte> f2) && f2.SequenceEqual("7"u8));
        var zipmap = (HashValue)db.FindRaw("h:zipmap"u8)!.Value!;
        Assert.Equal(3, zipmap.Count);
        Assert.True(zipmap.TryGet("bb"u8, out ReadOnlySpan<byte> bb) && bb.SequenceEqual("22"u8));
        // A 300-byte value is over hash-max-listpack-value: the zipmap hash is converted, as Redis does.
        Assert.Equal("hashtable", zipmap.Encoding);
        Assert.Equal(["a", "1", "12", "13", "-100", "1000", "70000", "5000000000", "-5000000000", LongQ], List(db, "l:ziplist"));
        var intset = (SetValue)db.FindRaw("set:intset"u8)!.Value!;
        Assert.Equal("intset", intset.Encoding);
        Assert.True(intset.Contains("-3"u8) && intset.Contains("5"u8) && intset.Count == 3);
        Assert.True(((SetValue)db.FindRaw("set:intset64"u8)!.Value!).Contains("-5000000000"u8));
        var zz = (SortedSet)db.FindRaw("z:ziplist"u8)!.Value!;
        Assert.True(zz.TryGetScore("m2"u8, out double m2) && m2 == 2.5);
        Assert.True(((HashValue)db.FindRaw("h:ziplist"u8)!.Value!).TryGet("n"u8, out ReadOnlySpan<byte> n) && n.SequenceEqual("12"u8));
        List<string> quick = List(db, "l:quicklist");
        Assert.Equal(63, quick.Count);
        Assert.Equal("a", quick[0]);
        Assert.Equal("9", quick[^1]);
        Assert.Equal("x", Str(dbs[2], "db2"));
    }

    [SkippableTheory]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(9)]
    [InlineData(10)]
    public void RealRedisLoadsTheSameLegacyDatasetAndItsCheckerAgrees(int version)
    {
        string checker = Tests.Infrastructure.Interop.RequireTool("redis-check-rdb");
        byte[] file = LegacyFile(version);
        string dir = Directory.CreateTempSubdirectory("amber-legacy-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "dump.rdb"), file);
            (int code, string output) = Tests.Infrastructure.Interop.Run(checker, Path.Combine(dir, "dump.rdb"));
            Assert.True(code == 0, output);
            using var redis = RedisProcess.Start(dir);
            using BinaryRespClient client = redis.Connect();
            (Database[] dbs, _) = RdbTestLoad.Load(file);
            Assert.Equal(client.Text("DEBUG", "DIGEST"), DatasetDigest.Compute(dbs));
            foreach (string key in new[] { "set:linked", "set:linked-ints", "z:legacy", "h:zipmap", "set:intset", "z:ziplist", "h:ziplist" })
            {
                Assert.Equal(client.Text("OBJECT", "ENCODING", key), Encoding(dbs[0], key));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static string Str(Database db, string key) => System.Text.Encoding.UTF8.GetString(db.FindRaw(System.Text.Encoding.UTF8.GetBytes(key))!.StringValue);

    internal static string Encoding(Database db, string key) => ValueTypes.EncodingName(db.FindRaw(System.Text.Encoding.UTF8.GetBytes(key))!);

    internal static List<string> List(Database db, string key)
    {
        var list = (QuickList)db.FindRaw(System.Text.Encoding.UTF8.GetBytes(key))!.Value!;
        var items = new List<string>();
        ListCursor cursor = list.HeadCursor();
        while (list.Next(ref cursor, out ReadOnlySpan<byte> value))
        {
            items.Add(System.Text.Encoding.UTF8.GetString(value));
        }
        return items;
    }
}
