namespace Amber.Types;

/// <summary>
/// The encoding of small sets whose members are all integers (Redis's intset): a sorted array of longs,
/// searched by binary search. One object regardless of size; members come out in ascending order, as in Redis.
/// </summary>
internal sealed class IntSet
{
    private long[] _items;

    public IntSet(int capacity = 4)
    {
        _items = new long[Math.Max(capacity, 4)];
    }

    public int Count { get; private set; }

    public IntSet Clone()
    {
        var copy = new IntSet(Count);
        Array.Copy(_items, copy._items, Count);
        copy.Count = Count;
        return copy;
    }

    public long this[int index] => _items[index];

    public bool Contains(long value) => Array.BinarySearch(_items, 0, Count, value) >= 0;

    /// <summary>Inserts keeping order; false when already present.</summary>
    public bool Add(long value)
    {
        int i = Array.BinarySearch(_items, 0, Count, value);
        if (i >= 0)
        {
            return false;
        }
        i = ~i;
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }
        Array.Copy(_items, i, _items, i + 1, Count - i);
        _items[i] = value;
        Count++;
        return true;
    }

    public bool Remove(long value)
    {
        int i = Array.BinarySearch(_items, 0, Count, value);
        if (i < 0)
        {
            return false;
        }
        RemoveAt(i);
        return true;
    }

    public void RemoveAt(int index)
    {
        Array.Copy(_items, index + 1, _items, index, Count - index - 1);
        Count--;
        if (_items.Length > 16 && Count * 4 < _items.Length)
        {
            Array.Resize(ref _items, Math.Max(16, Count * 2));
        }
    }
}
