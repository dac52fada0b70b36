using System.Buffers;
using Amber.Persistence.Storage;

namespace Amber.Persistence.Rdb;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands its bytes to an <see cref="IWritableFile"/> a chunk at a time, so a
/// whole RDB can be written to a file with one bounded buffer. Call <see cref="Flush"/> at the end (it does not fsync).
/// </summary>
internal sealed class FileChunkWriter(IWritableFile file, int chunkSize = 1 << 20) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
    private int _length;

    /// <summary>Bytes handed to the file so far plus those still buffered.</summary>
    public long BytesWritten { get; private set; }

    public void Advance(int count)
    {
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

    /// <summary>Writes what is buffered to the file.</summary>
    public void Flush()
    {
        if (_length > 0)
        {
            file.Write(_buffer.AsSpan(0, _length));
            _length = 0;
        }
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
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(needed);
        }
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
