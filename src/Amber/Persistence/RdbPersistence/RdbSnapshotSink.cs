using System.Buffers;
using Amber.Keyspace;
using Amber.Persistence.Rdb;
using Amber.Server;

namespace Amber.Persistence.RdbPersistence;

/// <summary>
/// Serializes a <see cref="KeyspaceSnapshot"/> as an RDB file, up to and including the EOF opcode; the consumer
/// appends the checksum of the stream. Keys arrive in no database order: SELECTDB is written again whenever the
/// database changes, which every RDB loader accepts; RESIZEDB goes with a database's first visit.
/// Collections are encoded under the lock (<see cref="WriteEntry"/>), everything else on the consumer thread, each
/// side with its own <see cref="RdbWriter"/>.
/// </summary>
internal sealed class RdbSnapshotSink(AmberServer server, bool aofBase) : ISnapshotSink
{
    private readonly bool _saveLfu = AccessTracking.IsLfu(server.Config.MaxMemoryPolicy);
    private readonly bool _saveLru = !AccessTracking.IsLfu(server.Config.MaxMemoryPolicy) &&
                                     server.Config.MaxMemoryPolicy.EndsWith("lru", StringComparison.Ordinal);
    private WriterSlot _capture;
    private WriterSlot _stream;

    /// <summary>Idle times are measured against the snapshot's start, as the forked child's clock would be.</summary>
    private readonly uint _nowSeconds = AccessTracking.Seconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>Each side hands the same buffer every time; a writer is made once per buffer, not per key.</summary>
    private struct WriterSlot
    {
        private RdbWriter? _writer;
        private IBufferWriter<byte>? _output;

        public RdbWriter For(IBufferWriter<byte> output, AmberServer server)
        {
            if (_writer == null || !ReferenceEquals(output, _output))
            {
                _writer = new RdbWriter(output, server.Config.RdbCompression, checksum: false, server.Config.ListMaxListpackSize);
                _output = output;
            }
            return _writer;
        }
    }

    public void Begin(IBufferWriter<byte> output)
    {
        RdbWriter writer = _stream.For(output, server);
        writer.WriteHeader();
        writer.WriteStandardAux(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), GC.GetTotalMemory(false), aofBase);
    }

    public void SelectDatabase(in SnapshotDatabase database, IBufferWriter<byte> output)
    {
        RdbWriter writer = _stream.For(output, server);
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
        _capture.For(output, server).WriteEntry(entry, idle, frequency);
    }

    public void WriteString(in CapturedString entry, IBufferWriter<byte> output)
    {
        long idle = _saveLru ? AccessTracking.IdleSeconds(entry.LastAccessSeconds, _nowSeconds) : -1;
        int frequency = _saveLfu ? AccessTracking.DecayedFrequency(entry.Frequency, entry.LastAccessSeconds, _nowSeconds) : -1;
        _stream.For(output, server).WriteStringEntry(entry.Key, entry.Value, entry.ExpireAtMs, idle, frequency);
    }

    public void End(IBufferWriter<byte> output) => _stream.For(output, server).WriteEof();
}
