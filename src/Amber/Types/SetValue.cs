using System.Buffers.Text;
using Amber.Commands;

namespace Amber.Types;

/// <summary>
/// A Redis set, and the entry of the key holding it (<see cref="Keyspace.Entry"/>). Redis 7.0 has two encodings: an
/// <see cref="IntSet"/> while every member is an integer and there are at most set-max-intset-entries of them, else a
/// hash table. We keep the hash table's small cases in a <see cref="SetPack"/> (up to 128 members of up to 64 bytes;
/// it reports "hashtable" too) and the rest in a <see cref="ByteTable"/> (no values). Conversion is one way (intset,
/// pack, table), as in Redis. Members are addressable by a dense index 0..Count-1 in every encoding, which makes
/// random picks (SRANDMEMBER, SPOP) O(1).
/// </summary>
/// <remarks>
/// The intset or the pack lives in the entry's array right after the key, so a small set key is this object and one
/// array (docs/benchmarks.md, Memory per element). Its first byte tells which: the intset's width byte (2, 4 or 8),
/// or <see cref="PackTag"/> before a pack. Once the set is a table, the array holds just the key.
/// </remarks>
internal sealed class SetValue : Keyspace.Entry, Keyspace.ITypedValue, Diagnostics.IDigestible
{
    /// <summary>Room for a formatted long (what <see cref="MemberAt"/> needs as scratch).</summary>
    public const int ScratchSize = 20;

    /// <summary>The first byte after the key when a <see cref="SetPack"/> follows (an intset's width byte is never 0).</summary>
    private const byte PackTag = 0;

    /// <summary>The table once the encoding is hashtable (beyond the pack's limits); null while the encoding is after the key.</summary>
    private ByteTable? _table;

    /// <summary>A detached set over <paramref name="bytes"/>: an empty key's header byte, then the intset or the tagged pack.</summary>
    private SetValue(byte[] bytes)
        : base(bytes)
    {
    }

    private SetValue(ByteTable table)
        : base(DetachedKey)
    {
        _table = table;
    }

    private bool IsInts => _table == null && Bytes[AfterKeyStart] != PackTag;

    private bool IsPackRep => _table == null && Bytes[AfterKeyStart] == PackTag;

    /// <summary>A view of the intset (valid while that is the encoding and until the set changes).</summary>
    private IntSet IntView => new(Bytes, AfterKeyStart);

    /// <summary>An empty set in the encoding Redis would pick for its first member (setTypeCreate).</summary>
    public static SetValue CreateFor(ReadOnlySpan<byte> firstMember) =>
        CommandContext.TryParseLong(firstMember, out _) ? CreateIntSet() : CreateTable();

    public static SetValue CreateIntSet() => new(EmptyIntSet);

    /// <summary>An empty set in Redis's hashtable encoding (compact while it fits, so sized by the caller's count).</summary>
    public static SetValue CreateTable(int capacity = 4) =>
        capacity <= SetPack.MaxEntries ? new(EmptyPack) : new(new ByteTable(withValues: false, capacity));

    /// <summary>
    /// New sets' arrays (an empty key, then an empty intset or the tag and an empty pack). Shared and never written:
    /// a change to an empty encoding allocates (it has no room), and attaching a key copies.
    /// </summary>
    private static readonly byte[] EmptyIntSet = NewEmptyIntSet();

    private static readonly byte[] EmptyPack = DetachedArray(1 + SetPack.EmptySize);

    private static byte[] NewEmptyIntSet()
    {
        byte[] bytes = DetachedArray(IntSet.EmptySize);
        IntSet.WriteEmpty(bytes.AsSpan(1));
        return bytes;
    }

    internal override void PrefetchMember(uint memberHash, int stage) => _table?.PrefetchStage(memberHash, stage);

    public int Count
    {
        get
        {
            if (_table is { } table)
            {
                return table.Count;
            }
            int at = AfterKeyStart;
            return Bytes[at] == PackTag ? SetPack.Count(Bytes, at + 1) : new IntSet(Bytes, at).Count;
        }
    }

