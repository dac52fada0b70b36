using Amber.Keyspace;

namespace Amber.Types;

/// <summary>Redis's zset-max-listpack-entries / zset-max-listpack-value: when the compact encoding gives way.</summary>
internal readonly record struct ZSetLimits(int MaxEntries, int MaxValue)
{
    public static ZSetLimits Default => new(128, 64);
}

/// <summary>
/// A sorted set value: members (bytes) with double scores, ordered by (score, member bytes).
/// Small sets use a compact encoding (one sorted array of (score, offset, length) plus one byte buffer holding the members,
/// like Redis's listpack); larger ones a <see cref="ZSetTree"/> (order-statistic tree plus hash table, like Redis's skiplist).
/// Elements are addressed by handles: array positions when compact, node indexes when large. Handles stay valid until the
/// next change to the set; <see cref="Nil"/> means none.
/// </summary>
internal sealed class SortedSet : ITypedValue, Diagnostics.IDigestible
{
    public const int Nil = -1;

    private struct Item
    {
        public double Score;
        public int Offset;
        public int Length;
    }

    // Compact encoding (when _tree is null).
    private Item[] _items;
    private byte[] _data;
    private int _count;
    private int _dataUsed;
    private int _garbage;

    private ZSetTree? _tree;

    public SortedSet(int capacity = 4)
    {
        _items = new Item[Math.Max(capacity, 1)];
        _data = new byte[Math.Max(capacity, 1) * 8];
    }

    /// <summary>A set in the large encoding from the start (results of ZUNION and friends, as Redis builds them).</summary>
    public static SortedSet CreateLarge(int capacity)
    {
        var set = new SortedSet(1);
        set.ConvertToTree(capacity);
        return set;
    }

    public int Count => _tree?.Count ?? _count;

    public bool IsCompact => _tree == null;

    /// <summary>What OBJECT ENCODING reports.</summary>
    public string Encoding => _tree == null ? "listpack" : "skiplist";

    public KeyType Type => KeyType.ZSet;

    ITypedValue ITypedValue.Clone() => Clone();

    /// <summary>Redis's OBJ_ZSET.</summary>
    public int RedisTypeCode => 3;

    /// <summary>As Redis's xorObjectDigest: per element, the member and its score as %.17g text, xored in (order-free).</summary>
    public void AddToDigest(Diagnostics.DigestState digest)
    {
        Span<byte> text = stackalloc byte[40];
        for (int h = First(); h != Nil; h = Next(h))
        {
            int n = Protocol.NumberFormat.FormatDouble(ScoreAt(h), text);
            digest.XorPair(MemberAt(h), text[..n]);
        }
    }

    public ReadOnlySpan<byte> MemberAt(int handle)
    {
        if (_tree != null)
        {
            return _tree.MemberOf(handle);
        }
        Item it = _items[handle];
        return new ReadOnlySpan<byte>(_data, it.Offset, it.Length);
    }

    public double ScoreAt(int handle) => _tree != null ? _tree.ScoreOf(handle) : _items[handle].Score;

    /// <summary>The handle of a member, or <see cref="Nil"/>.</summary>
    public int Find(ReadOnlySpan<byte> member)
    {
        if (_tree != null)
        {
            return _tree.Find(member);
        }
        for (int i = 0; i < _count; i++)
        {
            Item it = _items[i];
            if (it.Length == member.Length && member.SequenceEqual(new ReadOnlySpan<byte>(_data, it.Offset, it.Length)))
            {
                return i;
            }
        }
        return Nil;
    }

    public bool TryGetScore(ReadOnlySpan<byte> member, out double score)
    {
        int h = Find(member);
        score = h == Nil ? 0 : ScoreAt(h);
        return h != Nil;
    }

    // ---- order and ranks ----

    public int First() => _tree != null ? _tree.First() : (_count > 0 ? 0 : Nil);

    public int Last() => _tree != null ? _tree.Last() : _count - 1;

    public int Next(int handle) => _tree != null ? _tree.Next(handle) : (handle + 1 < _count ? handle + 1 : Nil);

    public int Prev(int handle) => _tree != null ? _tree.Prev(handle) : handle - 1;

    /// <summary>The 0-based ascending rank of a handle.</summary>
    public int RankOf(int handle) => _tree != null ? _tree.RankOf(handle) : handle;

    /// <summary>The handle at a 0-based ascending rank (0 ≤ rank &lt; Count).</summary>
    public int AtRank(int rank) => _tree != null ? _tree.At(rank) : rank;

