using Amber.Persistence.Rdb.Reading;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>
/// Damaged and hostile files: every one is refused with an <see cref="RdbLoadException"/> naming the offset (never
/// another exception, never a large allocation), and redis-check-rdb agrees the file is bad.
/// </summary>
public sealed class RdbDamageTests
{
    private static byte[] File(Action<RdbFixtureBuilder> records, int version = 10)
    {
        var b = new RdbFixtureBuilder(version).Aux("redis-ver", "7.0.15").SelectDb(0);
        records(b);
        return b.Eof();
    }

    /// <summary>Structurally corrupt files, each with the error kind and Redis's message the loader must give.</summary>
    public static TheoryData<string, string, string> CorruptCases() => new()
    {
        { "empty-list", "EmptyKey", "Empty keys skipped" },
        { "empty-hash-listpack", "EmptyKey", "Empty keys skipped" },
        { "empty-set", "EmptyKey", "Empty keys skipped" },
        { "set-dup", "Corrupt", "Duplicate set members detected" },
        { "hash-listpack-dup", "Corrupt", "Hash listpack integrity check failed." },
        { "hash-listpack-odd", "Corrupt", "Hash listpack integrity check failed." },
        { "zset-listpack-dup", "Corrupt", "Zset listpack integrity check failed." },
        { "zset2-nan", "Corrupt", "Zset with NAN score detected" },
        { "zset2-dup", "Corrupt", "Duplicate zset fields detected" },
        { "intset-unsorted", "Corrupt", "Intset integrity check failed." },
        { "intset-empty", "Corrupt", "Intset integrity check failed." },
        { "intset-width", "Corrupt", "Intset integrity check failed." },
        { "listpack-backlen", "Corrupt", "Listpack integrity check failed." },
        { "listpack-count", "Corrupt", "Listpack integrity check failed." },
        { "listpack-size", "Corrupt", "Listpack integrity check failed." },
        { "listpack-bad-encoding", "Corrupt", "Listpack integrity check failed." },
        { "quicklist-container", "Corrupt", "Quicklist integrity check failed." },
        { "ziplist-prevlen", "Corrupt", "List ziplist integrity check failed." },
        { "ziplist-tail", "Corrupt", "List ziplist integrity check failed." },
        { "zipmap-dup", "Corrupt", "Hash zipmap with dup records" },
        { "lzf-bad", "Corrupt", "Invalid LZF compressed string" },
        { "string-encoding", "Corrupt", "Unknown RDB string encoding type 4" },
        { "length-encoding", "Corrupt", "Unknown length encoding 130 in rdbLoadLen()" },
        { "unknown-type", "InvalidType", "Unknown RDB encoding type 42" },
    };

