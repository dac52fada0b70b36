using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Amber.Types;

/// <summary>
/// The encoding of small sets whose members are all integers (Redis's intset): a sorted run of integers searched by
/// binary search. As in Redis, every member is stored in the narrowest width (2, 4 or 8 bytes, little-endian) that
/// fits the widest one. The run sits in a byte array from a start offset to the array's end: one byte giving the
/// width, then the members, exactly as many as the set has (Redis reallocates an intset on every change too). A
/// <see cref="SetValue"/> keeps it after its key in its entry's array (docs/benchmarks.md, Memory per element) and this
/// struct is a view over it; the bytes before the start are carried along by every change. A change replaces the
/// array (arrays are never written after they are filled): take <see cref="Data"/> back after it.
/// Members come out in ascending order, as in Redis.
/// </summary>
internal struct IntSet
{
    private byte[] _data;

    /// <summary>Where the width byte is; the members follow it up to the array's end.</summary>
    private readonly int _start;

    /// <summary>An empty set of 2-byte members, alone in its array.</summary>
    public IntSet()
    {
        _data = [2];
        _start = 0;
    }

    /// <summary>A view over an intset stored from <paramref name="start"/> (its width byte) to the end of <paramref name="data"/>.</summary>
    public IntSet(byte[] data, int start)
    {
        _data = data;
        _start = start;
    }

    /// <summary>Bytes an empty intset takes (its width byte).</summary>
    public const int EmptySize = 1;

    /// <summary>Writes an empty intset (its width byte) at <paramref name="at"/>.</summary>
    public static void WriteEmpty(Span<byte> at) => at[0] = 2;

    /// <summary>The array, with whatever preceded the set and the set to the end.</summary>
    public readonly byte[] Data => _data;

    public readonly int Count => (_data.Length - _start - 1) >> Shift;

    /// <summary>Bytes per member (2, 4 or 8), as Redis's intset encoding field (RDB SET_INTSET blobs carry it).</summary>
    public readonly int Width => _data[_start];

    private readonly int Shift => Width switch
    {
        2 => 1,
        4 => 2,
        _ => 3,
    };

    private readonly ReadOnlySpan<byte> Members => new(_data, _start + 1, _data.Length - _start - 1);

    public readonly long this[int index] => Width switch
    {
        2 => BinaryPrimitives.ReadInt16LittleEndian(Members[(index * 2)..]),
        4 => BinaryPrimitives.ReadInt32LittleEndian(Members[(index * 4)..]),
        _ => BinaryPrimitives.ReadInt64LittleEndian(Members[(index * 8)..]),
    };

    public readonly bool Contains(long value) => Search(value) >= 0;

    /// <summary>Inserts keeping order; false when already present.</summary>
    public bool Add(long value)
    {
        int width = WidthOf(value);
        if (width > Width)
        {
            // Wider than every member: it goes at one end, in a wider array (Redis's intsetUpgradeAndAdd).
            _data = Widen(width, value);
            return true;
        }
        int i = Search(value);
        if (i >= 0)
        {
            return false;
        }
        i = ~i;
        width = Width;
        int at = _start + 1 + (i * width);
        var to = new byte[_data.Length + width];
        _data.AsSpan(0, at).CopyTo(to);
        Write(to.AsSpan(at), width, value);
        _data.AsSpan(at).CopyTo(to.AsSpan(at + width));
        _data = to;
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
        int width = Width;
        int at = _start + 1 + (index * width);
        var to = new byte[_data.Length - width];
        _data.AsSpan(0, at).CopyTo(to);
        _data.AsSpan(at + width).CopyTo(to.AsSpan(at));
        _data = to;
    }

    private readonly int Search(long value)
    {
        if (WidthOf(value) > Width)
        {
            return value < 0 ? ~0 : ~Count;
        }
        if (!BitConverter.IsLittleEndian)
        {
            return SearchByIndex(value);
        }
        // Little-endian members read as native integers (a JIT-time constant picks this path).
        return Width switch
        {
            2 => MemoryMarshal.Cast<byte, short>(Members).BinarySearch((short)value),
            4 => MemoryMarshal.Cast<byte, int>(Members).BinarySearch((int)value),
            _ => MemoryMarshal.Cast<byte, long>(Members).BinarySearch(value),
        };
    }

    private readonly int SearchByIndex(long value)
    {
        int lo = 0;
        int hi = Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long v = this[mid];
            if (v == value)
            {
                return mid;
            }
            if (v < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return ~lo;
    }

    private static void Write(Span<byte> at, int width, long value)
    {
        switch (width)
        {
            case 2: BinaryPrimitives.WriteInt16LittleEndian(at, (short)value); break;
            case 4: BinaryPrimitives.WriteInt32LittleEndian(at, (int)value); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(at, value); break;
        }
    }

    /// <summary>Every member plus <paramref name="value"/> (smaller or larger than all of them) at <paramref name="width"/> bytes.</summary>
    private readonly byte[] Widen(int width, long value)
    {
        int count = Count;
        var to = new byte[_start + 1 + ((count + 1) * width)];
        _data.AsSpan(0, _start).CopyTo(to);
        to[_start] = (byte)width;
        Span<byte> members = to.AsSpan(_start + 1);
        int offset = value < 0 ? 1 : 0;
        for (int i = 0; i < count; i++)
        {
            Write(members[((i + offset) * width)..], width, this[i]);
        }
        Write(members[((value < 0 ? 0 : count) * width)..], width, value);
        return to;
    }

    private static int WidthOf(long value) =>
        value is >= short.MinValue and <= short.MaxValue ? 2 : value is >= int.MinValue and <= int.MaxValue ? 4 : 8;
}
