using System.Buffers;

namespace Amber.Types;

/// <summary>
/// A Redis hash, and the entry of the key holding it (<see cref="Keyspace.Entry"/>). Small hashes are a
/// <see cref="ListPack"/> of field, value, field, value ... (insertion order) kept in the entry's array right after
/// the key, so a small hash key is this object and one array (docs/benchmarks.md, Memory per element); a hash grows
/// into a <see cref="ByteTable"/> once it has more than hash-max-listpack-entries fields or a field or value longer
/// than hash-max-listpack-value bytes, and never converts back (as Redis); the array then holds just the key.
/// </summary>
internal sealed class HashValue : Keyspace.Entry, Keyspace.ITypedValue, Diagnostics.IDigestible
{
    /// <summary>The table once the encoding is hashtable; null while the listpack after the key is the encoding.</summary>
    private ByteTable? _table;

    /// <summary>
    /// A new hash's array: an empty key and an empty pack. Shared and never written: a change to an empty pack
    /// allocates (it has no room), and attaching a key copies.
    /// </summary>
    private static readonly byte[] EmptyDetached = DetachedArray(ListPack.EmptySize);

    public HashValue()
        : base(EmptyDetached)
    {
    }

    private HashValue(ByteTable table)
        : base(DetachedKey)
    {
        _table = table;
    }

    /// <summary>A detached hash over <paramref name="bytes"/>: an empty key's header byte, then the listpack.</summary>
    private HashValue(byte[] bytes)
        : base(bytes)
    {
    }

    /// <summary>Room for a detached listpack hash's key header before a pack built with <see cref="FromListPack"/>.</summary>
    internal const int PackPrefix = 1;

    /// <summary>
    /// A listpack-encoded hash over <paramref name="pack"/> (field, value, ...; no field twice), which it takes over:
    /// a pack built with <c>new ListPack(capacity, HashValue.PackPrefix)</c>, so its array is already laid out as a
    /// detached entry's (an empty key, then the pack).
    /// </summary>
    internal static HashValue FromListPack(ListPack pack)
    {
        byte[] data = pack.Data;
        System.Diagnostics.Debug.Assert(data[0] == 0, "the pack starts after an empty key's header");
        return new(data);
    }

    /// <summary>A copy sharing nothing mutable (COPY).</summary>
    public HashValue Clone()
    {
        if (_table != null)
        {
            return new(_table.Clone());
        }
        return new(DetachedCopy(Bytes.AsSpan(AfterKeyStart)));
    }

    /// <summary>A view of the listpack (valid while the encoding is listpack and until the hash changes).</summary>
    private ListPack Pack => new(Bytes, AfterKeyStart);

    Keyspace.ITypedValue Keyspace.ITypedValue.Clone() => Clone();

    public Keyspace.KeyType Type => Keyspace.KeyType.Hash;

    /// <summary>What OBJECT ENCODING reports.</summary>
    public string Encoding => EncodingName;

    /// <summary>Redis's OBJ_HASH.</summary>
    public int RedisTypeCode => 4;

    /// <summary>As Redis: every field/value pair's mixed digest is xored in, so field order does not matter.</summary>
    public void AddToDigest(Diagnostics.DigestState digest)
    {
        PairEnumerator e = GetEnumerator();
        while (e.MoveNext())
        {
            digest.XorPair(e.Field, e.Value);
        }
    }

    internal override void PrefetchMember(uint memberHash, int stage) => _table?.PrefetchStage(memberHash, stage);

    public int Count => _table is { } table ? table.Count : Pack.Count / 2;

    public bool IsListPack => _table == null;

    /// <summary>OBJECT ENCODING's name for the current encoding.</summary>
    public string EncodingName => _table != null ? "hashtable" : "listpack";

    /// <summary>The hash table, when that is the encoding (for HSCAN's cursor).</summary>
    internal ByteTable? Table => _table;

    /// <summary>Looks a field up; the value span is valid until the hash changes.</summary>
    public bool TryGet(ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value)
    {
        if (_table is { } table)
        {
            int i = table.Find(field);
            value = i < 0 ? default : table.ValueAt(i);
            return i >= 0;
        }
        ListPack pack = Pack;
        int at = pack.Find(field, 2);
        value = at < 0 ? default : pack.Read(pack.Next(at));
        return at >= 0;
    }

    public bool Contains(ReadOnlySpan<byte> field) => _table is { } table ? table.Find(field) >= 0 : Pack.Find(field, 2) >= 0;

    /// <summary>Sets a field (both spans copied); returns true when the field is new.</summary>
    public bool Set(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, int maxEntries, int maxValueLength)
    {
        if (_table == null && (field.Length > maxValueLength || value.Length > maxValueLength))
        {
            ConvertToTable();
        }
        if (_table is { } table)
        {
            return table.Set(field, value);
        }
        ListPack pack = Pack;
        bool added = SetInPack(ref pack, field, value);
        Bytes = pack.Data;
        if (added && pack.Count / 2 > maxEntries)
        {
            ConvertToTable();
        }
        return added;
    }

