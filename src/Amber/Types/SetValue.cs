using System.Buffers.Text;
using Amber.Commands;

namespace Amber.Types;

/// <summary>
/// A Redis set. Redis 7.0 has two encodings: an <see cref="IntSet"/> while every member is an integer and there
/// are at most set-max-intset-entries of them, else a hash table. We keep the hash table's small cases in a
/// <see cref="SetPack"/> (up to 128 members of up to 64 bytes; it reports "hashtable" too) and the rest in a
/// <see cref="ByteTable"/> (no values). Conversion is one way (intset, pack, table), as in Redis. Members are
/// addressable by a dense index 0..Count-1 in every encoding, which makes random picks (SRANDMEMBER, SPOP) O(1).
/// </summary>
internal sealed class SetValue : Keyspace.Entry, Keyspace.ITypedValue, Diagnostics.IDigestible
{
    /// <summary>Room for a formatted long (what <see cref="MemberAt"/> needs as scratch).</summary>
    public const int ScratchSize = 20;

    /// <summary>
    /// The <see cref="IntSet"/> array (short[], int[] or long[]), the <see cref="SetPack"/> byte[] or the
    /// <see cref="ByteTable"/>: one field keeps the object at 24 bytes (millions of small sets, docs/benchmarks.md).
    /// </summary>
    private object _rep;

    private SetValue(object rep)
        : base(DetachedKey)
    {
        _rep = rep;
    }

    /// <remarks>
    /// The encoding is tested by exact type (<c>is ByteTable</c>, a sealed class, and <see cref="IsPackRep"/>): patterns
    /// like <c>is byte[]</c> call the runtime's array cast helper, which measured ~20 ns each on the SADD path.
    /// </remarks>
    private bool IsInts => _rep is not ByteTable && !IsPackRep;

    private bool IsPackRep => _rep.GetType() == typeof(byte[]);

    private byte[] PackRep => System.Runtime.CompilerServices.Unsafe.As<byte[]>(_rep);

    /// <summary>A view of the intset (valid while that is the encoding and until the set changes).</summary>
    private IntSet IntView => new((Array)_rep);

    /// <summary>An empty set in the encoding Redis would pick for its first member (setTypeCreate).</summary>
    public static SetValue CreateFor(ReadOnlySpan<byte> firstMember) =>
        CommandContext.TryParseLong(firstMember, out _) ? CreateIntSet() : CreateTable();

    public static SetValue CreateIntSet() => new(IntSet.Empty);

    /// <summary>An empty set in Redis's hashtable encoding (compact while it fits, so sized by the caller's count).</summary>
    public static SetValue CreateTable(int capacity = 4) =>
        capacity <= SetPack.MaxEntries ? new(SetPack.Empty) : new(new ByteTable(withValues: false, capacity));

    public int Count => _rep is ByteTable table ? table.Count : IsPackRep ? SetPack.Count(PackRep) : ((Array)_rep).Length;

    /// <summary>A copy sharing nothing mutable (COPY).</summary>
    public SetValue Clone() => _rep is ByteTable table ? new(table.Clone()) : IsPackRep ? new(SetPack.Copy(PackRep)) : new(IntView.Clone().Data);

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
    internal ByteTable? Table => _rep as ByteTable;

