using Amber.Keyspace;

namespace Amber.Types;

/// <summary>Redis's zset-max-listpack-entries / zset-max-listpack-value: when the compact encoding gives way.</summary>
internal readonly record struct ZSetLimits(int MaxEntries, int MaxValue)
{
    public static ZSetLimits Default => new(128, 64);
}

/// <summary>
/// A sorted set value: members (bytes) with double scores, ordered by (score, member bytes).
/// Small sets use a compact encoding (one <see cref="ZSetPack"/> byte array of member/score entries, like Redis's
/// listpack, searched linearly); larger ones a <see cref="ZSetTree"/> (order-statistic tree plus hash table, like
/// Redis's skiplist). Elements are addressed by handles: byte offsets when compact, node indexes when large. Handles
/// stay valid until the next change to the set; <see cref="Nil"/> means none.
/// </summary>
internal sealed class SortedSet : Entry, ITypedValue, Diagnostics.IDigestible
{
    public const int Nil = -1;

    /// <summary>The tree once the encoding is large; null while the <see cref="ZSetPack"/> after the key is the encoding.</summary>
    private ZSetTree? _tree;

    /// <summary>
    /// A new set's array: an empty key and an empty pack. Shared and never written: an insert into an empty pack
    /// allocates (it has no room), and attaching a key copies.
    /// </summary>
    private static readonly byte[] EmptyDetached = EmptyPackArray();

    public SortedSet(int capacity = 4)
        : base(EmptyDetached)
    {
        _ = capacity;
    }

    /// <summary>A detached set over <paramref name="bytes"/>: an empty key's header byte, then the pack.</summary>
    private SortedSet(byte[] bytes)
        : base(bytes)
    {
    }

