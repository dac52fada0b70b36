using System.Numerics;
using System.Runtime.CompilerServices;
using Amber.Keyspace;

namespace Amber.Types;

/// <summary>
/// The large encoding of hashes and sets: a hash table keyed by bytes, with optional byte values.
/// Elements live densely (index 0..Count-1) in parallel chunked arrays (key, value, hash, chain link), so a table
/// of n elements costs a handful of arrays plus the element byte[]s themselves — no node object per element
/// (GC, docs/architecture.md §3) — and growing adds a chunk instead of copying everything.
/// Buckets are a power-of-two array of chain heads; chains link through indices. A removal moves the last
/// element into the hole, which keeps storage dense and makes a uniform random pick one index.
/// Resizing the bucket array is incremental, as in Redis: two bucket arrays live at once and each operation
/// moves a bucket or so, so no single request pays for a whole rehash. SCAN uses Redis's reverse-binary cursor,
/// which keeps its guarantee across resizes and during a rehash.
/// </summary>
internal sealed class ByteTable
{
    private const int MinBuckets = 4;
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;
    private const int EmptyVisitsPerStep = 10;

    // Element storage: chunk c holds indices [c·ChunkSize, (c+1)·ChunkSize). Only chunk 0 may be shorter.
    private byte[][][] _keys;
    private byte[]?[][]? _values;
    private uint[][] _hashes;
    /// <summary>Chain link: index + 1 of the next element in the same bucket, 0 at the end.</summary>
    private int[][] _next;
    private int _capacity;
    private int _count;

    /// <summary>Chain heads: index + 1 of the first element of each bucket, 0 when empty.</summary>
    private int[] _buckets;
    /// <summary>The bucket array being rehashed into, or null.</summary>
    private int[]? _target;
    private int _rehashIndex = -1;