    /// <summary>Sets a field of a listpack: its value replaced, or the pair appended (then true).</summary>
    private static bool SetInPack(ref ListPack pack, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        int at = pack.Find(field, 2);
        if (at >= 0)
        {
            pack.Replace(pack.Next(at), value);
            return false;
        }
        pack.Append(field, value);
        return true;
    }

    /// <summary>
    /// Sets every pair of <paramref name="pairs"/> in order, as <see cref="Set"/> does one by one; returns how many
    /// fields were new. A listpack grows once for the whole batch instead of once per field (a plain AOF's HMSETs of
    /// 64 pairs each rebuilt the array 64 times: ~1.3 GB of garbage to load 10,000 hashes of 100 fields).
    /// </summary>
    public long SetPairs<TPairs>(in TPairs pairs, int maxEntries, int maxValueLength)
        where TPairs : struct, IFieldValuePairs
    {
        int count = pairs.Count;
        int i = 0;
        long added = 0;
        if (_table == null && count > 1)
        {
            int bytes = 0;
            for (int j = 0; j < count; j++)
            {
                bytes += ListPack.EntrySize(pairs.Field(j).Length) + ListPack.EntrySize(pairs.Value(j).Length);
            }
            ListPack pack = Pack;
            pack.Reserve(bytes);
            for (; i < count; i++)
            {
                ReadOnlySpan<byte> field = pairs.Field(i), value = pairs.Value(i);
                if (field.Length > maxValueLength || value.Length > maxValueLength)
                {
                    break;
                }
                if (!SetInPack(ref pack, field, value))
                {
                    continue;
                }
                added++;
                if (pack.Count / 2 > maxEntries)
                {
                    i++;
                    break;
                }
            }
            Bytes = pack.Data;
            if (i < count || pack.Count / 2 > maxEntries)
            {
                ConvertToTable();
            }
        }
        for (; i < count; i++)
        {
            added += Set(pairs.Field(i), pairs.Value(i), maxEntries, maxValueLength) ? 1 : 0;
        }
        return added;
    }

    public bool Delete(ReadOnlySpan<byte> field)
    {
        if (_table is { } table)
        {
            return table.Remove(field);
        }
        ListPack pack = Pack;
        int at = pack.Find(field, 2);
        if (at < 0)
        {
            return false;
        }
        pack.Remove(at, 2);
        Bytes = pack.Data;
        return true;
    }

    /// <summary>Iterates every field and value (insertion order for a listpack).</summary>
    public PairEnumerator GetEnumerator() => new(this);

    /// <summary>
    /// Prepares O(1) access by dense index for random picks: a listpack gets a rented array of field offsets
    /// (give it back with <see cref="ReturnIndex"/>); a hash table needs none and gets null.
    /// </summary>
    public int[]? RentIndex()
    {
        if (_table != null)
        {
            return null;
        }
        ListPack pack = Pack;
        int[] offsets = ArrayPool<int>.Shared.Rent(Math.Max(1, Count));
        int n = 0;
        for (int at = pack.First; at >= 0; at = pack.Next(pack.Next(at)))
        {
            offsets[n++] = at;
        }
        return offsets;
    }

    public static void ReturnIndex(int[]? index)
    {
        if (index != null)
        {
            ArrayPool<int>.Shared.Return(index);
        }
    }

    /// <summary>The pair at a dense index, using the index from <see cref="RentIndex"/>.</summary>
    public void GetPair(int index, int[]? offsets, out ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value)
    {
        if (_table is { } table)
        {
            field = table.PairAt(index, out value);
            return;
        }
        ListPack pack = Pack;
        field = pack.Read(offsets![index], out int next);
        value = pack.Read(next);
    }

    private void ConvertToTable()
    {
        ListPack pack = Pack;
        var table = new ByteTable(withValues: true, pack.Count / 2);
        for (int at = pack.First; at >= 0;)
        {
            ReadOnlySpan<byte> field = pack.Read(at, out int next);
            table.AddNew(field, pack.Read(next, out at));
        }
        _table = table;
        DropAfterKey();
    }

    /// <summary>Walks the pairs of a hash that is not modified meanwhile.</summary>
    public ref struct PairEnumerator
    {
        private readonly ListPack _pack;
        private readonly ByteTable? _table;
        private int _position;
        private int _index;

        internal PairEnumerator(HashValue hash)
        {
            _table = hash._table;
            _pack = _table == null ? hash.Pack : default;
            _position = _table == null ? _pack.First : -1;
            _index = -1;
        }

        public ReadOnlySpan<byte> Field { get; private set; }
        public ReadOnlySpan<byte> Value { get; private set; }

        public bool MoveNext()
        {
            if (_table == null)
            {
                if (_position < 0)
                {
                    return false;
                }
                Field = _pack.Read(_position, out int next);
                Value = _pack.Read(next, out _position);
                return true;
            }
            if (++_index >= _table.Count)
            {
                return false;
            }
            Field = _table.PairAt(_index, out ReadOnlySpan<byte> value);
            Value = value;
            return true;
        }
    }
}

/// <summary>Field/value pairs given to <see cref="HashValue.SetPairs"/> (e.g. a command's arguments), read by index.</summary>
internal interface IFieldValuePairs
{
    int Count { get; }

    ReadOnlySpan<byte> Field(int index);

    ReadOnlySpan<byte> Value(int index);
}