    /// <summary>How many leading elements (in order) satisfy a monotone test.</summary>
    public int CountPrefix<T>(T test) where T : IZPrefix, allows ref struct
    {
        if (_tree != null)
        {
            return _tree.CountPrefix(test);
        }
        int lo = 0;
        int hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            Item it = _items[mid];
            if (test.Holds(it.Score, new ReadOnlySpan<byte>(_data, it.Offset, it.Length)))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    // ---- changes ----

    /// <summary>Adds a member known to be absent, switching to the large encoding first when the limits require it.</summary>
    public void Insert(ReadOnlySpan<byte> member, double score, ZSetLimits limits)
    {
        if (_tree == null && (_count + 1 > limits.MaxEntries || member.Length > limits.MaxValue))
        {
            ConvertToTree(_count + 1);
        }
        if (_tree != null)
        {
            _tree.Insert(member.ToArray(), score);
            return;
        }
        // The listpack keeps integral scores as integers, so a -0 comes back as 0.
        if (score == 0)
        {
            score = 0;
        }
        // Append first: it may compact the buffer, which rewrites the offsets of the items as they stand.
        int offset = Append(member);
        int pos = CompactPosition(score, member);
        if (_count == _items.Length)
        {
            // One slot at a time while small (the insert shifts items anyway, and Redis reallocates its listpack on
            // every insert): millions of 5-member zsets then hold 5 items, not 8 (bench/memory.sh).
            Array.Resize(ref _items, _items.Length < 16 ? _items.Length + 1 : _items.Length * 2);
        }
        Array.Copy(_items, pos, _items, pos + 1, _count - pos);
        _items[pos] = new Item { Score = score, Offset = offset, Length = member.Length };
        _count++;
    }

    /// <summary>As <see cref="Insert(ReadOnlySpan{byte}, double, ZSetLimits)"/>, keeping <paramref name="member"/> itself when large (no copy).</summary>
    public void Insert(byte[] member, double score, ZSetLimits limits)
    {
        if (_tree != null)
        {
            _tree.Insert(member, score);
            return;
        }
        Insert((ReadOnlySpan<byte>)member, score, limits);
    }

    /// <summary>Sets a member's score (by handle), keeping the order.</summary>
    public void UpdateScore(int handle, double score)
    {
        if (_tree != null)
        {
            _tree.UpdateScore(handle, score);
            return;
        }
        if (score == 0)
        {
            score = 0;
        }
        Item it = _items[handle];
        RemoveItem(handle);
        it.Score = score;
        int pos = CompactPosition(score, new ReadOnlySpan<byte>(_data, it.Offset, it.Length));
        Array.Copy(_items, pos, _items, pos + 1, _count - pos);
        _items[pos] = it;
        _count++;
    }

    public void RemoveAt(int handle)
    {
        if (_tree != null)
        {
            _tree.Remove(handle);
            return;
        }
        _garbage += _items[handle].Length;
        RemoveItem(handle);
        if (_count == 0)
        {
            _dataUsed = 0;
            _garbage = 0;
        }
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        int h = Find(member);
        if (h == Nil)
        {
            return false;
        }
        RemoveAt(h);
        return true;
    }

    /// <summary>Removes the elements with ranks start..end (inclusive, 0-based, within range).</summary>
    public void RemoveRankRange(int start, int end)
    {
        int n = end - start + 1;
        if (n <= 0)
        {
            return;
        }
        if (_tree != null)
        {
            int h = _tree.At(start);
            for (int i = 0; i < n; i++)
            {
                int next = _tree.Next(h);
                _tree.Remove(h);
                h = next;
            }
            return;
        }
        for (int i = start; i <= end; i++)
        {
            _garbage += _items[i].Length;
        }
        Array.Copy(_items, end + 1, _items, start, _count - end - 1);
        _count -= n;
        if (_count == 0)
        {
            _dataUsed = 0;
            _garbage = 0;
        }
    }

    public SortedSet Clone()
    {
        var copy = new SortedSet(Math.Max(Count, 1));
        if (_tree == null)
        {
            Array.Copy(_items, copy._items, _count);
            copy._data = _data.AsSpan(0, _dataUsed).ToArray();
            copy._dataUsed = _dataUsed;
            copy._garbage = _garbage;
            copy._count = _count;
            return copy;
        }
        copy.ConvertToTree(Count);
        for (int h = _tree.First(); h != Nil; h = _tree.Next(h))
        {
            copy._tree!.Insert(_tree.MemberOf(h).ToArray(), _tree.ScoreOf(h));
        }
        return copy;
    }

    /// <summary>For SCAN: whole-set in one go when compact; otherwise visits one hash bucket. Returns the next cursor.</summary>
    public ulong ScanBucket(ulong cursor, List<int> handles)
    {
        if (_tree != null)
        {
            return _tree.ScanBucket(cursor, handles);
        }
        for (int i = 0; i < _count; i++)
        {
            handles.Add(i);
        }
        return 0;
    }

    /// <summary>
    /// Switches a large set back to the compact encoding when it fits the limits (Redis does this only for the results
    /// of ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE). As with the listpack, a -0 score becomes 0.
    /// </summary>
    public void CompactIfFits(ZSetLimits limits)
    {
        if (_tree == null || _tree.Count > limits.MaxEntries)
        {
            return;
        }
        int bytes = 0;
        for (int h = _tree.First(); h != Nil; h = _tree.Next(h))
        {
            int length = _tree.MemberOf(h).Length;
            if (length > limits.MaxValue)
            {
                return;
            }
            bytes += length;
        }
        ZSetTree tree = _tree;
        _tree = null;
        _items = new Item[Math.Max(tree.Count, 1)];
        _data = new byte[Math.Max(bytes, 8)];
        for (int h = tree.First(); h != Nil; h = tree.Next(h))
        {
            double score = tree.ScoreOf(h);
            ReadOnlySpan<byte> member = tree.MemberOf(h);
            _items[_count++] = new Item { Score = score == 0 ? 0 : score, Offset = Append(member), Length = member.Length };
        }
    }

    /// <summary>Tests only: checks the encoding's invariants.</summary>
    internal void Validate()
    {
        if (_tree != null)
        {
            _tree.Validate();
            return;
        }
        for (int i = 1; i < _count; i++)
        {
            if (Compare(_items[i - 1], _items[i]) >= 0)
            {
                throw new InvalidOperationException("compact order broken");
            }
        }
    }

    private int Compare(Item a, Item b)
    {
        int c = a.Score.CompareTo(b.Score);
        return c != 0 ? c : new ReadOnlySpan<byte>(_data, a.Offset, a.Length).SequenceCompareTo(new ReadOnlySpan<byte>(_data, b.Offset, b.Length));
    }

    private int CompactPosition(double score, ReadOnlySpan<byte> member)
    {
        int lo = 0;
        int hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            Item it = _items[mid];
            bool before = it.Score < score ||
                (it.Score == score && new ReadOnlySpan<byte>(_data, it.Offset, it.Length).SequenceCompareTo(member) < 0);
            if (before)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private void RemoveItem(int pos)
    {
        Array.Copy(_items, pos + 1, _items, pos, _count - pos - 1);
        _count--;
    }

    private int Append(ReadOnlySpan<byte> member)
    {
        if (_dataUsed + member.Length > _data.Length)
        {
            if (_garbage > 0 && _garbage * 2 >= _dataUsed)
            {
                CompactData();
            }
            if (_dataUsed + member.Length > _data.Length)
            {
                int needed = _dataUsed + member.Length;
                Array.Resize(ref _data, _data.Length < 128 ? (needed + 7) & ~7 : Math.Max(_data.Length * 2, needed));
            }
        }
        int offset = _dataUsed;
        member.CopyTo(_data.AsSpan(offset));
        _dataUsed += member.Length;
        return offset;
    }

    /// <summary>Drops the bytes of removed members by rewriting the buffer in element order.</summary>
    private void CompactData()
    {
        var fresh = new byte[Math.Max(_dataUsed - _garbage, 8)];
        int at = 0;
        for (int i = 0; i < _count; i++)
        {
            ref Item it = ref _items[i];
            Buffer.BlockCopy(_data, it.Offset, fresh, at, it.Length);
            it.Offset = at;
            at += it.Length;
        }
        _data = fresh;
        _dataUsed = at;
        _garbage = 0;
    }

    /// <summary>Switches to the large encoding now (SORT does this to the set it sorts, as Redis's zsetConvert).</summary>
    public void ConvertToLarge()
    {
        if (_tree == null)
        {
            ConvertToTree(Math.Max(_count, 4));
        }
    }

    private void ConvertToTree(int capacity)
    {
        var tree = new ZSetTree(capacity);
        for (int i = 0; i < _count; i++)
        {
            Item it = _items[i];
            tree.Insert(_data.AsSpan(it.Offset, it.Length).ToArray(), it.Score);
        }
        _tree = tree;
        _items = [];
        _data = [];
        _count = 0;
        _dataUsed = 0;
        _garbage = 0;
    }
}