    private static byte[] EmptyPackArray()
    {
        byte[] bytes = DetachedArray(ZSetPack.HeaderSize);
        ZSetPack.WriteEmpty(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>A set in the large encoding from the start (results of ZUNION and friends, as Redis builds them).</summary>
    public static SortedSet CreateLarge(int capacity)
    {
        var set = new SortedSet(1);
        set.ConvertToTree(capacity);
        return set;
    }

    private ZSetTree? Tree => _tree;

    internal override void PrefetchMember(uint memberHash, int stage) => _tree?.PrefetchStage(memberHash, stage);

    /// <summary>The array holding the pack after the key; valid only while <see cref="IsCompact"/>.</summary>
    private byte[] Pack => Bytes;

    /// <summary>Where the pack starts in <see cref="Pack"/>.</summary>
    private int PackStart => AfterKeyStart;

    public int Count => _tree is { } tree ? tree.Count : ZSetPack.Count(Pack, PackStart);

    public bool IsCompact => _tree == null;

    /// <summary>What OBJECT ENCODING reports.</summary>
    public string Encoding => IsCompact ? "listpack" : "skiplist";

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

    public ReadOnlySpan<byte> MemberAt(int handle) =>
        _tree is { } tree ? tree.MemberOf(handle) : ZSetPack.MemberAt(Pack, handle);

    public double ScoreAt(int handle) => _tree is { } tree ? tree.ScoreOf(handle) : ZSetPack.ScoreAt(Pack, handle);

    /// <summary>The handle of a member, or <see cref="Nil"/>.</summary>
    public int Find(ReadOnlySpan<byte> member)
    {
        if (_tree is { } tree)
        {
            return tree.Find(member);
        }
        byte[] pack = Pack;
        int start = PackStart;
        for (int at = ZSetPack.First(start); at < ZSetPack.Used(pack, start); at = ZSetPack.End(pack, at))
        {
            if (ZSetPack.MemberAt(pack, at).SequenceEqual(member))
            {
                return at;
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

    public int First() => _tree is { } tree ? tree.First() : (ZSetPack.Count(Pack, PackStart) > 0 ? ZSetPack.First(PackStart) : Nil);

    public int Last() => _tree is { } tree ? tree.Last() : Prev(ZSetPack.Used(Pack, PackStart));

    /// <summary>The handle after <paramref name="handle"/>, or <see cref="Nil"/> (hides the entry's chain link, which only the key table uses).</summary>
    public new int Next(int handle)
    {
        if (_tree is { } tree)
        {
            return tree.Next(handle);
        }
        byte[] pack = Pack;
        int next = ZSetPack.End(pack, handle);
        return next < ZSetPack.Used(pack, PackStart) ? next : Nil;
    }

    public int Prev(int handle)
    {
        if (_tree is { } tree)
        {
            return tree.Prev(handle);
        }
        return handle > ZSetPack.First(PackStart) ? ZSetPack.StartBefore(Pack, handle) : Nil;
    }

    /// <summary>The 0-based ascending rank of a handle (linear when compact, as in Redis's listpack).</summary>
    public int RankOf(int handle)
    {
        if (_tree is { } tree)
        {
            return tree.RankOf(handle);
        }
        byte[] pack = Pack;
        int start = PackStart;
        int rank = 0;
        for (int at = ZSetPack.First(start); at < handle; at = ZSetPack.End(pack, at))
        {
            rank++;
        }
        return rank;
    }

    /// <summary>The handle at a 0-based ascending rank (0 ≤ rank &lt; Count); a compact set walks from the nearer end.</summary>
    public int AtRank(int rank)
    {
        if (_tree is { } tree)
        {
            return tree.At(rank);
        }
        byte[] pack = Pack;
        int start = PackStart;
        int count = ZSetPack.Count(pack, start);
        if (rank > count / 2)
        {
            int from = ZSetPack.Used(pack, start);
            for (int i = count; i > rank; i--)
            {
                from = ZSetPack.StartBefore(pack, from);
            }
            return from;
        }
        int at = ZSetPack.First(start);
        for (int i = 0; i < rank; i++)
        {
            at = ZSetPack.End(pack, at);
        }
        return at;
    }

    /// <summary>How many leading elements (in order) satisfy a monotone test.</summary>
    public int CountPrefix<T>(T test) where T : IZPrefix, allows ref struct
    {
        if (_tree is { } tree)
        {
            return tree.CountPrefix(test);
        }
        byte[] pack = Pack;
        int start = PackStart;
        int n = 0;
        int at = ZSetPack.First(start);
        while (at < ZSetPack.Used(pack, start))
        {
            int next = ZSetPack.Read(pack, at, out ReadOnlySpan<byte> member, out double score);
            if (!test.Holds(score, member))
            {
                break;
            }
            n++;
            at = next;
        }
        return n;
    }

    // ---- changes ----

    /// <summary>Adds a member known to be absent, switching to the large encoding first when the limits require it.</summary>
    public void Insert(ReadOnlySpan<byte> member, double score, ZSetLimits limits)
    {
        if (_tree == null && (Count + 1 > limits.MaxEntries || member.Length > limits.MaxValue))
        {
            ConvertToTree(Count + 1);
        }
        if (_tree is { } tree)
        {
            tree.Insert(member.ToArray(), score);
            return;
        }
        // The listpack keeps integral scores as integers, so a -0 comes back as 0.
        if (score == 0)
        {
            score = 0;
        }
        byte[] pack = Pack;
        int start = PackStart;
        Bytes = ZSetPack.Insert(pack, start, ZSetPack.PositionFor(pack, start, score, member), member, score);
    }

    /// <summary>As <see cref="Insert(ReadOnlySpan{byte}, double, ZSetLimits)"/>, keeping <paramref name="member"/> itself when large (no copy).</summary>
    public void Insert(byte[] member, double score, ZSetLimits limits)
    {
        if (_tree is { } tree)
        {
            tree.Insert(member, score);
            return;
        }
        Insert((ReadOnlySpan<byte>)member, score, limits);
    }

    /// <summary>Sets a member's score (by handle), keeping the order.</summary>
    public void UpdateScore(int handle, double score)
    {
        if (_tree is { } tree)
        {
            tree.UpdateScore(handle, score);
            return;
        }
        if (score == 0)
        {
            score = 0;
        }
        byte[] pack = Pack;
        int start = PackStart;
        ReadOnlySpan<byte> current = ZSetPack.MemberAt(pack, handle);
        // The member moves within the same array: take it out of the array first.
        byte[]? rented = current.Length > 256 ? System.Buffers.ArrayPool<byte>.Shared.Rent(current.Length) : null;
        Span<byte> member = rented != null ? rented.AsSpan(0, current.Length) : stackalloc byte[current.Length];
        current.CopyTo(member);
        pack = ZSetPack.Cut(pack, start, handle, ZSetPack.End(pack, handle), 1);
        Bytes = ZSetPack.Insert(pack, start, ZSetPack.PositionFor(pack, start, score, member), member, score);
        if (rented != null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void RemoveAt(int handle)
    {
        if (_tree is { } tree)
        {
            tree.Remove(handle);
            return;
        }
        byte[] pack = Pack;
        Bytes = ZSetPack.Cut(pack, PackStart, handle, ZSetPack.End(pack, handle), 1);
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
        if (_tree is { } tree)
        {
            int h = tree.At(start);
            for (int i = 0; i < n; i++)
            {
                int next = tree.Next(h);
                tree.Remove(h);
                h = next;
            }
            return;
        }
        byte[] pack = Pack;
        int from = AtRank(start);
        int to = from;
        for (int i = 0; i < n; i++)
        {
            to = ZSetPack.End(pack, to);
        }
        Bytes = ZSetPack.Cut(pack, PackStart, from, to, n);
    }

    public SortedSet Clone()
    {
        if (_tree == null)
        {
            return new SortedSet(DetachedCopy(ZSetPack.UsedSpan(Pack, PackStart)));
        }
        var copy = new SortedSet(1);
        ZSetTree tree = _tree;
        copy.ConvertToTree(Count);
        ZSetTree target = copy.Tree!;
        for (int h = tree.First(); h != Nil; h = tree.Next(h))
        {
            target.Insert(tree.MemberOf(h).ToArray(), tree.ScoreOf(h));
        }
        return copy;
    }

    /// <summary>For SCAN: whole-set in one go when compact; otherwise visits one hash bucket. Returns the next cursor.</summary>
    public ulong ScanBucket(ulong cursor, List<int> handles)
    {
        if (_tree is { } tree)
        {
            return tree.ScanBucket(cursor, handles);
        }
        byte[] pack = Pack;
        int start = PackStart;
        for (int at = ZSetPack.First(start); at < ZSetPack.Used(pack, start); at = ZSetPack.End(pack, at))
        {
            handles.Add(at);
        }
        return 0;
    }

    /// <summary>
    /// Switches a large set back to the compact encoding when it fits the limits (Redis does this only for the results
    /// of ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE). As with the listpack, a -0 score becomes 0.
    /// </summary>
    public void CompactIfFits(ZSetLimits limits)
    {
        if (_tree is not { } tree || tree.Count > limits.MaxEntries)
        {
            return;
        }
        int start = PackStart;
        int bytes = start + ZSetPack.HeaderSize;
        for (int h = tree.First(); h != Nil; h = tree.Next(h))
        {
            int length = tree.MemberOf(h).Length;
            if (length > limits.MaxValue)
            {
                return;
            }
            bytes += ZSetPack.EntrySize(length, Normalize(tree.ScoreOf(h)));
        }
        // The key stays, the pack follows it.
        byte[] pack = new byte[bytes];
        Bytes.AsSpan(0, start).CopyTo(pack);
        int at = ZSetPack.First(start);
        for (int h = tree.First(); h != Nil; h = tree.Next(h))
        {
            at = ZSetPack.WriteEntry(pack, at, tree.MemberOf(h), Normalize(tree.ScoreOf(h)));
        }
        ZSetPack.WriteHeader(pack, start, tree.Count, at);
        Bytes = pack;
        _tree = null;
    }

    private static double Normalize(double score) => score == 0 ? 0 : score;

    /// <summary>Tests only: checks the encoding's invariants.</summary>
    internal void Validate()
    {
        if (_tree is { } tree)
        {
            tree.Validate();
            return;
        }
        byte[] pack = Pack;
        int start = PackStart;
        int count = 0;
        bool hasPrevious = false;
        double previousScore = 0;
        ReadOnlySpan<byte> previousMember = default;
        int at = ZSetPack.First(start);
        while (at < ZSetPack.Used(pack, start))
        {
            int next = ZSetPack.Read(pack, at, out ReadOnlySpan<byte> member, out double score);
            if (hasPrevious && (previousScore > score || (previousScore == score && previousMember.SequenceCompareTo(member) >= 0)))
            {
                throw new InvalidOperationException("compact order broken");
            }
            if (next < ZSetPack.Used(pack, start) && ZSetPack.StartBefore(pack, next) != at)
            {
                throw new InvalidOperationException("compact back length broken");
            }
            hasPrevious = true;
            previousScore = score;
            previousMember = member;
            count++;
            at = next;
        }
        if (at != ZSetPack.Used(pack, start) || count != ZSetPack.Count(pack, start))
        {
            throw new InvalidOperationException("compact count broken");
        }
    }

    /// <summary>Switches to the large encoding now (SORT does this to the set it sorts, as Redis's zsetConvert).</summary>
    public void ConvertToLarge()
    {
        if (IsCompact)
        {
            ConvertToTree(Math.Max(Count, 4));
        }
    }

    private void ConvertToTree(int capacity)
    {
        var tree = new ZSetTree(capacity);
        if (_tree == null)
        {
            byte[] pack = Pack;
            int start = PackStart;
            int at = ZSetPack.First(start);
            while (at < ZSetPack.Used(pack, start))
            {
                at = ZSetPack.Read(pack, at, out ReadOnlySpan<byte> member, out double score);
                tree.Insert(member.ToArray(), score);
            }
        }
        _tree = tree;
        DropAfterKey();
    }
}
