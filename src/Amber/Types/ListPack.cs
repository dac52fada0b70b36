namespace Amber.Types;

/// <summary>
/// The small encoding: a sequence of byte strings packed into one byte array, like Redis's listpack.
/// The array starts with the entry count (4 bytes, little end first); each entry is its length (7-bit groups,
/// little end first) followed by its bytes. A collection of any size up to the configured limits is one object;
/// lookups are linear scans, which is fast at these sizes. Positions are byte offsets into the array and are
/// invalidated by any change.
/// A stored pack is exactly as long as its data (as Redis reallocates a listpack on every change), so the array alone
/// is the whole state: a <see cref="HashValue"/> keeps it after its key in its entry's array (docs/benchmarks.md, Memory
/// per element) and this struct is a view over it. The pack starts at a base offset (after the key) and runs to the
/// array's end; the bytes before the base are carried along by every change. Positions are offsets into the whole
/// array. A change may replace the array: take <see cref="Data"/> back after it.
/// </summary>
internal struct ListPack
{
    private const int HeaderSize = 4;

    private byte[] _data;
    /// <summary>Where the pack starts in the array (its count).</summary>
    private readonly int _base;
    /// <summary>End of the bytes in use: the array's length, except while a pack sized by <see cref="ListPack(int, int)"/> is filled.</summary>
    private int _used;

    /// <summary>A view over a stored pack (exactly sized) starting at <paramref name="start"/> in <paramref name="data"/>.</summary>
    public ListPack(byte[] data, int start = 0)
    {
        _data = data;
        _base = start;
        _used = data.Length;
    }

    /// <summary>
    /// An empty pack with room for <paramref name="capacity"/> bytes of entries (<see cref="EntrySize"/>), to fill
    /// with <see cref="Append"/>, after <paramref name="prefix"/> zero bytes.
    /// </summary>
    public ListPack(int capacity, int prefix = 0)
    {
        _data = new byte[prefix + HeaderSize + capacity];
        _base = prefix;
        _used = prefix + HeaderSize;
    }

    /// <summary>Bytes an empty pack takes (its count).</summary>
    public const int EmptySize = HeaderSize;

    /// <summary>The array, exactly sized (what a <see cref="HashValue"/> stores).</summary>
    public byte[] Data
    {
        get
        {
            if (_used != _data.Length)
            {
                Array.Resize(ref _data, _used);
            }
            return _data;
        }
    }

    /// <summary>Number of entries (for a hash: twice the number of fields).</summary>
    public readonly int Count => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(_base));

    private readonly void SetCount(int count) => System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(_base), count);

    /// <summary>End of the bytes in use: where the next appended entry goes.</summary>
    public readonly int ByteLength => _used;

    /// <summary>Offset of the first entry, or -1 when empty.</summary>
    public readonly int First => _used == _base + HeaderSize ? -1 : _base + HeaderSize;

    /// <summary>The entry at <paramref name="offset"/>; <paramref name="next"/> is the following entry's offset or -1.</summary>
    public readonly ReadOnlySpan<byte> Read(int offset, out int next)
    {
        int length = ReadLength(offset, out int start);
        int end = start + length;
        next = end < _used ? end : -1;
        return new ReadOnlySpan<byte>(_data, start, length);
    }

    public readonly ReadOnlySpan<byte> Read(int offset) => Read(offset, out _);

    /// <summary>Offset of the entry after <paramref name="offset"/>, or -1.</summary>
    public readonly int Next(int offset)
    {
        int length = ReadLength(offset, out int start);
        int end = start + length;
        return end < _used ? end : -1;
    }

    /// <summary>Finds an entry equal to <paramref name="key"/> among entries 0, stride, 2·stride, ...; returns its offset or -1.</summary>
    public readonly int Find(ReadOnlySpan<byte> key, int stride)
    {
        int offset = _base + HeaderSize;
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
        Reserve(EncodedSize(value.Length));
        _used += WriteEntry(_data.AsSpan(_used), value);
        SetCount(Count + 1);
    }

    /// <summary>
    /// Makes room for <paramref name="bytes"/> more bytes of entries, so that a run of appends (HSET with many pairs)
    /// reallocates once instead of once each; <see cref="Data"/> trims the array back to its exact size.
    /// </summary>
    public void Reserve(int bytes)
    {
        if (_used + bytes > _data.Length)
        {
            Array.Resize(ref _data, _used + bytes);
        }
    }

    /// <summary>Appends two entries (a hash's field and value) with one reallocation.</summary>
    public void Append(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        Reserve(EncodedSize(first.Length) + EncodedSize(second.Length));
        _used += WriteEntry(_data.AsSpan(_used), first);
        _used += WriteEntry(_data.AsSpan(_used), second);
        SetCount(Count + 2);
    }

    /// <summary>Replaces the entry at <paramref name="offset"/>: in place when the size is unchanged, else in a new array.</summary>
    public void Replace(int offset, ReadOnlySpan<byte> value)
    {
        int oldLength = ReadLength(offset, out int start);
        int oldSize = start + oldLength - offset;
        int newSize = EncodedSize(value.Length);
        int tail = offset + oldSize;
        if (newSize != oldSize)
        {
            var data = new byte[_used - oldSize + newSize];
            Buffer.BlockCopy(_data, 0, data, 0, offset);
            Buffer.BlockCopy(_data, tail, data, offset + newSize, _used - tail);
            _data = data;
            _used = data.Length;
        }
        WriteEntry(_data.AsSpan(offset), value);
    }

    /// <summary>Removes <paramref name="entries"/> consecutive entries starting at <paramref name="offset"/> (into a new array).</summary>
    public void Remove(int offset, int entries)
    {
        int end = offset;
        for (int i = 0; i < entries; i++)
        {
            int length = ReadLength(end, out int start);
            end = start + length;
        }
        var data = new byte[_used - (end - offset)];
        Buffer.BlockCopy(_data, 0, data, 0, offset);
        Buffer.BlockCopy(_data, end, data, offset, _used - end);
        int count = Count - entries;
        _data = data;
        _used = data.Length;
        SetCount(count);
    }

    private readonly int ReadLength(int offset, out int start)
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