    /// <summary>
    /// One SSCAN step over Redis's hashtable encoding: visits one bucket and returns the next cursor (0 when done).
    /// A pack stands in for the hash table Redis would have for its member count (a power of two, at least 4): a
    /// member is in the bucket its hash selects, and the cursor runs in reverse-binary order, so paging (a non-zero
    /// cursor under a small COUNT) and the guarantees across growth and shrinkage are those of a real table.
    /// </summary>
    public ulong ScanStep(ulong cursor, List<int> output)
    {
        if (_rep is ByteTable table)
        {
            return table.Scan(cursor, output);
        }
        byte[] pack = PackRep;
        int count = SetPack.Count(pack);
        if (count == 0)
        {
            return 0;
        }
        ulong mask = (ulong)Math.Max(4, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count)) - 1;
        for (int i = 0; i < count; i++)
        {
            if ((Keyspace.KeyHash.Of(SetPack.MemberAt(pack, i)) & mask) == (cursor & mask))
            {
                output.Add(i);
            }
        }
        ulong v = cursor | ~mask;
        v = ByteTable.ReverseBits(ByteTable.ReverseBits(v) + 1);
        return v;
    }

    public bool Contains(ReadOnlySpan<byte> member) =>
        _rep is ByteTable table ? table.Find(member) >= 0 :
        IsPackRep ? SetPack.IndexOf(PackRep, member) >= 0 :
        CommandContext.TryParseLong(member, out long v) && IntView.Contains(v);

    /// <summary>Adds a member; converts to a hash table when it is not an integer or the intset grows past <paramref name="maxIntsetEntries"/>.</summary>
    public bool Add(ReadOnlySpan<byte> member, int maxIntsetEntries)
    {
        if (IsInts)
        {
            IntSet ints = IntView;
            if (CommandContext.TryParseLong(member, out long v))
            {
                if (!ints.Add(v))
                {
                    return false;
                }
                _rep = ints.Data;
                if (ints.Count > maxIntsetEntries)
                {
                    ConvertFromInts(ints.Count, 0);
                }
                return true;
            }
            ConvertFromInts(ints.Count + 1, member.Length);
        }
        if (_rep is not ByteTable)
        {
            byte[] pack = PackRep;
            if (SetPack.IndexOf(pack, member) >= 0)
            {
                return false;
            }
            if (SetPack.Fits(SetPack.Count(pack) + 1, member.Length))
            {
                _rep = SetPack.Add(pack, member);
                return true;
            }
            ConvertPackToTable(pack);
        }
        ((ByteTable)_rep).Add(member, out bool added);
        return added;
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_rep is ByteTable table)
        {
            return table.Remove(member);
        }
        if (IsPackRep)
        {
            int index = SetPack.IndexOf(PackRep, member);
            if (index < 0)
            {
                return false;
            }
            SetPack.RemoveAt(PackRep, index);
            return true;
        }
        IntSet ints = IntView;
        if (!CommandContext.TryParseLong(member, out long v) || !ints.Remove(v))
        {
            return false;
        }
        _rep = ints.Data;
        return true;
    }

    /// <summary>
    /// The member at a dense index. For an intset the text is formatted into <paramref name="scratch"/>
    /// (at least <see cref="ScratchSize"/> bytes); the span is valid until the set or the scratch changes.
    /// </summary>
    public ReadOnlySpan<byte> MemberAt(int index, Span<byte> scratch)
    {
        if (_rep is ByteTable table)
        {
            return table.MemberAt(index);
        }
        if (IsPackRep)
        {
            return SetPack.MemberAt(PackRep, index);
        }
        Utf8Formatter.TryFormat(IntView[index], scratch, out int n);
        return scratch[..n];
    }

    /// <summary>
    /// Removes the member at a dense index. In a hash table the last member moves into the hole; in an intset or a
    /// pack the later members move down one index.
    /// </summary>
    public void RemoveAt(int index)
    {
        if (_rep is ByteTable table)
        {
            table.RemoveAt(index);
        }
        else if (IsPackRep)
        {
            SetPack.RemoveAt(PackRep, index);
        }
        else
        {
            IntSet ints = IntView;
            ints.RemoveAt(index);
            _rep = ints.Data;
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
        if (SetPack.Fits(count, Math.Max(longestNew, ScratchSize)))
        {
            byte[] pack = SetPack.Empty;
            for (int i = 0; i < ints.Count; i++)
            {
                Utf8Formatter.TryFormat(ints[i], scratch, out int n);
                pack = SetPack.Add(pack, scratch[..n]);
            }
            _rep = pack;
        }
        else
        {
            var table = new ByteTable(withValues: false, count);
            for (int i = 0; i < ints.Count; i++)
            {
                Utf8Formatter.TryFormat(ints[i], scratch, out int n);
                table.AddNew(scratch[..n]);
            }
            _rep = table;
        }
    }

    private void ConvertPackToTable(byte[] pack)
    {
        int count = SetPack.Count(pack);
        var table = new ByteTable(withValues: false, count + 1);
        for (int i = 0; i < count; i++)
        {
            table.AddNew(SetPack.MemberAt(pack, i));
        }
        _rep = table;
    }
}