    /// <summary>A copy sharing nothing mutable (COPY).</summary>
    public SetValue Clone()
    {
        if (_table is { } table)
        {
            return new(table.Clone());
        }
        int at = AfterKeyStart;
        // A pack is copied with its tag byte (it follows the tag); an intset is all of the array after the key.
        int length = Bytes[at] == PackTag ? 1 + SetPack.Used(Bytes, at + 1).Length : Bytes.Length - at;
        return new(DetachedCopy(Bytes.AsSpan(at, length)));
    }

    Keyspace.ITypedValue Keyspace.ITypedValue.Clone() => Clone();

    public Keyspace.KeyType Type => Keyspace.KeyType.Set;

    /// <summary>What OBJECT ENCODING reports.</summary>
    public string Encoding => EncodingName;

    /// <summary>Redis's OBJ_SET.</summary>
    public int RedisTypeCode => 2;

    /// <summary>As Redis: each member's digest is xored in (order does not matter).</summary>
    public void AddToDigest(Diagnostics.DigestState digest)
    {
        Span<byte> scratch = stackalloc byte[ScratchSize];
        for (int i = 0; i < Count; i++)
        {
            digest.Xor(MemberAt(i, scratch));
        }
    }

    public bool IsIntSet => IsInts;

    /// <summary>Whether the members are in a <see cref="SetPack"/> (tests; OBJECT ENCODING says "hashtable").</summary>
    internal bool IsPack => IsPackRep;

    /// <summary>OBJECT ENCODING's name for the current encoding.</summary>
    public string EncodingName => IsInts ? "intset" : "hashtable";

    /// <summary>The intset, when that is the encoding (RDB writes it as Redis's intset blob).</summary>
    internal IntSet? Ints => IsInts ? IntView : null;

    /// <summary>The hash table, when that is the encoding (for SSCAN's cursor); null for an intset or a pack.</summary>
    internal ByteTable? Table => _table;

