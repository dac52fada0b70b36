using System.Buffers;
using System.Buffers.Binary;

namespace Amber.Keyspace;

/// <summary>
/// The records a snapshot's captures append to its output under the keyspace lock, decoded by the consumer outside
/// it. Each record is written with one GetSpan/Advance, so it never spans two chunks. Little-endian:
/// <code>
/// 'S' db:i32 expireAtMs:i64 lastAccess:u32 frequency:u8 keyLength:i32 valueLength:i32 key value   (a string, copied)
/// 'E' db:i32 length:i32 bytes                                                                    (encoded by the sink)
/// </code>
/// </summary>
internal static class CaptureRecord
{
    public const byte StringKind = (byte)'S';
    public const byte EncodedKind = (byte)'E';
    private const int StringHeader = 1 + 4 + 8 + 4 + 1 + 4 + 4;
    private const int EncodedHeader = 1 + 4 + 4;

    /// <summary>Copies a string key (the value's array may later change in place: SETRANGE, APPEND, SETBIT).</summary>
    public static void WriteString(IBufferWriter<byte> output, int db, Entry entry)
    {
        ReadOnlySpan<byte> key = entry.Key;
        ReadOnlySpan<byte> value = entry.StringValue;
        int length = StringHeader + key.Length + value.Length;
        Span<byte> span = output.GetSpan(length);
        span[0] = StringKind;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], db);
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], entry.ExpireAtMs);
        BinaryPrimitives.WriteUInt32LittleEndian(span[13..], entry.LastAccessSeconds);
        span[17] = entry.Frequency;
        BinaryPrimitives.WriteInt32LittleEndian(span[18..], key.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[22..], value.Length);
        key.CopyTo(span[StringHeader..]);
        value.CopyTo(span[(StringHeader + key.Length)..]);
        output.Advance(length);
    }

    /// <summary>Bytes the sink already encoded under the lock.</summary>
    public static void WriteEncoded(IBufferWriter<byte> output, int db, ReadOnlySpan<byte> encoded)
    {
        int length = EncodedHeader + encoded.Length;
        Span<byte> span = output.GetSpan(length);
        span[0] = EncodedKind;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], db);
        BinaryPrimitives.WriteInt32LittleEndian(span[5..], encoded.Length);
        encoded.CopyTo(span[EncodedHeader..]);
        output.Advance(length);
    }

    /// <summary>The database of the record at the start of <paramref name="records"/>.</summary>
    public static int Database(ReadOnlySpan<byte> records) => BinaryPrimitives.ReadInt32LittleEndian(records[1..]);

    /// <summary>Decodes the string record at the start of <paramref name="records"/>; returns its length.</summary>
    public static int ReadString(ReadOnlySpan<byte> records, out CapturedString captured)
    {
        int keyLength = BinaryPrimitives.ReadInt32LittleEndian(records[18..]);
        int valueLength = BinaryPrimitives.ReadInt32LittleEndian(records[22..]);
        captured = new CapturedString(
            records.Slice(StringHeader, keyLength),
            records.Slice(StringHeader + keyLength, valueLength),
            BinaryPrimitives.ReadInt64LittleEndian(records[5..]),
            BinaryPrimitives.ReadUInt32LittleEndian(records[13..]),
            records[17]);
        return StringHeader + keyLength + valueLength;
    }

    /// <summary>Decodes the encoded record at the start of <paramref name="records"/>; returns its length.</summary>
    public static int ReadEncoded(ReadOnlySpan<byte> records, out ReadOnlySpan<byte> encoded)
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(records[5..]);
        encoded = records.Slice(EncodedHeader, length);
        return EncodedHeader + length;
    }
}
