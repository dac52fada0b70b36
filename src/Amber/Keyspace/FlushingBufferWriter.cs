using System.Buffers;

namespace Amber.Keyspace;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one pooled chunk that hands its bytes to <see cref="Target"/> whenever the
/// next span would not fit, and on <see cref="Flush"/>: a whole RDB written to a file (e.g. <c>IWritableFile.Write</c>)
/// with one bounded buffer, or the snapshot consumer's encoded output on its way to one. Flush does not fsync.
/// </summary>
internal sealed class FlushingBufferWriter(int chunkSize) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
    private int _length;

    public FlushingBufferWriter(Action<ReadOnlySpan<byte>> target, int chunkSize = 1 << 20)
        : this(chunkSize) => Target = target;

    /// <summary>Where the bytes go (set before writing).</summary>
    public Action<ReadOnlySpan<byte>>? Target { get; set; }

    /// <summary>Bytes handed to <see cref="Target"/> so far plus those still buffered.</summary>
    public long BytesWritten { get; private set; }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _length))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _length += count;
        BytesWritten += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _length >= needed)
        {
            return;
        }
        Flush();
        if (_buffer.Length < needed)
        {
            // One span larger than a chunk: a bigger array for now, back to the chunk size after the next flush.
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(needed);
        }
    }

    /// <summary>Hands what is buffered to <see cref="Target"/>.</summary>
    public void Flush()
    {
        if (_length == 0)
        {
            return;
        }
        int length = _length;
        _length = 0;
        Target!(_buffer.AsSpan(0, length));
        if (_buffer.Length > chunkSize * 4)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        }
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
