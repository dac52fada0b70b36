using System.Runtime.CompilerServices;

namespace Amber.Types;

/// <summary>
/// The encoding of small sets whose members are all integers (Redis's intset): a sorted array searched by binary
/// search. As in Redis, every member is stored in the narrowest width (2, 4 or 8 bytes) that fits the widest one:
/// the array is a <c>short[]</c>, <c>int[]</c> or <c>long[]</c>, exactly as long as the set (Redis reallocates an
/// intset on every change too), so the array alone is the whole state: a <see cref="SetValue"/> holds just the array
/// (one reference; docs/benchmarks.md, Memory per element) and this struct is a view over it. A change replaces the
/// array (arrays are never written after they are filled): take <see cref="Data"/> back after it.
/// Members come out in ascending order, as in Redis.
/// </summary>
internal struct IntSet
{
    /// <summary>The empty set (shared: nothing writes into an existing array).</summary>
    public static readonly short[] Empty = [];

    /// <summary>A short[], int[] or long[], ascending, exactly <see cref="Count"/> long.</summary>
    private Array _data;

    public IntSet()
    {
        _data = Empty;
    }

    /// <summary>A view over a stored intset array (short[], int[] or long[]).</summary>
    public IntSet(Array data)
    {
        _data = data;
    }

    public readonly Array Data => _data;

    public readonly int Count => _data.Length;

    /// <summary>Bytes per member (2, 4 or 8), as Redis's intset encoding field (RDB SET_INTSET blobs carry it).</summary>
    public readonly int Width
    {
        get
        {
            Type type = _data.GetType();
            return type == typeof(short[]) ? 2 : type == typeof(int[]) ? 4 : 8;
        }
    }

    private readonly short[] Shorts => Unsafe.As<short[]>(_data);
    private readonly int[] Ints => Unsafe.As<int[]>(_data);
    private readonly long[] Longs => Unsafe.As<long[]>(_data);

    /// <summary>A copy (COPY): arrays are never changed in place, but a copy keeps the two sets' memory separate.</summary>
    public readonly IntSet Clone() => new((Array)_data.Clone());

    public readonly long this[int index] => Width switch
    {
        2 => Shorts[index],
        4 => Ints[index],
        _ => Longs[index],
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
        _data = Width switch
        {
            2 => Insert(Shorts, i, (short)value),
            4 => Insert(Ints, i, (int)value),
            _ => Insert(Longs, i, value),
        };
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
        _data = Width switch
        {
            2 => Without(Shorts, index),
            4 => Without(Ints, index),
            _ => Without(Longs, index),
        };
    }

    private readonly int Search(long value)
    {
        if (WidthOf(value) > Width)
        {
            return value < 0 ? ~0 : ~Count;
        }
        return Width switch
        {
            2 => Shorts.AsSpan().BinarySearch((short)value),
            4 => Ints.AsSpan().BinarySearch((int)value),
            _ => Longs.AsSpan().BinarySearch(value),
        };
    }

    private static T[] Insert<T>(T[] from, int index, T value)
    {
        var to = new T[from.Length + 1];
        Array.Copy(from, 0, to, 0, index);
        to[index] = value;
        Array.Copy(from, index, to, index + 1, from.Length - index);
        return to;
    }

    private static T[] Without<T>(T[] from, int index)
    {
        var to = new T[from.Length - 1];
        Array.Copy(from, 0, to, 0, index);
        Array.Copy(from, index + 1, to, index, from.Length - index - 1);
        return to;
    }

    /// <summary>Every member plus <paramref name="value"/> (smaller or larger than all of them) at <paramref name="width"/> bytes.</summary>
    private readonly Array Widen(int width, long value)
    {
        int count = Count;
        int offset = value < 0 ? 1 : 0;
        int at = value < 0 ? 0 : count;
        if (width == 4)
        {
            var wide = new int[count + 1];
            for (int i = 0; i < count; i++)
            {
                wide[i + offset] = (int)this[i];
            }
            wide[at] = (int)value;
            return wide;
        }
        var widest = new long[count + 1];
        for (int i = 0; i < count; i++)
        {
            widest[i + offset] = this[i];
        }
        widest[at] = value;
        return widest;
    }

    private static int WidthOf(long value) =>
        value is >= short.MinValue and <= short.MaxValue ? 2 : value is >= int.MinValue and <= int.MaxValue ? 4 : 8;
}
