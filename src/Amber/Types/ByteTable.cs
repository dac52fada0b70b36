using System.Numerics;
using Amber.Keyspace;

namespace Amber.Types;

/// <summary>
/// The large encoding of hashes and sets: a hash table keyed by bytes, with optional byte values.
/// Elements live densely in parallel arrays (key, value, hash, chain link), so a table of n elements costs a
/// handful of arrays plus the element byte[]s themselves — no node object per element (GC, docs/architecture.md §3).
/// Buckets are a power-of-two array of chain heads; chains link through indices. A removal moves the last
/// element into the hole, which keeps the arrays dense and makes a uniform random pick one array index.
/// SCAN uses Redis's reverse-binary cursor over the bucket index, so it keeps its guarantee across resizes.
/// A resize rebuilds only the int chain arrays from the stored hashes (no key is rehashed or copied).
/// </summary>
internal sealed class ByteTable
{
    private const int MinBuckets = 4;

    private byte[][] _keys;
    private byte[]?[]? _values;
    private uint[] _hashes;
    /// <summary>Chain link: index + 1 of the next element in the same bucket, 0 at the end.</summary>
    private int[] _next;
    /// <summary>Chain heads: index + 1 of the first element of each bucket, 0 when empty.</summary>
    private int[] _buckets;
    private int _count;

    public ByteTable(bool withValues, int capacity = MinBuckets)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, MinBuckets));
        _keys = new byte[size][];
        _values = withValues ? new byte[]?[size] : null;
        _hashes = new uint[size];
        _next = new int[size];
        _buckets = new int[size];
    }

    private ByteTable(ByteTable other)
    {
        _keys = (byte[][])other._keys.Clone();
        _values = (byte[]?[]?)other._values?.Clone();
        _hashes = (uint[])other._hashes.Clone();
        _next = (int[])other._next.Clone();
        _buckets = (int[])other._buckets.Clone();
        _count = other._count;
    }

    /// <summary>
    /// A copy with its own arrays. Element byte[]s are shared: they are never changed in place (a new value
    /// replaces the array), so sharing them is safe.
    /// </summary>
    public ByteTable Clone() => new(this);

    public int Count => _count;
    public bool HasValues => _values != null;
    internal int BucketCount => _buckets.Length;

    public byte[] KeyAt(int index) => _keys[index];

    public byte[] ValueAt(int index) => _values![index]!;

    public void SetValueAt(int index, byte[] value) => _values![index] = value;

    public int Find(ReadOnlySpan<byte> key) => _count == 0 ? -1 : Find(key, KeyHash.Of(key));

    private int Find(ReadOnlySpan<byte> key, uint hash)
    {
        for (int i = _buckets[hash & (uint)(_buckets.Length - 1)] - 1; i >= 0; i = _next[i] - 1)
        {
            if (_hashes[i] == hash && key.SequenceEqual(_keys[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Adds a key (copied) if absent; returns its index and whether it was added.</summary>
    public int Add(ReadOnlySpan<byte> key, out bool added)
    {
        uint hash = KeyHash.Of(key);
        int i = _count == 0 ? -1 : Find(key, hash);
        if (i >= 0)
        {
            added = false;
            return i;
        }
        added = true;
        return Insert(key.ToArray(), hash);
    }

    /// <summary>Adds a key known to be absent, taking ownership of the array.</summary>
    public int AddNew(byte[] key, byte[]? value = null)
    {
        int i = Insert(key, KeyHash.Of(key));
        if (_values != null)
        {
            _values[i] = value;
        }
        return i;
    }

    private int Insert(byte[] key, uint hash)
    {
        if (_count == _keys.Length)
        {
            Resize(_keys.Length * 2);
        }
        int i = _count++;
        _keys[i] = key;
        _hashes[i] = hash;
        ref int head = ref _buckets[hash & (uint)(_buckets.Length - 1)];
        _next[i] = head;
        head = i + 1;
        return i;
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        int i = Find(key);
        if (i < 0)
        {
            return false;
        }
        RemoveAt(i);
        return true;
    }

    /// <summary>Removes the element at <paramref name="index"/>; the last element takes its index.</summary>
    public void RemoveAt(int index)
    {
        Unlink(index);
        int last = _count - 1;
        if (index != last)
        {
            // Repoint whatever links to the last element at its new index.
            ref int link = ref _buckets[_hashes[last] & (uint)(_buckets.Length - 1)];
            while (link != last + 1)
            {
                link = ref _next[link - 1];
            }
            link = index + 1;
            _keys[index] = _keys[last];
            _hashes[index] = _hashes[last];
            _next[index] = _next[last];
            if (_values != null)
            {
                _values[index] = _values[last];
            }
        }
        _keys[last] = null!;
        if (_values != null)
        {
            _values[last] = null;
        }
        _count = last;
        if (_keys.Length > MinBuckets && _count * 8 < _keys.Length)
        {
            Resize(Math.Max(MinBuckets, _keys.Length / 4));
        }
    }

    private void Unlink(int index)
    {
        ref int link = ref _buckets[_hashes[index] & (uint)(_buckets.Length - 1)];
        while (link != index + 1)
        {
            link = ref _next[link - 1];
        }
        link = _next[index];
    }

    private void Resize(int size)
    {
        Array.Resize(ref _keys, size);
        Array.Resize(ref _hashes, size);
        if (_values != null)
        {
            Array.Resize(ref _values, size);
        }
        _next = new int[size];
        _buckets = new int[size];
        uint mask = (uint)(size - 1);
        for (int i = 0; i < _count; i++)
        {
            ref int head = ref _buckets[_hashes[i] & mask];
            _next[i] = head;
            head = i + 1;
        }
    }

    /// <summary>
    /// Appends the indices of one bucket's elements (and, as Redis does, of the buckets that the same cursor
    /// covers) to <paramref name="output"/>; returns the next cursor, 0 when the scan is complete.
    /// </summary>
    public ulong Scan(ulong cursor, List<int> output)
    {
        if (_count == 0)
        {
            return 0;
        }
        ulong mask = (ulong)(_buckets.Length - 1);
        for (int i = _buckets[(int)(cursor & mask)] - 1; i >= 0; i = _next[i] - 1)
        {
            output.Add(i);
        }
        cursor |= ~mask;
        return ReverseBits(ReverseBits(cursor) + 1);
    }

    private static ulong ReverseBits(ulong v)
    {
        v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
        v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((v & 0x0F0F0F0F0F0F0F0FUL) << 4);
        return System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);
    }
}
