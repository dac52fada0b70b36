using System.Buffers;
using System.Buffers.Binary;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// The byte source of the RDB reader: a stream read through its own buffer (or a whole payload in memory, for RESTORE),
/// the absolute offset of the next byte, and the CRC64 of every byte consumed so far (computed lazily, a buffer at a
/// time). It also holds what the reader is doing (phase, key, type) so every error can say where it happened.
/// Lengths read from the file are checked against what is left of it before anything is allocated for them.
/// </summary>
internal sealed class RdbInput
{
    private const int BufferSize = 64 * 1024;

    private readonly Stream? _stream;
    private readonly long _length;
    private byte[] _buffer;
    private int _pos;
    private int _end;
    private long _bufferStart;
    private bool _streamEnded;

    private readonly bool _checksum;
    private int _crcFrom;
    private ulong _crc;

    /// <summary>Reads from a stream; its length, when it can tell, bounds every allocation.</summary>
    public RdbInput(Stream stream, string fileName, bool computeChecksum)
    {
        _stream = stream;
        FileName = fileName;
        _checksum = computeChecksum;
        _buffer = new byte[BufferSize];
        long length = -1;
        if (stream.CanSeek)
        {
            try
            {
                length = stream.Length - stream.Position;
            }
            catch (NotSupportedException)
            {
                length = -1;
            }
        }
        _length = length;
    }

    /// <summary>Reads a payload held in memory (RESTORE): no copy, no checksum.</summary>
    public RdbInput(byte[] payload, int length, string fileName)
    {
        _buffer = payload;
        _end = length;
        _length = length;
        _streamEnded = true;
        FileName = fileName;
    }

    public string FileName { get; }

    public RdbLoadPhase Phase { get; set; } = RdbLoadPhase.Start;

    /// <summary>The key being read (null between records).</summary>
    public byte[]? Key { get; set; }

    /// <summary>The type byte of the record being read, or -1. Starts at 0, as redis-check-rdb reports it.</summary>
    public int ObjectType { get; set; }

    /// <summary>Bytes consumed from the start.</summary>
    public long Offset => _bufferStart + _pos;

    /// <summary>Bytes known to be left, or long.MaxValue when the stream cannot tell.</summary>
    public long Remaining => _length < 0 ? long.MaxValue : _length - Offset;

    /// <summary>The CRC64 of every byte consumed so far.</summary>
    public ulong Crc
    {
        get
        {
            FlushCrc();
            return _crc;
        }
    }

    public RdbLoadException Error(RdbLoadErrorKind kind, string reason, Exception? inner = null) =>
        new(kind, reason, FileName, Offset, Phase, Key, ObjectType, inner);

    public RdbLoadException Corrupt(string reason) => Error(RdbLoadErrorKind.Corrupt, reason);

    public RdbLoadException Eof() => Error(RdbLoadErrorKind.UnexpectedEof, "Unexpected EOF reading RDB file");

    public byte ReadByte()
    {
        if (_pos == _end && !Fill(1))
        {
            throw Eof();
        }
        return _buffer[_pos++];
    }

    /// <summary>The next <paramref name="count"/> bytes, valid until the next read.</summary>
    public ReadOnlySpan<byte> Read(int count)
    {
        if (_end - _pos < count && !Fill(count))
        {
            throw Eof();
        }
        var span = new ReadOnlySpan<byte>(_buffer, _pos, count);
        _pos += count;
        return span;
    }

    /// <summary>Fills <paramref name="destination"/> completely; large reads go straight from the stream.</summary>
    public void ReadExactly(Span<byte> destination)
    {
        if (destination.Length <= BufferSize || _stream == null)
        {
            Read(destination.Length).CopyTo(destination);
            return;
        }
        if (destination.Length > Remaining)
        {
            throw Eof();
        }
        long start = Offset;
        int buffered = _end - _pos;
        _buffer.AsSpan(_pos, buffered).CopyTo(destination);
        _pos = _end;
        FlushCrc();
        int done = buffered;
        while (done < destination.Length)
        {
            int n = ReadStream(destination[done..]);
            if (n == 0)
            {
                // Report the offset where the short read began, as Redis's rio does.
                throw new RdbLoadException(RdbLoadErrorKind.UnexpectedEof, "Unexpected EOF reading RDB file", FileName, start,
                    Phase, Key, ObjectType);
            }
            done += n;
        }
        if (_checksum)
        {
            _crc = Crc64.Update(_crc, destination[buffered..]);
        }
        _bufferStart += done - buffered;
        // The buffer is now empty and logically positioned after the bytes read directly.
        _bufferStart += _end;
        _pos = 0;
        _end = 0;
        _crcFrom = 0;
    }

