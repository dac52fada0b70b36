using System.Buffers;
using Amber.Diagnostics;
using Amber.Keyspace;
using Amber.Persistence.Rdb;
using Amber.Persistence.Rdb.Reading;

namespace Amber.Tests.Persistence;

/// <summary>What the reader loads, Amber's writer writes, and the reader loads back the same (digest, expiries, encodings).</summary>
public sealed class RdbRoundTripTests
{
    [SkippableFact]
    public void ReaderAndWriterRoundTripTheRedisDataset()
    {
        byte[] file = RdbRedisFileTests.SaveRedisDataset(out RedisProcess redis);
        redis.Dispose();
        (Database[] first, _) = RdbTestLoad.Load(file);
        foreach (bool compress in new[] { true, false })
        {
            var output = new ArrayBufferWriter<byte>();
            var writer = new RdbWriter(output, compress);
            writer.WriteHeader();
            writer.WriteStandardAux(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 0, aofBase: false);
            foreach (Database db in first)
            {
                if (db.Count == 0)
                {
                    continue;
                }
                writer.WriteSelectDb(db.Index);
                writer.WriteResizeDb(db.Count, db.VolatileCount);
                foreach (Entry e in db.Table.All())
                {
                    writer.WriteEntry(e);
                }
            }
            writer.WriteEofAndChecksum();
            (Database[] second, RdbLoadResult result) = RdbTestLoad.Load(output.WrittenSpan.ToArray());
            Assert.True(result.ChecksumVerified);
            Assert.Equal(DatasetDigest.Compute(first), DatasetDigest.Compute(second));
            foreach (Database db in first)
            {
                foreach (Entry e in db.Table.All())
                {
                    Entry copy = second[db.Index].FindRaw(e.Key)!;
                    Assert.Equal(e.ExpireAtMs, copy.ExpireAtMs);
                    Assert.Equal(ValueTypes.EncodingName(e), ValueTypes.EncodingName(copy));
                }
            }
        }
    }
}
