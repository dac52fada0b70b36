using System.Buffers.Binary;
using Amber.Keyspace;
using Amber.Persistence.Rdb;

namespace Amber.Commands;

/// <summary>
/// DUMP key: the value serialized as Redis 7.0 serializes it, so a real Redis can RESTORE it (spec §1.13):
/// type byte and payload as in an RDB file, the RDB version as 2 bytes little-endian, then the CRC-64 of all
/// that, 8 bytes little-endian. Strings and blobs are LZF-compressed when rdbcompression is on, as Redis does.
/// </summary>
internal static class DumpCommand
{
    public static void Register(CommandTable t)
    {
        t.Add(new("dump", 2, CommandFlags.ReadOnly, 1, 1, 1, "keyspace read slow", Dump)
        {
            Since = "2.6.0",
            Summary = "Serializes a key's value in Redis's DUMP format.",
            Complexity = "O(1) to find the key, O(N*M) to serialize N elements of average size M",
            Tips = ["nondeterministic_output"],
        });
    }

    private static void Dump(CommandContext ctx)
    {
        Entry? e = KeyCommands.LookupRead(ctx, ctx.Arg(1));
        if (e == null)
        {
            ctx.Reply.WriteNull();
            return;
        }
        using var payload = new PooledBufferWriter();
        if (e.Value is { } typed)
        {
            WritePayload(payload, typed, ctx.Server.Config.RdbCompression, ctx.Server.Config.ListMaxListpackSize);
        }
        else
        {
            RdbPrimitives.WriteByte(payload, (byte)RdbType.String);
            RdbPrimitives.WriteString(payload, e.StringValue, ctx.Server.Config.RdbCompression);
            WriteFooter(payload);
        }
        ctx.Reply.WriteBulkString(payload.WrittenSpan);
    }

    /// <summary>The whole DUMP payload of a value (also what RESTORE's tests compare against).</summary>
    public static void WritePayload(PooledBufferWriter output, object value, bool compress, int listMaxListpackSize)
    {
        RdbValueEncoder.WriteValue(output, value, compress, listMaxListpackSize);
        WriteFooter(output);
    }

    private static void WriteFooter(PooledBufferWriter output)
    {
        Span<byte> footer = output.GetSpan(10);
        BinaryPrimitives.WriteUInt16LittleEndian(footer, RdbFormat.Version);
        output.Advance(2);
        ulong crc = Crc64.Compute(output.WrittenSpan);
        BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(8), crc);
        output.Advance(8);
    }
}
