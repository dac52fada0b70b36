using System.Buffers;
using System.Buffers.Binary;

namespace Amber.Persistence.Rdb;

/// <summary>
/// The RDB building blocks every record is made of (spec §1.3–1.5): lengths, strings with Redis's integer and LZF
/// encodings, binary doubles. Written straight into an <see cref="IBufferWriter{T}"/>.
/// </summary>
internal static class RdbPrimitives
{
    /// <summary>Strings up to this long are tried as integers (Redis: the longest int32 text, "-2147483648").</summary>
    public const int MaxIntegerEncodedLength = 11;

    /// <summary>LZF is tried only on strings longer than this (Redis does the same: shorter ones never pay off).</summary>
    public const int MinCompressedLength = 20;

    /// <summary>The largest encoded length: the 0x81 prefix and a 64-bit big-endian value.</summary>
    public const int MaxLengthSize = 9;

    /// <summary>Bytes the shortest length form of <paramref name="length"/> takes.</summary>
    public static int LengthSize(ulong length) => length < 64 ? 1 : length < 16384 ? 2 : length <= uint.MaxValue ? 5 : 9;

    /// <summary>Writes a length in the shortest form: 6 bits, 14 bits big-endian, or a 0x80/0x81 prefix and 32/64 bits big-endian.</summary>
    public static void WriteLength(IBufferWriter<byte> output, ulong length)
    {
        Span<byte> span = output.GetSpan(MaxLengthSize);
        output.Advance(WriteLength(span, length));
    }

    /// <summary>Writes a length into <paramref name="destination"/> (at least <see cref="LengthSize"/> bytes); returns its size.</summary>
    public static int WriteLength(Span<byte> destination, ulong length)
    {
        if (length < 64)
        {
            destination[0] = (byte)length;
            return 1;
        }
        if (length < 16384)
        {
            destination[0] = (byte)(RdbFormat.Len14Bit | (int)(length >> 8));
            destination[1] = (byte)length;
            return 2;
        }
        if (length <= uint.MaxValue)
        {
            destination[0] = RdbFormat.Len32Bit;
            BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
            return 5;
        }
        destination[0] = RdbFormat.Len64Bit;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], length);
        return 9;
    }

    public static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            Span<byte> span = output.GetSpan(Math.Min(bytes.Length, 64 * 1024));
            int n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }

    /// <summary>An 8-byte little-endian IEEE-754 double (ZSET_2 scores).</summary>
    public static void WriteBinaryDouble(IBufferWriter<byte> output, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    /// <summary>
    /// Writes a string the way Redis 7.0 does: as an int8/16/32 when it is the canonical text of an integer in
    /// int32 range (so it loads back as the same bytes), else LZF-compressed when <paramref name="compress"/>, it is
    /// longer than 20 bytes and the result fits in length-4 bytes, else as length and bytes.
    /// </summary>
    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> value, bool compress)
    {
        if (value.Length <= MaxIntegerEncodedLength && TryWriteIntegerString(output, value))
        {
            return;
        }
        if (compress && value.Length > MinCompressedLength && TryWriteCompressed(output, value))
        {
            return;
        }
        WriteLength(output, (ulong)value.Length);
        WriteBytes(output, value);
    }

    /// <summary>An integer as Redis writes a number-valued string (AUX values, int-encoded objects).</summary>
    public static void WriteIntegerString(IBufferWriter<byte> output, long value)
    {
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            WriteEncodedInteger(output, (int)value);
            return;
        }
        Span<byte> text = stackalloc byte[20];
        System.Buffers.Text.Utf8Formatter.TryFormat(value, text, out int n);
        WriteLength(output, (ulong)n);
        WriteBytes(output, text[..n]);
    }

    private static bool TryWriteIntegerString(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        if (!Commands.CommandContext.TryParseLong(value, out long v) || v is < int.MinValue or > int.MaxValue)
        {
            return false;
        }
        WriteEncodedInteger(output, (int)v);
        return true;
    }

    private static void WriteEncodedInteger(IBufferWriter<byte> output, int value)
    {
        Span<byte> span = output.GetSpan(5);
        if (value is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            span[0] = RdbFormat.LenEncoded | RdbFormat.EncodingInt8;
            span[1] = (byte)(sbyte)value;
            output.Advance(2);
        }
        else if (value is >= short.MinValue and <= short.MaxValue)
        {
            span[0] = RdbFormat.LenEncoded | RdbFormat.EncodingInt16;
            BinaryPrimitives.WriteInt16LittleEndian(span[1..], (short)value);
            output.Advance(3);
        }
        else
        {
            span[0] = RdbFormat.LenEncoded | RdbFormat.EncodingInt32;
            BinaryPrimitives.WriteInt32LittleEndian(span[1..], value);
            output.Advance(5);
        }
    }

    /// <summary>0xC3, compressed length, original length, LZF bytes; false (nothing written) when it does not save 4+ bytes.</summary>
    private static bool TryWriteCompressed(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        int limit = value.Length - 4;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(limit);
        try
        {
            int n = Lzf.Compress(value, scratch.AsSpan(0, limit));
            if (n == 0)
            {
                return false;
            }
            Span<byte> header = output.GetSpan(1 + (2 * MaxLengthSize));
            header[0] = RdbFormat.LenEncoded | RdbFormat.EncodingLzf;
            int h = 1 + WriteLength(header[1..], (ulong)n);
            h += WriteLength(header[h..], (ulong)value.Length);
            output.Advance(h);
            WriteBytes(output, scratch.AsSpan(0, n));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
