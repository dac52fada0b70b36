using System.Buffers;

namespace Amber.Persistence.Rdb;

/// <summary>
/// Passes writes through to another <see cref="IBufferWriter{T}"/> and keeps Redis's CRC-64 of every byte committed,
/// so an RDB's checksum is ready the moment its EOF byte is written, however the bytes travel afterwards.
/// </summary>
internal sealed class ChecksummingBufferWriter(IBufferWriter<byte> inner) : IBufferWriter<byte>
{
    private Memory<byte> _lastBuffer;

    /// <summary>CRC-64 of everything advanced past so far.</summary>
    public ulong Crc { get; private set; }

    /// <summary>Bytes advanced past so far.</summary>
    public long BytesWritten { get; private set; }

    public void Advance(int count)
    {
        Crc = Crc64.Update(Crc, _lastBuffer.Span[..count]);
        _lastBuffer = default;
        BytesWritten += count;
        inner.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => _lastBuffer = inner.GetMemory(sizeHint);

    // The span must come from the same memory the CRC later reads, so it is taken from GetMemory.
    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
