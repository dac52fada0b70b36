using System.Buffers;
using System.Buffers.Binary;

namespace Amber.Persistence.Rdb;

/// <summary>
/// Builds a listpack byte-for-byte as Redis 7.0 lays it out (spec §1.7): a 6-byte header (total bytes, element
/// count), entries of <c>encoding+data</c> followed by a backward-readable length, and a 0xFF terminator. Strings
/// that are canonical 64-bit integers get the smallest integer encoding, as Redis stores them.
/// The buffer is pooled: <see cref="Dispose"/> gives it back.
/// </summary>
internal sealed class ListPackBuilder : IDisposable
{
    public const int HeaderSize = 6;
    public const byte Terminator = 0xFF;

    /// <summary>Header element count meaning "too many to count here, walk the entries".</summary>
    public const int UnknownCount = ushort.MaxValue;

    /// <summary>The most an encoding+data part plus its backlen can take besides the string bytes.</summary>
    private const int MaxEntryOverhead = 5 + 5;

    private byte[] _buffer;
    private int _length;

    public ListPackBuilder(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 64));
        Reset();
    }

    /// <summary>Bytes the buffer can hold before it grows.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Entries appended since the last <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Size of the finished listpack with the entries so far (header and terminator included), as Redis's lpBytes.</summary>
    public int TotalBytes => _length + 1;

    /// <summary>Starts an empty listpack, keeping the buffer.</summary>
    public void Reset()
    {
        _length = HeaderSize;
        Count = 0;
    }

    /// <summary>Appends an element: integer-encoded when it is the canonical text of a 64-bit integer, else a string.</summary>
    public void Append(ReadOnlySpan<byte> element)
    {
        if (element.Length <= 20 && Commands.CommandContext.TryParseLong(element, out long value))
        {
            AppendInteger(value);
        }
        else
        {
            AppendString(element);
        }
    }

    public void AppendInteger(long value)
    {
        Span<byte> span = Reserve(9 + 1);
        int n;
        if (value is >= 0 and <= 127)
        {
            span[0] = (byte)value;
            n = 1;
        }
        else if (value is >= -4096 and <= 4095)
        {
            int bits = (int)value & 0x1FFF; // 13-bit two's complement, high bits in the first byte
            span[0] = (byte)(0xC0 | (bits >> 8));
            span[1] = (byte)bits;
            n = 2;
        }
        else if (value is >= short.MinValue and <= short.MaxValue)
        {
            span[0] = 0xF1;
            BinaryPrimitives.WriteInt16LittleEndian(span[1..], (short)value);
            n = 3;
        }
        else if (value is >= -(1 << 23) and < (1 << 23))
        {
            span[0] = 0xF2;
            span[1] = (byte)value;
            span[2] = (byte)(value >> 8);
            span[3] = (byte)(value >> 16);
            n = 4;
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            span[0] = 0xF3;
            BinaryPrimitives.WriteInt32LittleEndian(span[1..], (int)value);
            n = 5;
        }
        else
        {
            span[0] = 0xF4;
            BinaryPrimitives.WriteInt64LittleEndian(span[1..], value);
            n = 9;
        }
        n += WriteBacklen(span[n..], n);
        Commit(n);
    }

    public void AppendString(ReadOnlySpan<byte> value)
    {
        Span<byte> span = Reserve(value.Length + MaxEntryOverhead);
        int len = value.Length;
        int header;
        if (len < 64)
        {
            span[0] = (byte)(0x80 | len);
            header = 1;
        }
        else if (len < 4096)
        {
            span[0] = (byte)(0xE0 | (len >> 8));
            span[1] = (byte)len;
            header = 2;
        }
        else
        {
            span[0] = 0xF0;
            BinaryPrimitives.WriteUInt32LittleEndian(span[1..], (uint)len);
            header = 5;
        }
        value.CopyTo(span[header..]);
        int n = header + len;
        n += WriteBacklen(span[n..], n);
        Commit(n);
    }

    /// <summary>The bytes an element would add as an entry (encoding, data and backlen), without appending it.</summary>
    public static int EntrySize(ReadOnlySpan<byte> element)
    {
        int n;
        if (element.Length <= 20 && Commands.CommandContext.TryParseLong(element, out long value))
        {
            n = value is >= 0 and <= 127 ? 1
                : value is >= -4096 and <= 4095 ? 2
                : value is >= short.MinValue and <= short.MaxValue ? 3
                : value is >= -(1 << 23) and < (1 << 23) ? 4
                : value is >= int.MinValue and <= int.MaxValue ? 5
                : 9;
        }
        else
        {
            n = element.Length + (element.Length < 64 ? 1 : element.Length < 4096 ? 2 : 5);
        }
        return n + BacklenSize(n);
    }

    /// <summary>Bytes of the backward length of an entry whose encoding+data is <paramref name="length"/> bytes.</summary>
    public static int BacklenSize(int length) =>
        length <= 127 ? 1 : length < 16383 ? 2 : length < 2097151 ? 3 : length < 268435455 ? 4 : 5;

    /// <summary>
    /// The backward length: 7 bits per byte, the lowest 7 bits in the last byte; every byte but the first carries
    /// 0x80, so a reader walking backwards knows where it stops.
    /// </summary>
    private static int WriteBacklen(Span<byte> destination, int length)
    {
        int size = BacklenSize(length);
        uint v = (uint)length;
        for (int i = size - 1; i >= 0; i--)
        {
            destination[i] = (byte)((v & 0x7Fu) | (i == 0 ? 0u : 0x80u));
            v >>= 7;
        }
        return size;
    }

    /// <summary>Terminates the listpack and fills in its header; the span is valid until the next change.</summary>
    public ReadOnlySpan<byte> Finish()
    {
        Span<byte> span = Reserve(1);
        span[0] = Terminator;
        int total = _length + 1;
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)total);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), (ushort)Math.Min(Count, UnknownCount));
        return _buffer.AsSpan(0, total);
    }

    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
        {
            byte[] grown = ArrayPool<byte>.Shared.Rent(Math.Max(_length + size, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = grown;
        }
        return _buffer.AsSpan(_length);
    }

    private void Commit(int entryBytes)
    {
        _length += entryBytes;
        Count++;
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
