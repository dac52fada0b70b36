using Amber.Keyspace;
using Amber.Persistence.Rdb.Reading;
using Amber.Types;

namespace Amber.Tests.Persistence;

/// <summary>
/// The pipelined load (keys inserted on a second thread, <see cref="KeyInsertPipeline"/>): the same dataset and the
/// same errors (kind, offset, key) as the single-threaded load, and its thread always released, whether the file, the
/// target or the reader fails.
/// </summary>
public sealed class RdbPipelinedLoadTests
{
    private const int Keys = 5000;

    /// <summary>Three databases of strings, hashes and expiring keys; <paramref name="damage"/> writes after key i of db 1.</summary>
    private static byte[] File(Action<RdbFixtureBuilder, int>? damage = null)
    {
        var b = new RdbFixtureBuilder().Aux("redis-ver", "7.0.15");
        for (int db = 0; db < 3; db++)
        {
            b.SelectDb(db).ResizeDb(Keys, Keys / 10);
            for (int i = 0; i < Keys; i++)
            {
                if (i % 10 == 0)
                {
                    b.ExpireMs(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_600_000 + i);
                }
                if (i % 100 == 0)
                {
                    b.Key(16, $"hash:{db}:{i}").Str(RdbFixtureBuilder.Listpack(["f1", "v1", "f2", 42L]));
                }
                else
                {
                    b.Key(0, $"key:{db}:{i}").Str($"value:{db}:{i}:" + new string('x', i % 50));
                }
                if (db == 1)
                {
                    damage?.Invoke(b, i);
                }
            }
        }
        return b.Eof();
    }

