using System.Buffers;
using System.Buffers.Binary;
using Amber.Keyspace;
using Amber.Persistence.Rdb;
using Amber.Server;

namespace Amber.Persistence.RdbPersistence;

/// <summary>The RDB bytes of the dataset: synchronously (SAVE) or from a point-in-time snapshot (BGSAVE).</summary>
internal static class RdbExport
{
    /// <summary>Writes the whole dataset as a complete RDB file. The caller holds the keyspace lock.</summary>
    public static void WriteDataset(AmberServer server, IBufferWriter<byte> output) =>
        RdbDatasetWriter.WriteDataset(RdbDatasetWriter.CreateWriter(output, server), server, aofBase: false);

    /// <summary>Starts a point-in-time snapshot of every database; the caller holds the keyspace lock.</summary>
    public static IBackgroundRdbExport StartSnapshot(AmberServer server) =>
        new SnapshotRdbExport(server, server.StartSnapshot(new RdbSnapshotSink(server, aofBase: false)), rdbTrailer: true);

    /// <summary>
    /// Starts a snapshot written by <paramref name="sink"/> (the AOF rewrite's base); the caller holds the keyspace lock.
    /// With <paramref name="rdbTrailer"/> the drained stream ends with the RDB checksum, else it is left as the sink made it.
    /// </summary>
    public static IBackgroundRdbExport StartSnapshot(AmberServer server, ISnapshotSink sink, bool rdbTrailer) =>
        new SnapshotRdbExport(server, server.StartSnapshot(sink), rdbTrailer);

    /// <summary>Drives a <see cref="KeyspaceSnapshot"/> and checksums its stream on the way to the file.</summary>
    private sealed class SnapshotRdbExport(AmberServer server, KeyspaceSnapshot snapshot, bool rdbTrailer) : IBackgroundRdbExport
    {
        public long KeysProcessed => snapshot.KeysProcessed;
        public long KeysTotal => snapshot.KeysTotal;
        public long PendingBytes => snapshot.Output.PendingBytes;
        public long PeakPendingBytes => snapshot.Output.PeakPendingBytes;

        public void DrainTo(AtomicFileCommit output)
        {
            bool checksum = rdbTrailer && server.Config.RdbChecksum;
            ulong crc = 0;
            // The walker steps on a thread of its own, taking the lock a step at a time; the drain encodes and writes
            // the whole file without the lock, at a priority that lets requests have the CPU first.
            Task producer = snapshot.RunOnOwnThread();
            IdlePriorityDrain.Run(snapshot, chunk =>
            {
                if (checksum)
                {
                    crc = Crc64.Update(crc, chunk);
                }
                output.Write(chunk);
            });
            producer.GetAwaiter().GetResult();
            if (!rdbTrailer)
            {
                return;
            }
            // The checksum covers everything through the EOF opcode (the stream's last byte); zero means "none".
            Span<byte> trailer = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(trailer, crc);
            output.Write(trailer);
        }

        public void Abort() => snapshot.Abort(new OperationCanceledException("The background save was stopped."));

        public void Dispose()
        {
            if (snapshot.IsRunning)
            {
                snapshot.Abort();
            }
        }
    }
}