    internal static byte[] Corrupt(string name) => name switch
    {
        "empty-list" => File(b => b.Key(18, "k").Len(0)),
        "empty-hash-listpack" => File(b => b.Key(16, "k").Str(RdbFixtureBuilder.Listpack([]))),
        "empty-set" => File(b => b.Key(2, "k").Len(0)),
        "set-dup" => File(b => b.Key(2, "k").Len(2).Str("a").Str("a")),
        "hash-listpack-dup" => File(b => b.Key(16, "k").Str(RdbFixtureBuilder.Listpack(["f", "1", "f", "2"]))),
        "hash-listpack-odd" => File(b => b.Key(16, "k").Str(RdbFixtureBuilder.Listpack(["f", "1", "g"]))),
        "zset-listpack-dup" => File(b => b.Key(17, "k").Str(RdbFixtureBuilder.Listpack(["m", 1L, "m", 2L]))),
        "zset2-nan" => File(b => b.Key(5, "k").Len(1).Str("m").BinaryDouble(double.NaN)),
        "zset2-dup" => File(b => b.Key(5, "k").Len(2).Str("m").BinaryDouble(1).Str("m").BinaryDouble(2)),
        "intset-unsorted" => File(b => b.Key(11, "k").Str(RdbFixtureBuilder.Intset(2, 5, 1))),
        "intset-empty" => File(b => b.Key(11, "k").Str(RdbFixtureBuilder.Intset(2))),
        "intset-width" => File(b => b.Key(11, "k").Str(Patch(RdbFixtureBuilder.Intset(2, 1, 2), 0, 3))),
        "listpack-backlen" => File(b => b.Key(18, "k").Len(1).Len(2).Str(Patch(RdbFixtureBuilder.Listpack(["abc"]), 10, 9))),
        "listpack-count" => File(b => b.Key(18, "k").Len(1).Len(2).Str(RdbFixtureBuilder.Listpack(["a", "b"], headerCount: 3))),
        "listpack-size" => File(b => b.Key(18, "k").Len(1).Len(2).Str(Patch(RdbFixtureBuilder.Listpack(["a"]), 0, 99))),
        "listpack-bad-encoding" => File(b => b.Key(18, "k").Len(1).Len(2).Str(Patch(RdbFixtureBuilder.Listpack([1L]), 6, 0xF7))),
        "quicklist-container" => File(b => b.Key(18, "k").Len(1).Len(3).Str(RdbFixtureBuilder.Listpack(["a"]))),
        "ziplist-prevlen" => File(b => b.Key(10, "k").Str(Patch(RdbFixtureBuilder.Ziplist(["a", "b"]), 13, 7))),
        "ziplist-tail" => File(b => b.Key(10, "k").Str(Patch(RdbFixtureBuilder.Ziplist(["a", "b"]), 4, 11))),
        "zipmap-dup" => File(b => b.Key(9, "k").Str(RdbFixtureBuilder.Zipmap([("f", "1"), ("f", "2")]))),
        "lzf-bad" => File(b => b.Key(0, "k").Byte(0xC3).Len(3).Len(50).Raw([0x1F, 0x61, 0x62])),
        "string-encoding" => File(b => b.Key(0, "k").Byte(0xC4)),
        "length-encoding" => File(b => b.Key(0, "k").Byte(0x82)),
        "unknown-type" => File(b => b.Key(42, "k").Str("v")),
        _ => throw new ArgumentException(name),
    };

    private static byte[] Patch(byte[] blob, int at, byte value)
    {
        blob[at] = value;
        return blob;
    }

    [Theory]
    [MemberData(nameof(CorruptCases))]
    public void CorruptValuesAreRefusedWithRedisMessages(string name, string kindName, string reason)
    {
        var kind = Enum.Parse<RdbLoadErrorKind>(kindName);
        byte[] file = Corrupt(name);
        RdbLoadException e = RdbTestLoad.LoadFails(file, new RdbLoadOptions { SkipEmptyKeys = false });
        Assert.Equal(kind, e.Kind);
        Assert.Equal(reason, e.Reason);
        Assert.Equal("test.rdb", e.FileName);
        Assert.InRange(e.Offset, 30, file.Length - 9);
        Assert.Equal("k"u8.ToArray(), kind == RdbLoadErrorKind.InvalidType ? "k"u8.ToArray() : e.Key);
    }

