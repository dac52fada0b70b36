using System.Buffers;
using Amber.Keyspace;
using Amber.Propagation;

namespace Amber.Persistence.Aof;

/// <summary>
/// Serializes a <see cref="KeyspaceSnapshot"/> as RESP commands: the AOF-format base of BGREWRITEAOF with
/// aof-use-rdb-preamble no. SELECT whenever the database changes (captures arrive in no database order), then per key
/// the commands of <see cref="AofDatasetWriter.WriteEntry"/>.
/// </summary>
internal sealed class AofSnapshotSink(bool timestampAnnotation) : ISnapshotSink
{
    private readonly RespCommandBuilder _commands = new(16 * 1024);

    public void Begin(IBufferWriter<byte> output)
    {
        if (timestampAnnotation)
        {
            AofDatasetWriter.WriteTimestamp(_commands);
            Drain(output);
        }
    }

    public void SelectDatabase(in SnapshotDatabase database, IBufferWriter<byte> output)
    {
        _commands.Begin(2);
        _commands.Arg("SELECT"u8);
        _commands.Arg(database.Index);
        Drain(output);
    }

    public void WriteEntry(Entry entry, IBufferWriter<byte> output)
    {
        Span<byte> scratch = stackalloc byte[32];
        AofDatasetWriter.WriteEntry(_commands, entry, scratch);
        Drain(output);
    }

    public void End(IBufferWriter<byte> output)
    {
    }

    private void Drain(IBufferWriter<byte> output)
    {
        output.Write(_commands.Written);
        _commands.Clear();
    }
}
