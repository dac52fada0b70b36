using System.Numerics;

namespace Amber.Keyspace;

/// <summary>
/// The keyspace hash table: chained buckets over a power-of-two array, grown and shrunk by incremental rehashing
/// (two tables live at once and each operation moves a bucket or so), so no single request pays for a resize.
/// While the fork-less snapshotter runs, every bucket has a captured bit (docs/architecture.md, Snapshots; KeyTable.Snapshot.cs).
/// </summary>
internal sealed partial class KeyTable
{
    private const int InitialSize = 4;
    private const int EmptyVisitsPerStep = 10;
    /// <summary>While resizing is paused (a snapshot is running), grow only past this load factor.</summary>
    private const int ForcedResizeRatio = 5;

    private Bucket _main = new(InitialSize);
    private Bucket? _target;
    private int _rehashIndex = -1;

    public int Count { get; private set; }

    /// <summary>Set while a point-in-time iteration runs: buckets must keep their place.</summary>
    public bool ResizePaused { get; set; }

    public bool IsRehashing => _target != null;

    internal int BucketCount => _main.Entries.Length + (_target?.Entries.Length ?? 0);

    private sealed class Bucket(int size)
    {
        public readonly Entry?[] Entries = new Entry?[size];
        /// <summary>
        /// One bit per bucket, set once a running snapshot has the bucket; only while a snapshot captures this table
        /// (KeyTable.Snapshot.cs), so a slot costs just its reference otherwise.
        /// </summary>
        public ulong[]? Captured;

        public int Mask => Entries.Length - 1;

        /// <summary>Marks a bucket captured; false if it already was.</summary>
        public bool MarkCaptured(long index)
        {
            ref ulong word = ref Captured![index >> 6];
            ulong bit = 1UL << (int)(index & 63);
            if ((word & bit) != 0)
            {
                return false;
            }
            word |= bit;
            return true;
        }
    }

    public Entry? Find(ReadOnlySpan<byte> key, uint hash)
    {
        if (Count == 0)
        {
            return null;
        }
        if (_snapshot != null)
        {
            CaptureBucketsOf(hash);
        }
        if (_target != null)
        {
            RehashStep();
        }
        Entry? e = FindIn(_main, key, hash);
        if (e == null && _target != null)
        {
            e = FindIn(_target, key, hash);
        }
        return e;
    }

    private static Entry? FindIn(Bucket table, ReadOnlySpan<byte> key, uint hash)
    {
        ushort tag = Entry.TagOf(hash);
        for (Entry? e = table.Entries[hash & table.Mask]; e != null; e = e.Next)
        {
            if (e.HashTag == tag && key.SequenceEqual(e.Key))
            {
                return e;
            }
        }
        return null;
    }

    /// <summary>Adds an entry whose key is known to be absent.</summary>
    public void Add(Entry entry) => Add(entry, entry.Hash);

    /// <summary>Adds an entry whose key is known to be absent, given its key's hash (<see cref="KeyHash.Of"/>).</summary>
    public void Add(Entry entry, uint hash)
    {
        if (_snapshot != null)
        {
            CaptureBeforeAdd(hash);
        }
        if (_target != null)
        {
            RehashStep();
        }
        else
        {
            ExpandIfNeeded();
        }
        Bucket table = _target ?? _main;
        long index = hash & table.Mask;
        entry.Next = table.Entries[index];
        table.Entries[index] = entry;
        Count++;
    }

    public Entry? Remove(ReadOnlySpan<byte> key, uint hash)
    {
        if (Count == 0)
        {
            return null;
        }
        if (_snapshot != null)
        {
            CaptureBucketsOf(hash);
        }
        if (_target != null)
        {
            RehashStep();
        }
        Entry? removed = RemoveFrom(_main, key, hash) ?? (_target != null ? RemoveFrom(_target, key, hash) : null);
        if (removed != null)
        {
            Count--;
            removed.Next = null;
        }
        return removed;
    }

    private static Entry? RemoveFrom(Bucket table, ReadOnlySpan<byte> key, uint hash)
    {
        long index = hash & table.Mask;
        ushort tag = Entry.TagOf(hash);
        Entry? prev = null;
        for (Entry? e = table.Entries[index]; e != null; prev = e, e = e.Next)
        {
            if (e.HashTag == tag && key.SequenceEqual(e.Key))
            {
                if (prev == null)
                {
                    table.Entries[index] = e.Next;
                }
                else
                {
                    prev.Next = e.Next;
                }
                return e;
            }
        }
        return null;
    }

    public void Clear()
    {
        if (_snapshot != null)
        {
            CaptureAllAndDetach();
        }
        _main = new Bucket(InitialSize);
        _target = null;
        _rehashIndex = -1;
        Count = 0;
    }

    private void ExpandIfNeeded()
    {
        int size = _main.Entries.Length;
        if (Count >= size && (!ResizePaused || Count / size > ForcedResizeRatio))
        {
            if (_snapshot != null)
            {
                // Entries are about to move between buckets: the snapshot takes what it has not yet captured first.
                CaptureAllAndDetach();
            }
            StartResize(size * 2);
        }
    }

    /// <summary>
    /// Sizes an empty table for <paramref name="expected"/> keys at once (an RDB's RESIZEDB hint, as Redis's loader
    /// does), so a load does not rehash every key through each doubling. Capped: the hint comes from a file.
    /// </summary>
    public void Reserve(long expected)
    {
        const int MaxReserved = 1 << 22;
        if (Count != 0 || _target != null || _snapshot != null || expected <= _main.Entries.Length)
        {
            return;
        }
        _main = new Bucket((int)BitOperations.RoundUpToPowerOf2((uint)Math.Min(expected, MaxReserved)));
    }

