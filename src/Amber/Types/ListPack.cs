namespace Amber.Types;

/// <summary>
/// The small encoding: a sequence of byte strings packed into one byte array, like Redis's listpack.
/// Each entry is its length (7-bit groups, little end first) followed by its bytes. A collection of any size
/// up to the configured limits is one object; lookups are linear scans, which is fast at these sizes.
/// Positions are byte offsets into the array and are invalidated by any change.
/// A struct, so the <see cref="HashValue"/> holding it is one object less per small hash (docs/benchmarks.md, Memory
/// per element): keep it in a field and call it there (a copy shares the array but not the length).
/// </summary>
internal struct ListPack
{
    private byte[] _data;
    private int _used;

    public ListPack()
        : this(16)
    {
    }

    public ListPack(int capacity)
    {
        _data = new byte[Math.Max(capacity, 8)];
    }

    private ListPack(in ListPack other)
    {
        _data = other._data.AsSpan(0, Math.Max(other._used, 8)).ToArray();
        _used = other._used;
        Count = other.Count;
    }

    public readonly ListPack Clone() => new(in this);

    /// <summary>Number of entries (for a hash: twice the number of fields).</summary>
    public int Count { get; private set; }

    /// <summary>Bytes in use (for memory reports).</summary>
    public int ByteLength => _used;

    /// <summary>Offset of the first entry, or -1 when empty.</summary>
    public int First => Count == 0 ? -1 : 0;

    /// <summary>The entry at <paramref name="offset"/>; <paramref name="next"/> is the following entry's offset or -1.</summary>
    public ReadOnlySpan<byte> Read(int offset, out int next)
    {
        int length = ReadLength(offset, out int start);
        int end = start + length;
        next = end < _used ? end : -1;
        return new ReadOnlySpan<byte>(_data, start, length);
    }

    public ReadOnlySpan<byte> Read(int offset) => Read(offset, out _);

    /// <summary>Offset of the entry after <paramref name="offset"/>, or -1.</summary>
    public int Next(int offset)
    {
        int length = ReadLength(offset, out int start);
        int end = start + length;
        return end < _used ? end : -1;
    }

    /// <summary>Finds an entry equal to <paramref name="key"/> among entries 0, stride, 2·stride, ...; returns its offset or -1.</summary>
    public int Find(ReadOnlySpan<byte> key, int stride)
    {
        int offset = 0;
        while (offset < _used)
        {
            int length = ReadLength(offset, out int start);
            if (length == key.Length && key.SequenceEqual(new ReadOnlySpan<byte>(_data, start, length)))
            {
                return offset;
            }
            offset = start + length;
            for (int s = 1; s < stride && offset < _used; s++)
            {
                int n = Next(offset);
                offset = n >= 0 ? n : _used;
            }
        }
        return -1;
    }

    public void Append(ReadOnlySpan<byte> value)
    {
        int size = EncodedSize(value.Length);
        EnsureCapacity(_used + size);
        _used += WriteEntry(_data.AsSpan(_used), value);
        Count++;
    }

    /// <summary>Replaces the entry at <paramref name="offset"/> in place, shifting what follows when the size changes.</summary>
    public void Replace(int offset, ReadOnlySpan<byte> value)
    {
        int oldLength = ReadLength(offset, out int start);
        int oldSize = start + oldLength - offset;
        int newSize = EncodedSize(value.Length);
        int tail = offset + oldSize;
        if (newSize != oldSize)
        {
            EnsureCapacity(_used - oldSize + newSize);
            Buffer.BlockCopy(_data, tail, _data, offset + newSize, _used - tail);
            _used += newSize - oldSize;
        }
        WriteEntry(_data.AsSpan(offset), value);
    }

    /// <summary>Removes <paramref name="entries"/> consecutive entries starting at <paramref name="offset"/>.</summary>
    public void Remove(int offset, int entries)
    {
        int end = offset;
        for (int i = 0; i < entries; i++)
        {
            int length = ReadLength(end, out int start);
            end = start + length;
        }
        Buffer.BlockCopy(_data, end, _data, offset, _used - end);
        _used -= end - offset;
        Count -= entries;
        if (_data.Length > 64 && _used * 4 < _data.Length)
        {
            Array.Resize(ref _data, Math.Max(64, _used * 2));
        }
    }

    private void EnsureCapacity(int size)
    {
        if (size > _data.Length)
        {
            // Close to exact while small, as Redis reallocates a listpack on every change: a small hash or set is
            // one array near its data size rather than a doubled one (millions of small keys, bench/memory.sh).
            // Larger packs keep half again as slack so a growing pack is not copied on every append.
            int grown = size <= 128 ? size : Math.Max(size, _data.Length + _data.Length / 2);
            Array.Resize(ref _data, (grown + 7) & ~7);
        }
    }

    private int ReadLength(int offset, out int start)
    {
        int length = 0;
        int shift = 0;
        byte b;
        do
        {
            b = _data[offset++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        start = offset;
        return length;
    }

    /// <summary>Bytes an entry of <paramref name="length"/> bytes takes (to size a pack before filling it).</summary>
    public static int EntrySize(int length) => EncodedSize(length);

    private static int EncodedSize(int length)
    {
        int size = 1;
        for (int n = length; n >= 0x80; n >>= 7)
        {
            size++;
        }
        return size + length;
    }

    private static int WriteEntry(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        int p = 0;
        uint length = (uint)value.Length;
        while (length >= 0x80)
        {
            destination[p++] = (byte)(length | 0x80);
            length >>= 7;
        }
        destination[p++] = (byte)length;
        value.CopyTo(destination[p..]);
        return p + value.Length;
    }
}
