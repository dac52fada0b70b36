using System.Runtime.InteropServices;

namespace Amber.Types;

/// <summary>
/// The encoding of small sets whose members are all integers (Redis's intset): a sorted array searched by binary
/// search. As in Redis, every member is stored in the narrowest width (2, 4 or 8 bytes) that fits the widest one,
/// and the array is grown close to the exact size (a set of five small integers costs one ~48-byte array, not a
/// doubled <c>long[]</c>). One array regardless of size; members come out in ascending order, as in Redis.
/// A struct, so the <see cref="SetValue"/> holding it is one object less per small set (docs/benchmarks.md, Memory
/// per element): keep it in a field and call it there (a copy shares the array but not the count).
/// </summary>
internal struct IntSet
{
    private byte[] _data;
    /// <summary>Bytes per member: 2, 4 or 8.</summary>
    private int _width = 2;

    public IntSet()
        : this(4)
    {
    }

    public IntSet(int capacity)
    {
        _data = new byte[RoundCapacity(Math.Max(capacity, 1) * 2)];
    }

    private IntSet(byte[] data, int width, int count)
    {
        _data = data;
        _width = width;
        Count = count;
    }

    public int Count { get; private set; }

    /// <summary>Bytes per member (2, 4 or 8), as Redis's intset encoding field (RDB SET_INTSET blobs carry it).</summary>
    public int Width => _width;

    public IntSet Clone() => new(_data.AsSpan(0, Count * _width).ToArray(), _width, Count);

    public long this[int index] => _width switch
    {
        2 => MemoryMarshal.Cast<byte, short>(_data.AsSpan())[index],
        4 => MemoryMarshal.Cast<byte, int>(_data.AsSpan())[index],
        _ => MemoryMarshal.Cast<byte, long>(_data.AsSpan())[index],
    };

    public bool Contains(long value) => Search(value) >= 0;

    /// <summary>Inserts keeping order; false when already present.</summary>
    public bool Add(long value)
    {
        int width = WidthOf(value);
        if (width > _width)
        {
            Widen(width);
        }
        int i = Search(value);
        if (i >= 0)
        {
            return false;
        }
        i = ~i;
        int needed = (Count + 1) * _width;
        if (needed > _data.Length)
        {
            // Close to exact while small (inserting is O(n) anyway, as in Redis); a quarter of slack once larger.
            int size = needed <= 64 ? needed : needed + needed / 4;
            Array.Resize(ref _data, RoundCapacity(size));
        }
        Buffer.BlockCopy(_data, i * _width, _data, (i + 1) * _width, (Count - i) * _width);
        Set(i, value);
        Count++;
        return true;
    }

    public bool Remove(long value)
    {
        int i = Search(value);
        if (i < 0)
        {
            return false;
        }
        RemoveAt(i);
        return true;
    }

    public void RemoveAt(int index)
    {
        Buffer.BlockCopy(_data, (index + 1) * _width, _data, index * _width, (Count - index - 1) * _width);
        Count--;
        int used = Count * _width;
        if (_data.Length > 64 && used * 2 < _data.Length)
        {
            Array.Resize(ref _data, RoundCapacity(Math.Max(used + used / 4, 8)));
        }
    }

    private int Search(long value)
    {
        if (WidthOf(value) > _width)
        {
            // Wider than every member: it is not there, and it would go at one end.
            return value < 0 ? ~0 : ~Count;
        }
        return _width switch
        {
            2 => MemoryMarshal.Cast<byte, short>(_data.AsSpan(0, Count * 2)).BinarySearch((short)value),
            4 => MemoryMarshal.Cast<byte, int>(_data.AsSpan(0, Count * 4)).BinarySearch((int)value),
            _ => MemoryMarshal.Cast<byte, long>(_data.AsSpan(0, Count * 8)).BinarySearch(value),
        };
    }

    private void Set(int index, long value)
    {
        Span<byte> at = _data.AsSpan(index * _width);
        switch (_width)
        {
            case 2: MemoryMarshal.Write(at, (short)value); break;
            case 4: MemoryMarshal.Write(at, (int)value); break;
            default: MemoryMarshal.Write(at, value); break;
        }
    }

    /// <summary>Re-encodes every member at <paramref name="width"/> bytes (Redis's intsetUpgradeAndAdd).</summary>
    private void Widen(int width)
    {
        var data = new byte[RoundCapacity((Count + 1) * width)];
        var copy = new IntSet(data, width, 0);
        for (int i = 0; i < Count; i++)
        {
            copy.Set(i, this[i]);
        }
        _data = data;
        _width = width;
    }

    private static int WidthOf(long value) =>
        value is >= short.MinValue and <= short.MaxValue ? 2 : value is >= int.MinValue and <= int.MaxValue ? 4 : 8;

    /// <summary>Array lengths are rounded up to 8 bytes: the GC aligns objects to 8, so that room is free.</summary>
    private static int RoundCapacity(int bytes) => (bytes + 7) & ~7;
}