    [SkippableFact]
    public void RedisCheckRdbAlsoRefusesEveryCorruptFile()
    {
        string checker = Interop.RequireTool("redis-check-rdb");
        string dir = Directory.CreateTempSubdirectory("amber-corrupt-").FullName;
        try
        {
            foreach (object[] row in CorruptCases())
            {
                string name = (string)row[0];
                string path = Path.Combine(dir, name + ".rdb");
                System.IO.File.WriteAllBytes(path, Corrupt(name));
                (int code, string output) = Interop.Run(checker, path);
                Assert.True(code != 0, $"redis-check-rdb accepted {name}: {output}");
                var ours = new StringWriter();
                Assert.Equal(1, CheckRdb.RdbCheck.Run([path], ours));
                Assert.Contains("--- RDB ERROR DETECTED ---", ours.ToString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void EmptyKeysAreSkippedByDefaultAsRedisServerDoes()
    {
        var warnings = new List<string>();
        (Amber.Keyspace.Database[] dbs, RdbLoadResult result) = RdbTestLoad.Load(
            File(b => b.Key(18, "empty").Len(0).Key(0, "k").Str("v")), new RdbLoadOptions { Warning = warnings.Add });
        Assert.Equal((1, 1), (result.KeysLoaded, result.EmptyKeysSkipped));
        Assert.Null(dbs[0].FindRaw("empty"u8));
        Assert.Contains("rdbLoadObject skipping empty key: empty", warnings);
    }

    [Fact]
    public void TruncationAtEveryOffsetIsAnEofAtOrBeforeTheCut()
    {
        byte[] file = RdbLegacyLoadTests.LegacyFile(10);
        for (int cut = 0; cut < file.Length; cut++)
        {
            byte[] part = file[..cut];
            RdbLoadException e = RdbTestLoad.LoadFails(part);
            Assert.Equal(RdbLoadErrorKind.UnexpectedEof, e.Kind);
            Assert.Equal("Unexpected EOF reading RDB file", e.Reason);
            Assert.InRange(e.Offset, 0, cut);
            if (cut % 7 == 0)
            {
                RdbLoadException unseekable = RdbTestLoad.LoadFails(part, stream: new RdbTestLoad.UnseekableStream(part));
                Assert.Equal(RdbLoadErrorKind.UnexpectedEof, unseekable.Kind);
            }
        }
    }

    [Fact]
    public void EveryByteFlipIsCaught()
    {
        byte[] file = RdbLegacyLoadTests.LegacyFile(10);
        var random = new Random(7);
        for (int at = 0; at < file.Length; at++)
        {
            // Bytes 5-8 are the version: atoi("001p") is 1, a version that has no checksum, as in Redis.
            if (at is >= 5 and <= 8)
            {
                continue;
            }
            byte[] damaged = (byte[])file.Clone();
            damaged[at] ^= (byte)(1 << random.Next(8));
            RdbLoadException e = RdbTestLoad.LoadFails(damaged);
            Assert.InRange(e.Offset, 0, file.Length);
        }
    }

    [Fact]
    public void AFlippedBitInAValueIsAChecksumError()
    {
        byte[] file = RdbLegacyLoadTests.LegacyFile(10);
        int at = file.AsSpan().IndexOf("hello"u8);
        file[at] ^= 1;
        RdbLoadException e = RdbTestLoad.LoadFails(file);
        Assert.Equal(RdbLoadErrorKind.Checksum, e.Kind);
        Assert.StartsWith("Wrong RDB checksum expected: (", e.Reason, StringComparison.Ordinal);
        Assert.Equal(file.Length, e.Offset);
        Assert.Equal(RdbLoadPhase.CheckSum, e.Phase);
        // Not verified when asked not to, and a stored zero means "saved without checksum".
        RdbTestLoad.Load(file, new RdbLoadOptions { VerifyChecksum = false });
        file.AsSpan(file.Length - 8).Clear();
        Assert.False(RdbTestLoad.Load(file).Result.ChecksumVerified);
    }

    [Fact]
    public void WrongMagicAndVersionsAreRefusedAtTheHeader()
    {
        byte[] file = RdbLegacyLoadTests.LegacyFile(10);
        byte[] magic = (byte[])file.Clone();
        magic[0] = (byte)'X';
        RdbLoadException e = RdbTestLoad.LoadFails(magic);
        Assert.Equal((RdbLoadErrorKind.WrongSignature, "Wrong signature trying to load DB from file", 9L, RdbLoadPhase.Start), (e.Kind, e.Reason, e.Offset, e.Phase));
        byte[] v11 = (byte[])file.Clone();
        v11[8] = (byte)'1';
        e = RdbTestLoad.LoadFails(v11);
        Assert.Equal((RdbLoadErrorKind.UnsupportedVersion, "Can't handle RDB format version 11"), (e.Kind, e.Reason));
        byte[] v0 = (byte[])file.Clone();
        v0[7] = (byte)'0';
        v0[8] = (byte)'0';
        Assert.Equal("Can't handle RDB format version 0", RdbTestLoad.LoadFails(v0).Reason);
        Assert.Equal(RdbLoadErrorKind.UnexpectedEof, RdbTestLoad.LoadFails([]).Kind);
    }

    [Fact]
    public void HostileLengthsFailWithoutLargeAllocations()
    {
        var cases = new List<byte[]>
        {
            File(b => b.Byte(0).Byte(0x81).Raw([0x40, 0, 0, 0, 0, 0, 0, 0])), // key of 2^62 bytes
            File(b => b.Key(0, "k").Byte(0x80).Raw([0x60, 0, 0, 0]).Str("short")), // 1.5 GB value
            File(b => b.Key(1, "k").Byte(0x80).Raw([0xFF, 0xFF, 0xFF, 0xFF]).Str("a")), // 4G list elements
            File(b => b.Key(5, "k").Byte(0x81).Raw([0, 0, 1, 0, 0, 0, 0, 0]).Str("m")), // 2^40 zset members
            File(b => b.Key(18, "k").Byte(0x80).Raw([0x7F, 0xFF, 0xFF, 0xFF]).Len(2)), // 2G quicklist nodes
            File(b => b.Key(2, "k").Byte(0x80).Raw([0x10, 0, 0, 0]).Str("a")), // 256M set members
            File(b => b.Key(0, "k").Byte(0xC3).Len(3).Byte(0x80).Raw([0x7F, 0xFF, 0xFF, 0xFF]).Raw([1, 2, 3])), // LZF to 2 GB
            File(b => b.Key(16, "k").Str(Patch(Patch(RdbFixtureBuilder.Listpack(["f", "v"]), 3, 0x7F), 2, 0xFF))), // listpack claims 2 GB
            File(b => b.Key(0, "k").Byte(0xC3).Byte(0x80).Raw([0x7F, 0xFF, 0xFF, 0xFF]).Len(10)), // LZF input of 2 GB
        };
        foreach (byte[] file in cases)
        {
            foreach (bool seekable in new[] { true, false })
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                RdbLoadException e = RdbTestLoad.LoadFails(file, stream: seekable ? null : new RdbTestLoad.UnseekableStream(file));
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < 32 << 20, $"{allocated} bytes allocated for a {file.Length}-byte file ({e.Reason})");
                Assert.InRange(e.Offset, 9, file.Length);
            }
        }
    }

    [Fact]
    public void ErrorsNameTheKeyTypeAndPhase()
    {
        byte[] file = File(b => b.Key(0, "good").Str("v").Key(18, "bad-list").Len(1).Len(2).Str(RdbFixtureBuilder.Listpack(["a"], headerCount: 2)));
        RdbLoadException e = RdbTestLoad.LoadFails(file);
        Assert.Equal("bad-list"u8.ToArray(), e.Key);
        Assert.Equal(18, e.ObjectType);
        Assert.Equal(RdbLoadPhase.ReadObjectValue, e.Phase);
        Assert.Contains("Listpack integrity check failed. (file test.rdb, offset ", e.Message, StringComparison.Ordinal);
        Assert.Contains("key \"bad-list\", type 18 (quicklist-v2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedContentIsRefusedOrSkippedWithAWarning()
    {
        // Streams and module values: Amber has no such types.
        RdbLoadException e = RdbTestLoad.LoadFails(File(b => b.Key(19, "s").Len(0)));
        Assert.Equal((RdbLoadErrorKind.Unsupported, "s"), (e.Kind, System.Text.Encoding.ASCII.GetString(e.Key!)));
        ulong moduleId = ModuleId("MyModType", 3);
        e = RdbTestLoad.LoadFails(File(b => b.Key(7, "m").Len(moduleId)));
        Assert.Equal("The RDB file contains module data I can't load: no matching module type 'MyModType'", e.Reason);
        // Too many databases.
        e = RdbTestLoad.LoadFails(File(b => b.SelectDb(16)));
        Assert.Equal(RdbLoadErrorKind.Unsupported, e.Kind);
        Assert.StartsWith("FATAL: Data file was created with a Redis server configured to handle more than 16 databases", e.Reason, StringComparison.Ordinal);
        // Duplicate keys.
        e = RdbTestLoad.LoadFails(File(b => b.Key(0, "k").Str("1").Key(0, "k").Str("2")));
        Assert.Equal((RdbLoadErrorKind.DuplicateKey, "Duplicated key found in RDB file"), (e.Kind, e.Reason));
        // Functions and module AUX data are skipped with a warning.
        var warnings = new List<string>();
        byte[] file = File(b => b.Byte(0xF5).Str("#!lua name=lib\nredis.register_function('f', function() return 1 end)")
            .Byte(0xF7).Len(moduleId).Len(2).Len(0).Len(2).Len(5).Len(1).Len(7).Len(3).Raw([0, 0, 128, 63]).Len(4).BinaryDouble(1.5).Len(5).Str("x").Len(0)
            .Key(0, "after").Str("v"));
        (Amber.Keyspace.Database[] dbs, RdbLoadResult result) = RdbTestLoad.Load(file, new RdbLoadOptions { Warning = warnings.Add });
        Assert.Equal(1, result.KeysLoaded);
        Assert.NotNull(dbs[0].FindRaw("after"u8));
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("'MyModType'", StringComparison.Ordinal));
    }

    /// <summary>A module type id as Redis builds it: nine 6-bit characters then a 10-bit encoding version.</summary>
    private static ulong ModuleId(string name, int encver)
    {
        const string charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        ulong id = 0;
        foreach (char c in name)
        {
            id = (id << 6) | (uint)charset.IndexOf(c);
        }
        return (id << 10) | (uint)encver;
    }

    [SkippableFact]
    public void DamagedRedisFilesAreRefusedByBothCheckers()
    {
        string checker = Interop.RequireTool("redis-check-rdb");
        byte[] file = RdbRedisFileTests.SaveRedisDataset(out RedisProcess redis);
        using (redis)
        {
            var random = new Random(99);
            string path = Path.Combine(redis.Dir, "damaged.rdb");
            for (int i = 0; i < 24; i++)
            {
                byte[] damaged;
                if (i % 2 == 0)
                {
                    damaged = file[..random.Next(file.Length)];
                }
                else
                {
                    damaged = (byte[])file.Clone();
                    damaged[random.Next(9, file.Length)] ^= (byte)(1 << random.Next(8));
                }
                System.IO.File.WriteAllBytes(path, damaged);
                (int code, string output) = Interop.Run(checker, path);
                var ours = new StringWriter();
                int ourCode = CheckRdb.RdbCheck.Run([path], ours);
                Assert.True(code != 0, output);
                Assert.True(ourCode == 1, ours.ToString());
                RdbLoadException e = RdbTestLoad.LoadFails(damaged);
                Assert.Contains($"[offset {e.Offset}] ", ours.ToString(), StringComparison.Ordinal);
                if (i % 2 == 0)
                {
                    // A truncation is reported as redis-check-rdb reports it, in the same key. (The offset may
                    // differ: Redis names how far its buffered reads got, Amber where the failing item starts.)
                    Assert.Contains("Unexpected EOF reading RDB file", ours.ToString(), StringComparison.Ordinal);
                    string? redisKey = output.Split('\n').FirstOrDefault(l => l.Contains("Reading key", StringComparison.Ordinal));
                    if (redisKey != null)
                    {
                        Assert.True(ours.ToString().Contains(redisKey, StringComparison.Ordinal), $"redis: {output}\n---\nours: {ours}");
                    }
                }
            }
        }
    }

    [Fact]
    public void RandomDamageBehindAValidChecksumNeverEscapesAsAnotherException()
    {
        // The checksum is recomputed after each mutation, so the value validators (not the CRC) must catch it.
        byte[] legacy = RdbLegacyLoadTests.LegacyFile(10);
        byte[] current = File(b => b
            .Key(16, "h").Str(RdbFixtureBuilder.Listpack(["f", "v", "n", 5000L, "big", 70000L]))
            .Key(17, "z").Str(RdbFixtureBuilder.Listpack(["a", 1L, "b", "2.5", "c", -3000000000L]))
            .Key(18, "l").Len(2).Len(2).Str(RdbFixtureBuilder.Listpack(["x", new string('y', 100), -1L])).Len(1).Str("plain")
            .Key(11, "s").Str(RdbFixtureBuilder.Intset(4, -70000, 1, 70000))
            .Key(5, "z2").Len(2).Str("m").BinaryDouble(1.5).Str("n").BinaryDouble(-1)
            .Key(4, "h2").Len(1).Str("f").Str("v")
            .Key(2, "s2").Len(2).Str("a").Str("b"));
        Assert.Equal(7, RdbTestLoad.Load(current).Result.KeysLoaded);
        var random = new Random(2024);
        int refused = 0;
        for (int i = 0; i < 4000; i++)
        {
            byte[] file = i % 2 == 0 ? legacy : current;
            byte[] damaged = (byte[])file.Clone();
            int edits = 1 + random.Next(3);
            for (int e = 0; e < edits; e++)
            {
                damaged[random.Next(9, file.Length - 9)] = (byte)random.Next(256);
            }
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(damaged.AsSpan(file.Length - 8),
                Amber.Persistence.Rdb.Crc64.Compute(damaged.AsSpan(0, file.Length - 8)));
            try
            {
                RdbTestLoad.Load(damaged, new RdbLoadOptions { SkipEmptyKeys = false });
            }
            catch (RdbLoadException e)
            {
                // IoError would be an unexpected exception wrapped by the loader: a bug, not a verdict.
                Assert.True(e.Kind != RdbLoadErrorKind.IoError, e.ToString());
                Assert.InRange(e.Offset, 0, damaged.Length);
                refused++;
            }
        }
        Assert.True(refused > 1500);
    }
}
