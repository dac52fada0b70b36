using System.Buffers;
using System.Buffers.Binary;

namespace Amber.Persistence.Rdb;

/// <summary>
/// Writes an RDB v10 file (Redis 7.0's layout, spec §1.1, docs/formats/rdb.md) record by record into an
/// <see cref="IBufferWriter{T}"/>: <see cref="WriteHeader"/>, AUX fields (<see cref="WriteStandardAux"/>), then per
/// non-empty database <see cref="WriteSelectDb"/>, <see cref="WriteResizeDb"/> and its <see cref="WriteEntry"/>s,
/// and finally <see cref="WriteEofAndChecksum"/>.
/// <para>
/// The checksum is Redis's CRC-64 of every byte from "REDIS" through the EOF opcode, stored after it as 8 bytes
/// little-endian, or 8 zero bytes for rdbchecksum no. Two ways to get it:
/// <list type="bullet">
/// <item>Construct with <c>checksum: true</c>: the writer keeps the running CRC of all it writes
/// (<see cref="Checksum"/>) and <see cref="WriteEofAndChecksum"/> appends it. With <c>checksum: false</c> that
/// method appends zeros and no CRC work is done.</item>
/// <item>A consumer that checksums the bytes itself while it moves them (e.g. flushing chunks to a file outside
/// the keyspace lock) constructs with <c>checksum: false</c>, calls <see cref="WriteEof"/>, runs
/// <see cref="Crc64.Update"/> over every chunk up to and including the EOF byte, then calls
/// <see cref="WriteChecksum"/> with the result; those last 8 bytes are not themselves covered.</item>
/// </list>
/// </para>
/// </summary>
internal sealed class RdbWriter
{
    private readonly IBufferWriter<byte> _output;
    private readonly ChecksummingBufferWriter? _checksummed;

    /// <param name="output">Where the bytes go.</param>
    /// <param name="compress">rdbcompression: LZF for strings and blobs longer than 20 bytes when it pays.</param>
    /// <param name="checksum">rdbchecksum: keep a running CRC-64 and append it; otherwise append zeros.</param>
    /// <param name="listMaxListpackSize">list-max-listpack-size, which decides where list nodes are cut.</param>
    public RdbWriter(IBufferWriter<byte> output, bool compress = true, bool checksum = true, int listMaxListpackSize = -2)
    {
        _checksummed = checksum ? new ChecksummingBufferWriter(output) : null;
        _output = _checksummed ?? output;
        Compress = compress;
        ListMaxListpackSize = listMaxListpackSize;
    }

    public bool Compress { get; }
    public int ListMaxListpackSize { get; }

    /// <summary>Whether the writer keeps the running CRC (constructed with checksum: true).</summary>
    public bool TracksChecksum => _checksummed != null;

    /// <summary>CRC-64 of everything written so far; 0 when the writer does not track it.</summary>
    public ulong Checksum => _checksummed?.Crc ?? 0;

    /// <summary>"REDIS0010": the magic and the 4-digit version.</summary>
    public void WriteHeader()
    {
        Span<byte> span = _output.GetSpan(9);
        RdbFormat.Magic.CopyTo(span);
        "0010"u8.CopyTo(span[5..]);
        _output.Advance(9);
    }

    /// <summary>An AUX field: opcode 0xFA, then key and value as strings (integer-encoded where Redis would).</summary>
    public void WriteAux(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        RdbPrimitives.WriteByte(_output, (byte)RdbOpcode.Aux);
        RdbPrimitives.WriteString(_output, key, Compress);
        RdbPrimitives.WriteString(_output, value, Compress);
    }

    /// <summary>An AUX field whose value is a number, written as Redis writes its decimal text.</summary>
    public void WriteAux(ReadOnlySpan<byte> key, long value)
    {
        RdbPrimitives.WriteByte(_output, (byte)RdbOpcode.Aux);
        RdbPrimitives.WriteString(_output, key, Compress);
        RdbPrimitives.WriteIntegerString(_output, value);
    }

    /// <summary>
    /// The AUX fields a standalone Redis 7.0 writes, in its order: redis-ver, redis-bits, ctime, used-mem, aof-base
    /// (1 when the file is an AOF base / preamble). Amber has no replication state, so no repl-* fields.
    /// redis-ver names 7.0.15: the release whose format and behaviour these files follow.
    /// </summary>
    public void WriteStandardAux(long ctimeUnixSeconds, long usedMemory, bool aofBase)
    {
        WriteAux("redis-ver"u8, "7.0.15"u8);
        WriteAux("redis-bits"u8, 64);
        WriteAux("ctime"u8, ctimeUnixSeconds);
        WriteAux("used-mem"u8, usedMemory);
        WriteAux("aof-base"u8, aofBase ? 1 : 0);
    }

