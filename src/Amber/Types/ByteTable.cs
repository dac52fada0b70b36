using System.Numerics;
using System.Runtime.CompilerServices;
using Amber.Keyspace;
using Amber.Text;

namespace Amber.Types;

/// <summary>
/// The large encoding of hashes and sets: a hash table keyed by bytes, with optional byte values.
/// Each element is ONE byte[]: a set's member as is, a hash's field and value as varint(field length), field, value
/// (so a hash element costs one array header and one reference, not two). Elements live densely (index
/// 0..Count-1) in a chunked array of slots (element, hash, chain link): a lookup touches the bucket, the slot and the
/// element array, three cache lines, and there is no node object per element (GC, docs/architecture.md §3).
/// Growing adds a chunk instead of copying everything; a chunk of 4096 16-byte slots stays off the large object heap.
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

    private struct Slot
    {
        /// <summary>The member, or varint(field length) field value.</summary>
        public byte[] Element;
        public uint Hash;
        /// <summary>Chain link: index + 1 of the next element in the same bucket, 0 at the end.</summary>
        public int Next;
    }

    // Slot chunk c holds indices [c·ChunkSize, (c+1)·ChunkSize). Only chunk 0 may be shorter.
    private Slot[][] _slots;
    private readonly bool _withValues;
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
        _slots = [new Slot[Math.Min(size, ChunkSize)]];
        _withValues = withValues;
        _capacity = _slots[0].Length;
        _buckets = new int[size];
    }

    private ByteTable(ByteTable other)
    {
        _withValues = other._withValues;
        _slots = new Slot[other._slots.Length][];
        for (int c = 0; c < _slots.Length; c++)
        {
            _slots[c] = (Slot[])other._slots[c].Clone();
        }
        if (_withValues)
        {
            // A hash overwrites a value of the same length in place (SetValueAt), so its elements are not shared.
            for (int i = 0; i < other._count; i++)
            {
                ref byte[] element = ref SlotAt(i).Element;
                element = (byte[])element.Clone();
            }
        }
        _capacity = other._capacity;
        _count = other._count;
        _buckets = (int[])other._buckets.Clone();
        _target = (int[]?)other._target?.Clone();
        _rehashIndex = other._rehashIndex;
    }

    /// <summary>
    /// A copy with its own arrays. A set's member arrays are shared (never changed in place); a hash's element
    /// arrays are copied.
    /// </summary>
    public ByteTable Clone() => new(this);

    public int Count => _count;
    public bool HasValues => _withValues;
    internal int BucketCount => _buckets.Length + (_target?.Length ?? 0);
    internal bool IsRehashing => _target != null;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Slot SlotAt(int index) => ref _slots[index >> ChunkBits][index & ChunkMask];

    /// <summary>A set's member at a dense index (tables without values; SMEMBERS and friends read it per member).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[] MemberAt(int index) => SlotAt(index).Element;

    /// <summary>The key (set member or hash field) at a dense index; valid until the table changes.</summary>
    public ReadOnlySpan<byte> KeyAt(int index)
    {
        byte[] element = SlotAt(index).Element;
        return _withValues ? FieldOf(element) : element;
    }

    /// <summary>The value at a dense index (tables with values); valid until the table changes.</summary>
    public ReadOnlySpan<byte> ValueAt(int index)
    {
        byte[] element = SlotAt(index).Element;
        int length = FieldLength(element, out int at);
        return new ReadOnlySpan<byte>(element, at + length, element.Length - at - length);
    }

    /// <summary>The field and value at a dense index (tables with values), decoded once; valid until the table changes.</summary>
    public ReadOnlySpan<byte> PairAt(int index, out ReadOnlySpan<byte> value)
    {
        byte[] element = SlotAt(index).Element;
        int length = FieldLength(element, out int at);
        int valueStart = at + length;
        value = new ReadOnlySpan<byte>(element, valueStart, element.Length - valueStart);
        return new ReadOnlySpan<byte>(element, at, length);
    }

    /// <summary>Sets the value at a dense index: in place when the length is unchanged, else in a new element array.</summary>
    public void SetValueAt(int index, ReadOnlySpan<byte> value)
    {
        byte[] element = SlotAt(index).Element;
        int fieldLength = FieldLength(element, out int at);
        int valueStart = at + fieldLength;
        if (element.Length - valueStart == value.Length)
        {
            // In place: a new array per HSET would make every overwrite a young object referenced from the old
            // table, which the GC then has to find through the card table and promote (issue 3 item 9).
            value.CopyTo(new Span<byte>(element, valueStart, value.Length));
            return;
        }
        SlotAt(index).Element = MakeElement(new ReadOnlySpan<byte>(element, at, fieldLength), value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> FieldOf(byte[] element)
    {
        int length = FieldLength(element, out int at);
        return new ReadOnlySpan<byte>(element, at, length);
    }

    /// <summary>A hash element's field length and where the field starts (a one-byte header for fields under 128 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FieldLength(byte[] element, out int start)
    {
        int length = element[0];
        if (length < 0x80)
        {
            start = 1;
            return length;
        }
        start = 0;
        return (int)Varint.Read(element, ref start);
    }

    private static byte[] MakeElement(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        int header = Varint.Size((ulong)field.Length);
        var element = new byte[checked(header + field.Length + value.Length)];
        Varint.Write(element, 0, (ulong)field.Length);
        field.CopyTo(element.AsSpan(header));
        value.CopyTo(element.AsSpan(header + field.Length));
        return element;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int NextOf(int index) => ref SlotAt(index).Next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint HashAt(int index) => SlotAt(index).Hash;

    /// <summary>
    /// Starts loading one step of the lookup of a key hashing to <paramref name="hash"/>: 0 its bucket, 1 the first
    /// slot of the chain, 2 that slot's element (each reads what the step before loaded). Changes nothing.
    /// </summary>
    public void PrefetchStage(uint hash, int stage)
    {
        uint bucket = hash & (uint)(_buckets.Length - 1);
        if (stage == 0)
        {
            CachePrefetch.Element(_buckets, bucket);
            return;
        }
        int head = _buckets[bucket] - 1;
        if (head < 0 || head >= _count)
        {
            return;
        }
        if (stage == 1)
        {
            CachePrefetch.Element(_slots[head >> ChunkBits], head & ChunkMask);
        }
        else
        {
            CachePrefetch.Object(SlotAt(head).Element);
        }
    }

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
        for (int i = buckets[hash & (uint)(buckets.Length - 1)] - 1; i >= 0;)
        {
            ref Slot slot = ref SlotAt(i);
            if (slot.Hash == hash && key.SequenceEqual(_withValues ? FieldOf(slot.Element) : slot.Element))
            {
                return i;
            }
            i = slot.Next - 1;
        }
        return -1;
    }

    /// <summary>Adds a key (copied; an empty value in a table with values) if absent; returns its index and whether it was added.</summary>
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
        return Insert(_withValues ? MakeElement(key, default) : key.ToArray(), hash);
    }

    /// <summary>Sets a key's value (both copied), adding the key if absent; returns true when it was added.</summary>
    public bool Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        uint hash = KeyHash.Of(key);
        int i = _count == 0 ? -1 : Find(key, hash);
        if (i >= 0)
        {
            SetValueAt(i, value);
            return false;
        }
        Insert(MakeElement(key, value), hash);
        return true;
    }

    /// <summary>Adds a key known to be absent (copied), with its value in a table with values.</summary>
    public int AddNew(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value = default) =>
        Insert(_withValues ? MakeElement(key, value) : key.ToArray(), KeyHash.Of(key));

    private int Insert(byte[] element, uint hash)
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
        ref Slot slot = ref SlotAt(i);
        slot.Element = element;
        slot.Hash = hash;
        int[] buckets = _target ?? _buckets;
        ref int head = ref buckets[hash & (uint)(buckets.Length - 1)];
        slot.Next = head;
        head = i + 1;
        return i;
    }

    private void GrowStorage()
    {
        if (_capacity < ChunkSize)
        {
            // Still one small chunk: double it (bounded copy).
            int size = Math.Min(_capacity * 2, ChunkSize);
            Array.Resize(ref _slots[0], size);
            _capacity = size;
            return;
        }
        int chunks = _slots.Length;
        Array.Resize(ref _slots, chunks + 1);
        _slots[chunks] = new Slot[ChunkSize];
        _capacity += ChunkSize;
    }

    /// <summary>Drops whole trailing chunks that the elements no longer reach.</summary>
    private void ShrinkStorage()
    {
        int needed = Math.Max(1, (_count + ChunkSize - 1) >> ChunkBits);
        // Keep one spare chunk so a table hovering at a chunk boundary does not allocate on every add.
        if (_slots.Length > needed + 1)
        {
            int keep = needed + 1;
            Array.Resize(ref _slots, keep);
            _capacity = keep == 1 ? _slots[0].Length : keep * ChunkSize;
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
            SlotAt(index) = SlotAt(last);
        }
        SlotAt(last) = default;
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