    private static (Database[] Dbs, RdbLoader Loader, RdbLoadException? Error) Run(byte[] file, bool pipelined, Func<IRdbLoadTarget, IRdbLoadTarget>? wrap = null)
    {
        Database[] dbs = DatabaseLoadTarget.CreateDatabases(16, new RdbTestLoad.QuietEvents());
        IRdbLoadTarget target = new DatabaseLoadTarget(dbs, replaceExisting: false, "noeviction", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        target = wrap?.Invoke(target) ?? target;
        var loader = new RdbLoader(new MemoryStream(file), "test.rdb", new RdbLoadOptions { Pipelined = pipelined }, target);
        try
        {
            loader.Run();
            return (dbs, loader, null);
        }
        catch (RdbLoadException e)
        {
            return (dbs, loader, e);
        }
    }

    private static void AssertReleased(RdbLoader loader)
    {
        Assert.NotNull(loader.PipelineThread);
        Assert.False(loader.PipelineThread!.IsAlive, "the insert thread outlived the load");
    }

    private static void AssertSameError(RdbLoadException expected, RdbLoadException actual)
    {
        Assert.Equal((expected.Kind, expected.Reason, expected.Offset, expected.Phase, expected.ObjectType),
            (actual.Kind, actual.Reason, actual.Offset, actual.Phase, actual.ObjectType));
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public void LoadsTheSameDatasetAsASingleThreadedLoad()
    {
        byte[] file = File();
        (Database[] expected, RdbLoader single, _) = Run(file, pipelined: false);
        (Database[] actual, RdbLoader piped, RdbLoadException? error) = Run(file, pipelined: true);
        Assert.Null(error);
        AssertReleased(piped);
        Assert.Null(single.PipelineThread);
        Assert.Equal(single.Result.KeysLoaded, piped.Result.KeysLoaded);
        Assert.Equal(3 * Keys, piped.Result.KeysLoaded);
        Assert.True(piped.Result.ChecksumVerified);
        for (int db = 0; db < 16; db++)
        {
            Assert.Equal(expected[db].Count, actual[db].Count);
            Assert.Equal(expected[db].VolatileCount, actual[db].VolatileCount);
            foreach (Entry e in expected[db].Table.All())
            {
                Entry? other = actual[db].FindRaw(e.Key);
                Assert.NotNull(other);
                Assert.Equal(e.ExpireAtMs, other!.ExpireAtMs);
                if (e.IsString)
                {
                    Assert.True(other.IsString);
                    Assert.Equal(e.StringValue.ToArray(), other.StringValue.ToArray());
                }
                else
                {
                    Assert.Equal(((HashValue)e.Value!).Count, ((HashValue)other.Value!).Count);
                }
            }
        }
    }

    [Fact]
    public void ADuplicateKeyMidFileFailsWithItsOffsetAndReleasesTheThread()
    {
        // The duplicate is followed by thousands of keys: the reader is far ahead when the insert thread refuses it.
        byte[] file = File((b, i) =>
        {
            if (i == 1500)
            {
                b.Key(0, "key:1:7").Str("again");
            }
        });
        (_, _, RdbLoadException? expected) = Run(file, pipelined: false);
        (_, RdbLoader loader, RdbLoadException? actual) = Run(file, pipelined: true);
        Assert.NotNull(expected);
        Assert.Equal(RdbLoadErrorKind.DuplicateKey, expected!.Kind);
        AssertSameError(expected, actual!);
        Assert.Contains("key \"key:1:7\"", actual!.Message, StringComparison.Ordinal);
        AssertReleased(loader);
    }

    [Fact]
    public void CorruptionMidFileFailsWithTheSameOffsetAndReleasesTheThread()
    {
        byte[] file = File((b, i) =>
        {
            if (i == 2500)
            {
                b.Byte(100);
            }
        });
        (_, _, RdbLoadException? expected) = Run(file, pipelined: false);
        (Database[] dbs, RdbLoader loader, RdbLoadException? actual) = Run(file, pipelined: true);
        Assert.Equal(RdbLoadErrorKind.InvalidType, expected!.Kind);
        AssertSameError(expected, actual!);
        AssertReleased(loader);
        // Every key before the damage reached the target and nothing after it (the caller discards the databases).
        Assert.Equal(Keys + 2501, dbs[0].Count + dbs[1].Count);
    }

    [Fact]
    public void ADuplicateBeforeLaterCorruptionIsTheErrorReported()
    {
        // The reader hits the corruption while the insert thread may not yet have seen the earlier duplicate:
        // the earlier error wins, as in a single-threaded load.
        byte[] file = File((b, i) =>
        {
            if (i == 100)
            {
                b.Key(0, "key:1:7").Str("again");
            }
            if (i == 120)
            {
                b.Byte(100);
            }
        });
        (_, _, RdbLoadException? expected) = Run(file, pipelined: false);
        (_, RdbLoader loader, RdbLoadException? actual) = Run(file, pipelined: true);
        Assert.Equal(RdbLoadErrorKind.DuplicateKey, expected!.Kind);
        AssertSameError(expected, actual!);
        AssertReleased(loader);
    }

    [Fact]
    public void ATruncatedFileFailsWithTheSameOffsetAndReleasesTheThread()
    {
        byte[] whole = File();
        byte[] file = whole.AsSpan(0, whole.Length * 2 / 3).ToArray();
        (_, _, RdbLoadException? expected) = Run(file, pipelined: false);
        (_, RdbLoader loader, RdbLoadException? actual) = Run(file, pipelined: true);
        Assert.Equal(RdbLoadErrorKind.UnexpectedEof, expected!.Kind);
        AssertSameError(expected, actual!);
        AssertReleased(loader);
    }

    [Fact]
    public void ATargetFailureStopsTheReaderWithThatKeysOffset()
    {
        // The target throws on an early key while the reader has many batches to go: the reader, possibly blocked
        // on the full queue, must be released and fail with the key the target failed on.
        byte[] file = File();
        (_, _, RdbLoadException? expected) = Run(file, pipelined: false, t => new FailingTarget(t, failAt: 300));
        (_, RdbLoader loader, RdbLoadException? actual) = Run(file, pipelined: true, t => new FailingTarget(t, failAt: 300));
        Assert.Equal(RdbLoadErrorKind.IoError, expected!.Kind);
        Assert.Equal("Error loading the RDB file: target failed", actual!.Reason);
        Assert.Equal(expected.Key, actual.Key);
        Assert.IsType<InvalidOperationException>(actual.InnerException);
        AssertReleased(loader);
    }

    private sealed class FailingTarget(IRdbLoadTarget inner, int failAt) : IRdbLoadTarget
    {
        private int _keys;

        public void OnAuxField(byte[] key, byte[] value, long offset) => inner.OnAuxField(key, value, offset);

        public void OnSelectDb(int db, long offset) => inner.OnSelectDb(db, offset);

        public void OnResizeDb(long dbSize, long expiresSize) => inner.OnResizeDb(dbSize, expiresSize);

        public bool OnKey(in RdbKeyRecord record) =>
            ++_keys == failAt ? throw new InvalidOperationException("target failed") : inner.OnKey(record);
    }
}
