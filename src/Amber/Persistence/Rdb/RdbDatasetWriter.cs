using Amber.Keyspace;
using Amber.Server;

namespace Amber.Persistence.Rdb;

/// <summary>
/// A synchronous whole-dataset RDB dump: the content of a Redis 7.0 RDB file for every database as it is now,
/// written under the keyspace lock (SAVE, DEBUG RELOAD and tests, until the fork-less snapshotter takes over the
/// background cases). The bytes go wherever the <see cref="RdbWriter"/> writes; the file handling (temp file,
/// fsync, rename) belongs to the caller.
/// </summary>
internal static class RdbDatasetWriter
{
    /// <summary>
    /// Writes header, Redis 7.0's standard AUX fields, per non-empty database SELECTDB, RESIZEDB and every key
    /// (expired-but-not-yet-reclaimed keys included, as Redis writes them; loaders drop them), then EOF and the
    /// checksum. <paramref name="aofBase"/> marks an AOF base / preamble (aof-base 1).
    /// </summary>
    public static void WriteDataset(RdbWriter writer, AmberServer server, bool aofBase)
    {
        // Monitor locks are reentrant: SAVE already holds it while it executes; other callers get it here.
        lock (server.KeyspaceLock)
        {
            writer.WriteHeader();
            writer.WriteStandardAux(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), GC.GetTotalMemory(false), aofBase);
            string policy = server.Config.MaxMemoryPolicy;
            bool saveLfu = AccessTracking.IsLfu(policy);
            bool saveLru = !saveLfu && policy.EndsWith("lru", StringComparison.Ordinal);
            uint nowSeconds = AccessTracking.Seconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            foreach (Database db in server.Databases)
            {
                if (db.Count == 0)
                {
                    continue;
                }
                writer.WriteSelectDb(db.Index);
                writer.WriteResizeDb(db.Count, db.VolatileCount);
                foreach (Entry e in db.Table.All())
                {
                    long idle = saveLru ? AccessTracking.IdleSeconds(e, nowSeconds) : -1;
                    int frequency = saveLfu ? AccessTracking.DecayedFrequency(e, nowSeconds) : -1;
                    writer.WriteEntry(e, idle, frequency);
                }
            }
            writer.WriteEofAndChecksum();
        }
    }

    /// <summary>A writer configured from the server's rdbcompression, rdbchecksum and list-max-listpack-size.</summary>
    public static RdbWriter CreateWriter(System.Buffers.IBufferWriter<byte> output, AmberServer server) =>
        new(output, server.Config.RdbCompression, server.Config.RdbChecksum, server.Config.ListMaxListpackSize);
}