    /// <summary>
    /// <paramref name="length"/> bytes into a new array. When the stream cannot tell its length, a large claimed
    /// length is not trusted: the array grows as bytes actually arrive.
    /// </summary>
    public byte[] ReadNew(int length, bool pooled)
    {
        if (_length >= 0 || length <= UntrustedChunk)
        {
            byte[] exact = pooled ? ArrayPool<byte>.Shared.Rent(Math.Max(length, 1)) : new byte[length];
            ReadExactly(exact.AsSpan(0, length));
            return exact;
        }
        byte[] data = new byte[UntrustedChunk];
        int done = 0;
        while (done < length)
        {
            if (done == data.Length)
            {
                Array.Resize(ref data, (int)Math.Min((long)data.Length * 2, length));
            }
            int n = Math.Min(data.Length - done, BufferSize);
            ReadExactly(data.AsSpan(done, n));
            done += n;
        }
        if (pooled)
        {
            // Callers give pooled arrays back to the pool, which only takes arrays it handed out.
            byte[] rented = ArrayPool<byte>.Shared.Rent(length);
            data.AsSpan(0, length).CopyTo(rented);
            return rented;
        }
        return data;
    }

    /// <summary>How much is allocated up front for a length claimed by a stream of unknown size.</summary>
    private const int UntrustedChunk = 1 << 20;

    public void Skip(long count)
    {
        if (count > Remaining)
        {
            throw Eof();
        }
        byte[] scratch = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, BufferSize));
        try
        {
            while (count > 0)
            {
                int n = (int)Math.Min(count, scratch.Length);
                ReadExactly(scratch.AsSpan(0, n));
                count -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public uint ReadUInt32LittleEndian() => BinaryPrimitives.ReadUInt32LittleEndian(Read(4));

    public long ReadInt64LittleEndian() => BinaryPrimitives.ReadInt64LittleEndian(Read(8));

    /// <summary>
    /// Redis's length encoding (big-endian 14/32/64-bit forms). For the special "encoded" form the low six bits are
    /// returned with <paramref name="isEncoded"/> set, as rdbLoadLen does.
    /// </summary>
    public ulong ReadLength(out bool isEncoded)
    {
        isEncoded = false;
        byte first = ReadByte();
        switch (first >> 6)
        {
            case 0:
                return (ulong)(first & 0x3F);
            case 1:
                return ((ulong)(first & 0x3F) << 8) | ReadByte();
            case 2:
                if (first == RdbFormat.Len32Bit)
                {
                    return BinaryPrimitives.ReadUInt32BigEndian(Read(4));
                }
                if (first == RdbFormat.Len64Bit)
                {
                    return BinaryPrimitives.ReadUInt64BigEndian(Read(8));
                }
                throw Corrupt($"Unknown length encoding {first} in rdbLoadLen()");
            default:
                isEncoded = true;
                return (ulong)(first & 0x3F);
        }
    }

    public ulong ReadLength() => ReadLength(out _);

    /// <summary>
    /// A count of elements that each take at least <paramref name="minBytesEach"/> bytes: refused when the rest of
    /// the file could not hold them, so a hostile count never sizes an allocation.
    /// </summary>
    public int ReadCount(int minBytesEach = 1)
    {
        ulong n = ReadLength();
        if (n > int.MaxValue || (long)n > Remaining / Math.Max(1, minBytesEach))
        {
            throw n > int.MaxValue ? Corrupt($"Length {n} is too large") : Eof();
        }
        return (int)n;
    }

    /// <summary>A capacity hint for <paramref name="count"/> elements, bounded when the stream's length is unknown.</summary>
    public static int CapacityFor(int count) => Math.Min(count, 1 << 16);

    private bool Fill(int count)
    {
        if (_stream == null || _streamEnded)
        {
            return false;
        }
        FlushCrc();
        int kept = _end - _pos;
        if (count > _buffer.Length)
        {
            var bigger = new byte[Math.Max(count, _buffer.Length * 2)];
            _buffer.AsSpan(_pos, kept).CopyTo(bigger);
            _buffer = bigger;
        }
        else if (_pos > 0)
        {
            _buffer.AsSpan(_pos, kept).CopyTo(_buffer);
        }
        _bufferStart += _pos;
        _pos = 0;
        _end = kept;
        _crcFrom = 0;
        while (_end < count)
        {
            int n = ReadStream(_buffer.AsSpan(_end));
            if (n == 0)
            {
                _streamEnded = true;
                return false;
            }
            _end += n;
        }
        return true;
    }

    private int ReadStream(Span<byte> destination)
    {
        try
        {
            return _stream!.Read(destination);
        }
        catch (IOException e)
        {
            throw Error(RdbLoadErrorKind.IoError, $"Error reading the RDB file: {e.Message}", e);
        }
    }

    private void FlushCrc()
    {
        if (_checksum && _pos > _crcFrom)
        {
            _crc = Crc64.Update(_crc, _buffer.AsSpan(_crcFrom, _pos - _crcFrom));
        }
        _crcFrom = _pos;
    }
}