    public ByteTable(bool withValues, int capacity = MinBuckets)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, MinBuckets));
        int first = Math.Min(size, ChunkSize);
        _keys = [new byte[first][]];
        _values = withValues ? [new byte[]?[first]] : null;
        _hashes = [new uint[first]];
        _next = [new int[first]];
        _capacity = first;
        _buckets = new int[size];
    }

    private ByteTable(ByteTable other)
    {
        _keys = CloneChunks(other._keys);
        _values = other._values == null ? null : CloneValueChunks(other._values, other._count);
        _hashes = CloneChunks(other._hashes);
        _next = CloneChunks(other._next);
        _capacity = other._capacity;
        _count = other._count;
        _buckets = (int[])other._buckets.Clone();
        _target = (int[]?)other._target?.Clone();
        _rehashIndex = other._rehashIndex;
    }

    private static T[][] CloneChunks<T>(T[][] chunks)
    {
        var copy = new T[chunks.Length][];
        for (int i = 0; i < chunks.Length; i++)
        {
            copy[i] = (T[])chunks[i].Clone();
        }
        return copy;
    }

    /// <summary>Value arrays are copied too: a hash overwrites a value of the same length in place (HashValue.Set).</summary>
    private static byte[]?[][] CloneValueChunks(byte[]?[][] chunks, int count)
    {
        byte[]?[][] copy = CloneChunks(chunks);
        for (int i = 0; i < count; i++)
        {
            ref byte[]? value = ref copy[i >> ChunkBits][i & ChunkMask];
            value = (byte[]?)value?.Clone();
        }
        return copy;
    }

    /// <summary>
    /// A copy with its own arrays. Key byte[]s are shared (a key is never changed in place); values are copied,
    /// since a hash may overwrite a value in place.
    /// </summary>
    public ByteTable Clone() => new(this);

    public int Count => _count;
    public bool HasValues => _values != null;
    internal int BucketCount => _buckets.Length + (_target?.Length ?? 0);
    internal bool IsRehashing => _target != null;

    public byte[] KeyAt(int index) => _keys[index >> ChunkBits][index & ChunkMask];

    public byte[] ValueAt(int index) => _values![index >> ChunkBits][index & ChunkMask]!;

    public void SetValueAt(int index, byte[] value) => _values![index >> ChunkBits][index & ChunkMask] = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int NextOf(int index) => ref _next[index >> ChunkBits][index & ChunkMask];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint HashAt(int index) => _hashes[index >> ChunkBits][index & ChunkMask];

    public int Find(ReadOnlySpan<byte> key) => _count == 0 ? -1 : Find(key, KeyHash.Of(key));

    private int Find(ReadOnlySpan<byte> key, uint hash)
    {
        if (_target != null)
        {
            RehashStep();
        }
        int i = FindIn(_buckets, key, hash);
        if (i < 0 && _target != null)
        {
            i = FindIn(_target, key, hash);
        }
        return i;
    }

    private int FindIn(int[] buckets, ReadOnlySpan<byte> key, uint hash)
    {
        for (int i = buckets[hash & (uint)(buckets.Length - 1)] - 1; i >= 0; i = NextOf(i) - 1)
        {
            if (HashAt(i) == hash && key.SequenceEqual(KeyAt(i)))
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
            _values[i >> ChunkBits][i & ChunkMask] = value;
        }
        return i;
    }

    private int Insert(byte[] key, uint hash)
    {
        if (_target != null)
        {
            RehashStep();
        }
        else if (_count >= _buckets.Length)
        {
            StartRehash(_buckets.Length * 2);
        }
        if (_count == _capacity)
        {
            GrowStorage();
        }
        int i = _count++;
        _keys[i >> ChunkBits][i & ChunkMask] = key;
        _hashes[i >> ChunkBits][i & ChunkMask] = hash;
        int[] buckets = _target ?? _buckets;
        ref int head = ref buckets[hash & (uint)(buckets.Length - 1)];
        NextOf(i) = head;
        head = i + 1;
        return i;
    }

    private void GrowStorage()
    {
        if (_capacity < ChunkSize)
        {
            // Still one small chunk: double it (bounded copy).
            int size = Math.Min(_capacity * 2, ChunkSize);
            Array.Resize(ref _keys[0], size);
            if (_values != null)
            {
                Array.Resize(ref _values[0], size);
            }
            Array.Resize(ref _hashes[0], size);
            Array.Resize(ref _next[0], size);
            _capacity = size;
            return;
        }
        int chunks = _keys.Length;
        Array.Resize(ref _keys, chunks + 1);
        _keys[chunks] = new byte[ChunkSize][];
        if (_values != null)
        {
            Array.Resize(ref _values, chunks + 1);
            _values[chunks] = new byte[]?[ChunkSize];
        }
        Array.Resize(ref _hashes, chunks + 1);
        _hashes[chunks] = new uint[ChunkSize];
        Array.Resize(ref _next, chunks + 1);
        _next[chunks] = new int[ChunkSize];
        _capacity += ChunkSize;
    }

    /// <summary>Drops whole trailing chunks that the elements no longer reach.</summary>
    private void ShrinkStorage()
    {
        int needed = Math.Max(1, (_count + ChunkSize - 1) >> ChunkBits);
        // Keep one spare chunk so a table hovering at a chunk boundary does not allocate on every add.
        if (_keys.Length > needed + 1)
        {
            int keep = needed + 1;
            Array.Resize(ref _keys, keep);
            if (_values != null)
            {
                Array.Resize(ref _values, keep);
            }
            Array.Resize(ref _hashes, keep);
            Array.Resize(ref _next, keep);
            _capacity = keep == 1 ? _keys[0].Length : keep * ChunkSize;
        }
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
        LinkTo(index) = NextOf(index);
        int last = _count - 1;
        if (index != last)
        {
            // Repoint whatever links to the last element at its new index, then move it.
            LinkTo(last) = index + 1;
            int c = index >> ChunkBits, o = index & ChunkMask, lc = last >> ChunkBits, lo = last & ChunkMask;
            _keys[c][o] = _keys[lc][lo];
            _hashes[c][o] = _hashes[lc][lo];
            _next[c][o] = _next[lc][lo];
            if (_values != null)
            {
                _values[c][o] = _values[lc][lo];
            }
        }
        _keys[last >> ChunkBits][last & ChunkMask] = null!;
        if (_values != null)
        {
            _values[last >> ChunkBits][last & ChunkMask] = null;
        }
        _count = last;
        if (_target != null)
        {
            RehashStep();
        }
        else if (_buckets.Length > MinBuckets && (long)_count * 10 < _buckets.Length)
        {
            // Under 10% full: shrink, as Redis does after deletions.
            StartRehash((int)Math.Max(MinBuckets, BitOperations.RoundUpToPowerOf2((uint)Math.Max(_count, 1))));
        }
        ShrinkStorage();
    }

    /// <summary>The link (bucket head or chain link) that holds index + 1, in whichever bucket array has it.</summary>
    private ref int LinkTo(int index)
    {
        uint hash = HashAt(index);
        ref int link = ref _buckets[hash & (uint)(_buckets.Length - 1)];
        while (link != 0)
        {
            if (link == index + 1)
            {
                return ref link;
            }
            link = ref NextOf(link - 1);
        }
        link = ref _target![hash & (uint)(_target.Length - 1)];
        while (link != index + 1)
        {
            link = ref NextOf(link - 1);
        }
        return ref link;
    }

    private void StartRehash(int size)
    {
        if (size == _buckets.Length)
        {
            return;
        }
        _target = new int[size];
        _rehashIndex = 0;
    }

    /// <summary>Moves one bucket (visiting at most a few empty ones) from the old bucket array to the new.</summary>
    private void RehashStep()
    {
        int[] target = _target!;
        int[] from = _buckets;
        int emptyVisits = EmptyVisitsPerStep;
        while (_rehashIndex < from.Length && from[_rehashIndex] == 0)
        {
            if (--emptyVisits == 0)
            {
                return;
            }
            _rehashIndex++;
        }
        if (_rehashIndex < from.Length)
        {
            uint mask = (uint)(target.Length - 1);
            for (int i = from[_rehashIndex] - 1; i >= 0;)
            {
                ref int next = ref NextOf(i);
                int following = next - 1;
                ref int head = ref target[HashAt(i) & mask];
                next = head;
                head = i + 1;
                i = following;
            }
            from[_rehashIndex] = 0;
            _rehashIndex++;
        }
        if (_rehashIndex >= from.Length)
        {
            _buckets = target;
            _target = null;
            _rehashIndex = -1;
        }
    }

    /// <summary>
    /// Appends the indices of the elements of the buckets one cursor step covers to <paramref name="output"/>;
    /// returns the next cursor, 0 when the scan is complete. The same algorithm as Redis's dictScan.
    /// </summary>
    public ulong Scan(ulong cursor, List<int> output)
    {
        if (_count == 0)
        {
            return 0;
        }
        ulong v = cursor;
        if (_target == null)
        {
            ulong m0 = (ulong)(_buckets.Length - 1);
            Collect(_buckets, v & m0, output);
            v |= ~m0;
            return ReverseBits(ReverseBits(v) + 1);
        }
        int[] small = _buckets.Length <= _target.Length ? _buckets : _target;
        int[] large = ReferenceEquals(small, _buckets) ? _target : _buckets;
        ulong s0 = (ulong)(small.Length - 1);
        ulong s1 = (ulong)(large.Length - 1);
        Collect(small, v & s0, output);
        do
        {
            Collect(large, v & s1, output);
            v |= ~s1;
            v = ReverseBits(ReverseBits(v) + 1);
        }
        while ((v & (s0 ^ s1)) != 0);
        return v;
    }

    private void Collect(int[] buckets, ulong bucket, List<int> output)
    {
        for (int i = buckets[(int)bucket] - 1; i >= 0; i = NextOf(i) - 1)
        {
            output.Add(i);
        }
    }

    /// <summary>For SCAN's reverse-binary cursor (also used by <see cref="SetValue"/> over a pack).</summary>
    internal static ulong ReverseBits(ulong v)
    {
        v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
        v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((v & 0x0F0F0F0F0F0F0F0FUL) << 4);
        return System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);
    }
}