    public void WriteSelectDb(int db)
    {
        RdbPrimitives.WriteByte(_output, (byte)RdbOpcode.SelectDb);
        RdbPrimitives.WriteLength(_output, (ulong)db);
    }

    /// <summary>Size hints for the database just selected (keys, keys with an expiry).</summary>
    public void WriteResizeDb(long size, long expires)
    {
        RdbPrimitives.WriteByte(_output, (byte)RdbOpcode.ResizeDb);
        RdbPrimitives.WriteLength(_output, (ulong)size);
        RdbPrimitives.WriteLength(_output, (ulong)expires);
    }

    /// <summary>
    /// One key: [0xFC expiry ms] [0xF8 LRU idle seconds] [0xF9 LFU counter] type key value. Redis writes the idle
    /// time only under an LRU maxmemory policy and the counter only under an LFU one; pass -1 to leave them out.
    /// </summary>
    public void WriteEntry(ReadOnlySpan<byte> key, object value, long expireAtMs, long lruIdleSeconds = -1, int lfuFrequency = -1)
    {
        WriteEntryMetadata(expireAtMs, lruIdleSeconds, lfuFrequency);
        // The value encoder writes the type byte first, so the key goes between: measure the type, write it, the
        // key, then the payload.
        RdbPrimitives.WriteByte(_output, (byte)RdbValueEncoder.TypeOf(value));
        RdbPrimitives.WriteString(_output, key, Compress);
        RdbValueEncoder.WritePayload(_output, value, Compress, ListMaxListpackSize);
    }

    /// <summary>A key as it is in the keyspace (a string from the key's array, any other value encoded).</summary>
    public void WriteEntry(Keyspace.Entry entry, long lruIdleSeconds = -1, int lfuFrequency = -1)
    {
        if (entry.Value is { } typed)
        {
            WriteEntry(entry.Key, typed, entry.ExpireAtMs, lruIdleSeconds, lfuFrequency);
        }
        else
        {
            WriteStringEntry(entry.Key, entry.StringValue, entry.ExpireAtMs, lruIdleSeconds, lfuFrequency);
        }
    }

    /// <summary>A string key from its bytes (e.g. a snapshot's copy): the same bytes <see cref="WriteEntry"/> writes.</summary>
    public void WriteStringEntry(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs, long lruIdleSeconds = -1, int lfuFrequency = -1)
    {
        WriteEntryMetadata(expireAtMs, lruIdleSeconds, lfuFrequency);
        RdbPrimitives.WriteByte(_output, (byte)RdbType.String);
        RdbPrimitives.WriteString(_output, key, Compress);
        RdbPrimitives.WriteString(_output, value, Compress);
    }

    private void WriteEntryMetadata(long expireAtMs, long lruIdleSeconds, int lfuFrequency)
    {
        if (expireAtMs != Keyspace.Entry.NoExpiry)
        {
            Span<byte> span = _output.GetSpan(9);
            span[0] = (byte)RdbOpcode.ExpireTimeMs;
            BinaryPrimitives.WriteInt64LittleEndian(span[1..], expireAtMs);
            _output.Advance(9);
        }
        if (lruIdleSeconds >= 0)
        {
            RdbPrimitives.WriteByte(_output, (byte)RdbOpcode.Idle);
            RdbPrimitives.WriteLength(_output, (ulong)lruIdleSeconds);
        }
        if (lfuFrequency >= 0)
        {
            Span<byte> span = _output.GetSpan(2);
            span[0] = (byte)RdbOpcode.Freq;
            span[1] = (byte)lfuFrequency;
            _output.Advance(2);
        }
    }

    /// <summary>The EOF opcode (0xFF), the last byte the checksum covers.</summary>
    public void WriteEof() => RdbPrimitives.WriteByte(_output, (byte)RdbOpcode.Eof);

    /// <summary>Appends the 8-byte little-endian checksum (0 means "not computed" to every loader).</summary>
    public void WriteChecksum(ulong crc)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_output.GetSpan(8), crc);
        _output.Advance(8);
    }

    /// <summary>The EOF opcode and then the running checksum, or zeros when the writer does not track it.</summary>
    public void WriteEofAndChecksum()
    {
        WriteEof();
        WriteChecksum(Checksum);
    }
}