    /// <summary>
    /// One SSCAN step over Redis's hashtable encoding: visits one bucket and returns the next cursor (0 when done).
    /// A pack stands in for the hash table Redis would have for its member count (a power of two, at least 4): a
    /// member is in the bucket its hash selects, and the cursor runs in reverse-binary order, so paging (a non-zero
    /// cursor under a small COUNT) and the guarantees across growth and shrinkage are those of a real table.
    /// </summary>
    public ulong ScanStep(ulong cursor, List<int> output)
    {
        if (_table is { } table)
        {
            return table.Scan(cursor, output);
        }
        byte[] pack = Bytes;
        int start = AfterKeyStart + 1;
        int count = SetPack.Count(pack, start);
        if (count == 0)
        {
            return 0;
        }
        ulong mask = (ulong)Math.Max(4, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count)) - 1;
        for (int i = 0; i < count; i++)
        {
            if ((Keyspace.KeyHash.Of(SetPack.MemberAt(pack, start, i)) & mask) == (cursor & mask))
            {
                output.Add(i);
            }
        }
        ulong v = cursor | ~mask;
        v = ByteTable.ReverseBits(ByteTable.ReverseBits(v) + 1);
        return v;
    }

    public bool Contains(ReadOnlySpan<byte> member)
    {
        if (_table is { } table)
        {
            return table.Find(member) >= 0;
        }
        int at = AfterKeyStart;
        return Bytes[at] == PackTag ? SetPack.IndexOf(Bytes, at + 1, member) >= 0 :
            CommandContext.TryParseLong(member, out long v) && new IntSet(Bytes, at).Contains(v);
    }

    /// <summary>Adds a member; converts to a hash table when it is not an integer or the intset grows past <paramref name="maxIntsetEntries"/>.</summary>
    public bool Add(ReadOnlySpan<byte> member, int maxIntsetEntries)
    {
        bool added;
        if (_table is { } table)
        {
            table.Add(member, out added);
            return added;
        }
        int at = AfterKeyStart;
        if (Bytes[at] != PackTag)
        {
            var ints = new IntSet(Bytes, at);
            if (CommandContext.TryParseLong(member, out long v))
            {
                if (!ints.Add(v))
                {
                    return false;
                }
                Bytes = ints.Data;
                if (ints.Count > maxIntsetEntries)
                {
                    ConvertFromInts(ints.Count, 0);
                }
                return true;
            }
            ConvertFromInts(ints.Count + 1, member.Length);
            if (_table != null)
            {
                _table.Add(member, out added);
                return added;
            }
        }
        byte[] pack = Bytes;
        int start = at + 1;
        if (SetPack.IndexOf(pack, start, member) >= 0)
        {
            return false;
        }
        if (SetPack.Fits(SetPack.Count(pack, start) + 1, member.Length))
        {
            Bytes = SetPack.Add(pack, start, member);
            return true;
        }
        ConvertPackToTable();
        _table!.Add(member, out added);
        return added;
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_table is { } table)
        {
            return table.Remove(member);
        }
        int at = AfterKeyStart;
        if (Bytes[at] == PackTag)
        {
            int index = SetPack.IndexOf(Bytes, at + 1, member);
            if (index < 0)
            {
                return false;
            }
            SetPack.RemoveAt(Bytes, at + 1, index);
            return true;
        }
        var ints = new IntSet(Bytes, at);
        if (!CommandContext.TryParseLong(member, out long v) || !ints.Remove(v))
        {
            return false;
        }
        Bytes = ints.Data;
        return true;
    }

    /// <summary>
    /// The member at a dense index. For an intset the text is formatted into <paramref name="scratch"/>
    /// (at least <see cref="ScratchSize"/> bytes); the span is valid until the set or the scratch changes.
    /// </summary>
    public ReadOnlySpan<byte> MemberAt(int index, Span<byte> scratch)
    {
        if (_table is { } table)
        {
            return table.MemberAt(index);
        }
        int at = AfterKeyStart;
        if (Bytes[at] == PackTag)
        {
            return SetPack.MemberAt(Bytes, at + 1, index);
        }
        Utf8Formatter.TryFormat(new IntSet(Bytes, at)[index], scratch, out int n);
        return scratch[..n];
    }

    /// <summary>
    /// Removes the member at a dense index. In a hash table the last member moves into the hole; in an intset or a
    /// pack the later members move down one index.
    /// </summary>
    public void RemoveAt(int index)
    {
        if (_table is { } table)
        {
            table.RemoveAt(index);
            return;
        }
        int at = AfterKeyStart;
        if (Bytes[at] == PackTag)
        {
            SetPack.RemoveAt(Bytes, at + 1, index);
        }
        else
        {
            var ints = new IntSet(Bytes, at);
            ints.RemoveAt(index);
            Bytes = ints.Data;
        }
    }

    /// <summary>
    /// Leaves the intset for Redis's hashtable encoding: a pack when <paramref name="count"/> members fit (formatted
    /// integers are at most 20 bytes; <paramref name="longestNew"/> is the member about to be added), else a table.
    /// </summary>
    private void ConvertFromInts(int count, int longestNew)
    {
        Span<byte> scratch = stackalloc byte[ScratchSize];
        IntSet ints = IntView;
        int at = AfterKeyStart;
        if (SetPack.Fits(count, Math.Max(longestNew, ScratchSize)))
        {
            // The key stays, the tag and an empty pack follow it, then the members go in one by one.
            byte[] pack = new byte[at + 1 + SetPack.EmptySize];
            Bytes.AsSpan(0, at).CopyTo(pack);
            pack[at] = PackTag;
            for (int i = 0; i < ints.Count; i++)
            {
                Utf8Formatter.TryFormat(ints[i], scratch, out int n);
                pack = SetPack.Add(pack, at + 1, scratch[..n]);
            }
            Bytes = pack;
        }
        else
        {
            var table = new ByteTable(withValues: false, count);
            for (int i = 0; i < ints.Count; i++)
            {
                Utf8Formatter.TryFormat(ints[i], scratch, out int n);
                table.AddNew(scratch[..n]);
            }
            _table = table;
            DropAfterKey();
        }
    }

    private void ConvertPackToTable()
    {
        byte[] pack = Bytes;
        int start = AfterKeyStart + 1;
        int count = SetPack.Count(pack, start);
        var table = new ByteTable(withValues: false, count + 1);
        for (int i = 0; i < count; i++)
        {
            table.AddNew(SetPack.MemberAt(pack, start, i));
        }
        _table = table;
        DropAfterKey();
    }
}
