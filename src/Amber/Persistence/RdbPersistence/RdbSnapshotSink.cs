using System.Buffers;
using Amber.Keyspace;
using Amber.Persistence.Rdb;
using Amber.Server;

namespace Amber.Persistence.RdbPersistence;

/// <summary>
/// Serializes a <see cref="KeyspaceSnapshot"/> as an RDB file, up to and including the EOF opcode; the consumer
/// appends the checksum of the stream (the sink runs in pieces on several threads, so it cannot keep one).
/// Keys arrive in no database order: SELECTDB is written again whenever the database changes, which every RDB
/// loader accepts; RESIZEDB goes with a database's first visit.
/// </summary>
internal sealed class RdbSnapshotSink(AmberServer server, bool aofBase) : ISnapshotSink
{
    private readonly bool _saveLfu = AccessTracking.IsLfu(server.Config.MaxMemoryPolicy);
    private readonly bool _saveLru = !AccessTracking.IsLfu(server.Config.MaxMemoryPolicy) &&
                                     server.Config.MaxMemoryPolicy.EndsWith("lru", StringComparison.Ordinal);
    private RdbWriter? _writer;
    private IBufferWriter<byte>? _output;

    /// <summary>Idle times are measured against the snapshot's start, as the forked child's clock would be.</summary>
    private readonly uint _nowSeconds = AccessTracking.Seconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>The snapshot hands the same buffer every time; a writer is made once per buffer, not per key.</summary>
    private RdbWriter Writer(IBufferWriter<byte> output)
    {
        if (_writer == null || !ReferenceEquals(output, _output))
        {
            _writer = new RdbWriter(output, server.Config.RdbCompression, checksum: false, server.Config.ListMaxListpackSize);
            _output = output;
        }
        return _writer;
    }

    public void Begin(IBufferWriter<byte> output)
    {
        RdbWriter writer = Writer(output);
        writer.WriteHeader();
        writer.WriteStandardAux(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), GC.GetTotalMemory(false), aofBase);
    }

    public void SelectDatabase(in SnapshotDatabase database, IBufferWriter<byte> output)
    {
        RdbWriter writer = Writer(output);
        writer.WriteSelectDb(database.Index);
        if (database.FirstVisit)
        {
            writer.WriteResizeDb(database.KeysAtStart, database.VolatileKeysAtStart);
        }
    }

    public void WriteEntry(Entry entry, IBufferWriter<byte> output)
    {
        long idle = _saveLru ? AccessTracking.IdleSeconds(entry, _nowSeconds) : -1;
        int frequency = _saveLfu ? AccessTracking.DecayedFrequency(entry, _nowSeconds) : -1;
        Writer(output).WriteEntry(entry.Key, entry.Value, entry.ExpireAtMs, idle, frequency);
    }

    public void End(IBufferWriter<byte> output) => Writer(output).WriteEof();
}
