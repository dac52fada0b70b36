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
internal sealed class SetValue : Keyspace.ITypedValue, Diagnostics.IDigestible
{
    /// <summary>Room for a formatted long (what <see cref="MemberAt"/> needs as scratch).</summary>
    public const int ScratchSize = 20;

    /// <summary>The members while the encoding is intset (<see cref="_other"/> is null); default after conversion.</summary>
    private IntSet _ints;

    /// <summary>Null while intset, else the <see cref="SetPack"/> byte[] or the <see cref="ByteTable"/> (one field: the object stays 40 bytes).</summary>
    private object? _other;

    private SetValue(IntSet ints, object? other)
    {
        _ints = ints;
        _other = other;
    }


    /// <summary>An empty set in the encoding Redis would pick for its first member (setTypeCreate).</summary>
    public static SetValue CreateFor(ReadOnlySpan<byte> firstMember) =>
        CommandContext.TryParseLong(firstMember, out _) ? CreateIntSet() : CreateTable();

    public static SetValue CreateIntSet() => new(new IntSet(), null);

    /// <summary>An empty set in Redis's hashtable encoding (compact while it fits, so sized by the caller's count).</summary>
    public static SetValue CreateTable(int capacity = 4) =>
        capacity <= SetPack.MaxEntries ? new(default, SetPack.Empty) : new(default, new ByteTable(withValues: false, capacity));

    public int Count => _other switch
    {
        null => _ints.Count,
        byte[] pack => SetPack.Count(pack),
        _ => ((ByteTable)_other).Count,
    };

    /// <summary>A copy sharing nothing mutable (COPY).</summary>
    public SetValue Clone() => _other switch
    {
        null => new(_ints.Clone(), null),
        byte[] pack => new(default, SetPack.Copy(pack)),
        _ => new(default, ((ByteTable)_other).Clone()),
    };

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

    public bool IsIntSet => _other == null;

    /// <summary>Whether the members are in a <see cref="SetPack"/> (tests; OBJECT ENCODING says "hashtable").</summary>
    internal bool IsPack => _other is byte[];

    /// <summary>OBJECT ENCODING's name for the current encoding.</summary>
    public string EncodingName => _other == null ? "intset" : "hashtable";

    /// <summary>The intset, when that is the encoding (RDB writes it as Redis's intset blob).</summary>
    internal IntSet? Ints => _other == null ? _ints : null;

    /// <summary>The hash table, when that is the encoding (for SSCAN's cursor); null for an intset or a pack.</summary>
    internal ByteTable? Table => _other as ByteTable;

    /// <summary>
    /// One SSCAN step over Redis's hashtable encoding: visits one bucket and returns the next cursor (0 when done).
    /// A pack stands in for the hash table Redis would have for its member count (a power of two, at least 4): a
    /// member is in the bucket its hash selects, and the cursor runs in reverse-binary order, so paging (a non-zero
    /// cursor under a small COUNT) and the guarantees across growth and shrinkage are those of a real table.
    /// </summary>
    public ulong ScanStep(ulong cursor, List<int> output)
    {
        if (_other is ByteTable table)
        {
            return table.Scan(cursor, output);
        }
        byte[] pack = (byte[])_other!;
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

    public bool Contains(ReadOnlySpan<byte> member) => _other switch
    {
        null => CommandContext.TryParseLong(member, out long v) && _ints.Contains(v),
        byte[] pack => SetPack.IndexOf(pack, member) >= 0,
        _ => ((ByteTable)_other).Find(member) >= 0,
    };

    /// <summary>Adds a member; converts to a hash table when it is not an integer or the intset grows past <paramref name="maxIntsetEntries"/>.</summary>
    public bool Add(ReadOnlySpan<byte> member, int maxIntsetEntries)
    {
        if (_other == null)
        {
            if (CommandContext.TryParseLong(member, out long v))
            {
                if (!_ints.Add(v))
                {
                    return false;
                }
                if (_ints.Count > maxIntsetEntries)
                {
                    ConvertFromInts(_ints.Count, 0);
                }
                return true;
            }
            ConvertFromInts(_ints.Count + 1, member.Length);
        }
        if (_other is byte[] pack)
        {
            if (SetPack.IndexOf(pack, member) >= 0)
            {
                return false;
            }
            if (SetPack.Fits(SetPack.Count(pack) + 1, member.Length))
            {
                _other = SetPack.Add(pack, member);
                return true;
            }
            ConvertPackToTable(pack);
        }
        ((ByteTable)_other!).Add(member, out bool added);
        return added;
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        switch (_other)
        {
            case null:
                return CommandContext.TryParseLong(member, out long v) && _ints.Remove(v);
            case byte[] pack:
                int index = SetPack.IndexOf(pack, member);
                if (index < 0)
                {
                    return false;
                }
                SetPack.RemoveAt(pack, index);
                return true;
            default:
                return ((ByteTable)_other).Remove(member);
        }
    }

    /// <summary>
    /// The member at a dense index. For an intset the text is formatted into <paramref name="scratch"/>
    /// (at least <see cref="ScratchSize"/> bytes); the span is valid until the set or the scratch changes.
    /// </summary>
    public ReadOnlySpan<byte> MemberAt(int index, Span<byte> scratch)
    {
        switch (_other)
        {
            case null:
                Utf8Formatter.TryFormat(_ints[index], scratch, out int n);
                return scratch[..n];
            case byte[] pack:
                return SetPack.MemberAt(pack, index);
            default:
                return ((ByteTable)_other).KeyAt(index);
        }
    }

    /// <summary>
    /// Removes the member at a dense index. In a hash table the last member moves into the hole; in an intset or a
    /// pack the later members move down one index.
    /// </summary>
    public void RemoveAt(int index)
    {
        switch (_other)
        {
            case null:
                _ints.RemoveAt(index);
                break;
            case byte[] pack:
                SetPack.RemoveAt(pack, index);
                break;
            default:
                ((ByteTable)_other).RemoveAt(index);
                break;
        }
    }

    /// <summary>
    /// Leaves the intset for Redis's hashtable encoding: a pack when <paramref name="count"/> members fit (formatted
    /// integers are at most 20 bytes; <paramref name="longestNew"/> is the member about to be added), else a table.
    /// </summary>
    private void ConvertFromInts(int count, int longestNew)
    {
        Span<byte> scratch = stackalloc byte[ScratchSize];
        IntSet ints = _ints;
        if (SetPack.Fits(count, Math.Max(longestNew, ScratchSize)))
        {
            byte[] pack = SetPack.Empty;
            for (int i = 0; i < ints.Count; i++)
            {
                Utf8Formatter.TryFormat(ints[i], scratch, out int n);
                pack = SetPack.Add(pack, scratch[..n]);
            }
            _other = pack;
        }
        else
        {
            var table = new ByteTable(withValues: false, count);
            for (int i = 0; i < ints.Count; i++)
            {
                Utf8Formatter.TryFormat(ints[i], scratch, out int n);
                table.AddNew(scratch[..n]);
            }
            _other = table;
        }
        _ints = default;
    }

    private void ConvertPackToTable(byte[] pack)
    {
        int count = SetPack.Count(pack);
        var table = new ByteTable(withValues: false, count + 1);
        for (int i = 0; i < count; i++)
        {
            table.AddNew(SetPack.MemberAt(pack, i));
        }
        _other = table;
    }
}