    /// <summary>Called from the server cron: starts shrinking when the table is under 10% full, as Redis does.</summary>
    public void ShrinkIfSparse()
    {
        int size = _main.Entries.Length;
        if (_target == null && !ResizePaused && size > InitialSize && (long)Count * 100 / size < 10)
        {
            StartResize((int)Math.Max(InitialSize, BitOperations.RoundUpToPowerOf2((uint)Math.Max(Count, 1))));
        }
    }

    private void StartResize(int size)
    {
        if (size == _main.Entries.Length)
        {
            return;
        }
        _target = new Bucket(size);
        _rehashIndex = 0;
    }

    /// <summary>Moves one bucket (visiting at most a few empty ones) from the old table to the new.</summary>
    public void RehashStep()
    {
        if (_target == null || ResizePaused)
        {
            return;
        }
        Entry?[] from = _main.Entries;
        int emptyVisits = EmptyVisitsPerStep;
        while (_rehashIndex < from.Length && from[_rehashIndex] == null)
        {
            if (--emptyVisits == 0)
            {
                return;
            }
            _rehashIndex++;
        }
        if (_rehashIndex < from.Length)
        {
            Entry? e = from[_rehashIndex];
            while (e != null)
            {
                Entry? next = e.Next;
                long index = e.Hash & _target.Mask;
                e.Next = _target.Entries[index];
                _target.Entries[index] = e;
                e = next;
            }
            from[_rehashIndex] = null;
            _rehashIndex++;
        }
        if (_rehashIndex >= from.Length)
        {
            _main = _target;
            _target = null;
            _rehashIndex = -1;
        }
    }

    /// <summary>Rehashes for up to <paramref name="milliseconds"/> (server cron), as Redis's activerehashing does.</summary>
    public void RehashFor(int milliseconds)
    {
        long deadline = Environment.TickCount64 + milliseconds;
        while (_target != null && !ResizePaused)
        {
            for (int i = 0; i < 100 && _target != null; i++)
            {
                RehashStep();
            }
            if (Environment.TickCount64 >= deadline)
            {
                break;
            }
        }
    }

    /// <summary>
    /// One SCAN step. Uses Redis's reverse-binary cursor, so every key present for the whole scan is returned
    /// at least once even if the table grows, shrinks or rehashes between calls.
    /// </summary>
    public ulong Scan(ulong cursor, List<Entry> output)
    {
        if (Count == 0)
        {
            return 0;
        }
        ulong v = cursor;
        if (_target == null)
        {
            ulong m0 = (ulong)_main.Mask;
            Collect(_main, v & m0, output);
            v |= ~m0;
            v = Next(v);
        }
        else
        {
            Bucket small = _main.Entries.Length <= _target.Entries.Length ? _main : _target;
            Bucket large = ReferenceEquals(small, _main) ? _target : _main;
            ulong m0 = (ulong)small.Mask;
            ulong m1 = (ulong)large.Mask;
            Collect(small, v & m0, output);
            do
            {
                Collect(large, v & m1, output);
                v |= ~m1;
                v = Next(v);
            }
            while ((v & (m0 ^ m1)) != 0);
        }
        return v;

        static ulong Next(ulong v) => ReverseBits(ReverseBits(v) + 1);
    }

    private void Collect(Bucket table, ulong index, List<Entry> output)
    {
        if (_snapshot != null)
        {
            CaptureBucket(_snapshot, table, (long)index);
        }
        for (Entry? e = table.Entries[index]; e != null; e = e.Next)
        {
            output.Add(e);
        }
    }

    private static ulong ReverseBits(ulong v)
    {
        v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
        v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((v & 0x0F0F0F0F0F0F0F0FUL) << 4);
        return System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);
    }

    /// <summary>A uniformly chosen bucket, then a uniformly chosen entry in it (what RANDOMKEY needs).</summary>
    public Entry? Random(Random random)
    {
        if (Count == 0)
        {
            return null;
        }
        RehashStep();
        Entry? head;
        Bucket table;
        int index;
        do
        {
            if (_target != null)
            {
                int total = _main.Entries.Length + _target.Entries.Length;
                int i = random.Next(total);
                (table, index) = i < _main.Entries.Length ? (_main, i) : (_target, i - _main.Entries.Length);
            }
            else
            {
                (table, index) = (_main, random.Next(_main.Entries.Length));
            }
            head = table.Entries[index];
        }
        while (head == null);
        if (_snapshot != null)
        {
            CaptureBucket(_snapshot, table, index);
        }
        int length = 0;
        for (Entry? e = head; e != null; e = e.Next)
        {
            length++;
        }
        int pick = random.Next(length);
        while (pick-- > 0)
        {
            head = head!.Next;
        }
        return head;
    }

    /// <summary>
    /// Every entry; for administrative commands (KEYS, FLUSHALL, DEBUG DIGEST), not for request hot paths.
    /// Read only: a running snapshot does not capture what this returns, so change an entry only after looking it up.
    /// </summary>
    public IEnumerable<Entry> All()
    {
        foreach (Bucket table in _target == null ? [_main] : new[] { _main, _target })
        {
            foreach (Entry? head in table.Entries)
            {
                for (Entry? e = head; e != null;)
                {
                    Entry? next = e.Next;
                    yield return e;
                    e = next;
                }
            }
        }
    }
}
