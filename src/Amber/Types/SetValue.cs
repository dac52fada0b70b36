using System.Buffers.Text;
using Amber.Commands;

namespace Amber.Types;

/// <summary>
/// A Redis set. Redis 7.0 has two encodings and so do we: an <see cref="IntSet"/> while every member is an
/// integer and there are at most set-max-intset-entries of them, else a <see cref="ByteTable"/> (no values).
/// Conversion is one way, as in Redis. Members are addressable by a dense index 0..Count-1 in both encodings,
/// which makes random picks (SRANDMEMBER, SPOP) O(1).
/// </summary>
internal sealed class SetValue : Keyspace.ITypedValue, Diagnostics.IDigestible
{
    /// <summary>Room for a formatted long (what <see cref="MemberAt"/> needs as scratch).</summary>
    public const int ScratchSize = 20;

    /// <summary>The members while the encoding is intset (<see cref="_table"/> is null); default after conversion.</summary>
    private IntSet _ints;
    private ByteTable? _table;

    private SetValue(IntSet ints, ByteTable? table)
    {
        _ints = ints;
        _table = table;
    }

    /// <summary>An empty set in the encoding Redis would pick for its first member (setTypeCreate).</summary>
    public static SetValue CreateFor(ReadOnlySpan<byte> firstMember) =>
        CommandContext.TryParseLong(firstMember, out _) ? CreateIntSet() : CreateTable();

    public static SetValue CreateIntSet() => new(new IntSet(), null);

    public static SetValue CreateTable(int capacity = 4) => new(default, new ByteTable(withValues: false, capacity));

    public int Count => _table == null ? _ints.Count : _table.Count;

    /// <summary>A copy sharing nothing mutable (COPY).</summary>
    public SetValue Clone() => _table == null ? new(_ints.Clone(), null) : new(default, _table.Clone());

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

    public bool IsIntSet => _table == null;

    /// <summary>OBJECT ENCODING's name for the current encoding.</summary>
    public string EncodingName => _table == null ? "intset" : "hashtable";

    /// <summary>The intset, when that is the encoding (RDB writes it as Redis's intset blob).</summary>
    internal IntSet? Ints => _table == null ? _ints : null;

    /// <summary>The hash table, when that is the encoding (for SSCAN's cursor).</summary>
    internal ByteTable? Table => _table;

    public bool Contains(ReadOnlySpan<byte> member)
    {
        if (_table == null)
        {
            return CommandContext.TryParseLong(member, out long v) && _ints.Contains(v);
        }
        return _table!.Find(member) >= 0;
    }

    /// <summary>Adds a member; converts to a hash table when it is not an integer or the intset grows past <paramref name="maxIntsetEntries"/>.</summary>
    public bool Add(ReadOnlySpan<byte> member, int maxIntsetEntries)
    {
        if (_table == null)
        {
            if (CommandContext.TryParseLong(member, out long v))
            {
                if (!_ints.Add(v))
                {
                    return false;
                }
                if (_ints.Count > maxIntsetEntries)
                {
                    ConvertToTable(_ints.Count);
                }
                return true;
            }
            ConvertToTable(_ints.Count + 1);
        }
        _table!.Add(member, out bool added);
        return added;
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_table == null)
        {
            return CommandContext.TryParseLong(member, out long v) && _ints.Remove(v);
        }
        return _table!.Remove(member);
    }

    /// <summary>
    /// The member at a dense index. For an intset the text is formatted into <paramref name="scratch"/>
    /// (at least <see cref="ScratchSize"/> bytes); the span is valid until the set or the scratch changes.
    /// </summary>
    public ReadOnlySpan<byte> MemberAt(int index, Span<byte> scratch)
    {
        if (_table == null)
        {
            Utf8Formatter.TryFormat(_ints[index], scratch, out int n);
            return scratch[..n];
        }
        return _table!.KeyAt(index);
    }

    /// <summary>Removes the member at a dense index. In a hash table the last member moves into the hole.</summary>
    public void RemoveAt(int index)
    {
        if (_table == null)
        {
            _ints.RemoveAt(index);
        }
        else
        {
            _table!.RemoveAt(index);
        }
    }

    private void ConvertToTable(int capacity)
    {
        var table = new ByteTable(withValues: false, capacity);
        Span<byte> scratch = stackalloc byte[ScratchSize];
        IntSet ints = _ints;
        for (int i = 0; i < ints.Count; i++)
        {
            Utf8Formatter.TryFormat(ints[i], scratch, out int n);
            table.AddNew(scratch[..n].ToArray());
        }
        _table = table;
        _ints = default;
    }
}
