using System.Buffers;
using Amber.Keyspace;
using Amber.Propagation;

namespace Amber.Persistence.Aof;

/// <summary>
/// Serializes a <see cref="KeyspaceSnapshot"/> as RESP commands: the AOF-format base of BGREWRITEAOF with
/// aof-use-rdb-preamble no. SELECT whenever the database changes (captures arrive in no database order), then per key
/// the commands of <see cref="AofDatasetWriter.WriteEntry"/>. Collections are encoded under the lock, strings on the
/// consumer thread, each side with its own builder.
/// </summary>
internal sealed class AofSnapshotSink(bool timestampAnnotation) : ISnapshotSink
{
    private readonly RespCommandBuilder _commands = new(16 * 1024);
    private readonly RespCommandBuilder _captureCommands = new(16 * 1024);

    public void Begin(IBufferWriter<byte> output)
    {
        if (timestampAnnotation)
        {
            AofDatasetWriter.WriteTimestamp(_commands);
            Drain(_commands, output);
        }
    }

    public void SelectDatabase(in SnapshotDatabase database, IBufferWriter<byte> output)
    {
        _commands.Begin(2);
        _commands.Arg("SELECT"u8);
        _commands.Arg(database.Index);
        Drain(_commands, output);
    }

    public void WriteEntry(Entry entry, IBufferWriter<byte> output)
    {
        Span<byte> scratch = stackalloc byte[32];
        AofDatasetWriter.WriteEntry(_captureCommands, entry, scratch);
        Drain(_captureCommands, output);
    }

    public void WriteString(in CapturedString entry, IBufferWriter<byte> output)
    {
        AofDatasetWriter.WriteString(_commands, entry.Key, entry.Value, entry.ExpireAtMs);
        Drain(_commands, output);
    }

    public void End(IBufferWriter<byte> output)
    {
    }

    private static void Drain(RespCommandBuilder commands, IBufferWriter<byte> output)
    {
        output.Write(commands.Written);
        commands.Clear();
    }
}
