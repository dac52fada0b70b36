using System.Buffers;

namespace Amber.Types;

/// <summary>
/// A Redis hash. Small hashes are a <see cref="ListPack"/> of field, value, field, value ... (insertion order,
/// one object); a hash grows into a <see cref="ByteTable"/> once it has more than hash-max-listpack-entries
/// fields or a field or value longer than hash-max-listpack-value bytes, and never converts back (as Redis).
/// </summary>
internal sealed class HashValue : Keyspace.ITypedValue, Diagnostics.IDigestible
{
    /// <summary>The pairs while the encoding is listpack (<see cref="_table"/> is null); default after conversion.</summary>
    private ListPack _pack;
    private ByteTable? _table;

    public HashValue()
    {
        _pack = new ListPack();
    }

    private HashValue(ListPack pack, ByteTable? table)
    {
        _pack = pack;
        _table = table;
    }

    /// <summary>A listpack-encoded hash over <paramref name="pack"/> (field, value, ...; no field twice), which it takes over.</summary>
    internal static HashValue FromListPack(ListPack pack) => new(pack, null);

    /// <summary>A copy sharing nothing mutable (COPY).</summary>
    public HashValue Clone() => _table == null ? new(_pack.Clone(), null) : new(default, _table.Clone());

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

    public int Count => _table == null ? _pack.Count / 2 : _table.Count;

    public bool IsListPack => _table == null;

    /// <summary>OBJECT ENCODING's name for the current encoding.</summary>
    public string EncodingName => _table == null ? "listpack" : "hashtable";

    /// <summary>The hash table, when that is the encoding (for HSCAN's cursor).</summary>
    internal ByteTable? Table => _table;

    /// <summary>Looks a field up; the value span is valid until the hash changes.</summary>
    public bool TryGet(ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value)
    {
        if (_table == null)
        {
            int at = _pack.Find(field, 2);
            if (at < 0)
            {
                value = default;
                return false;
            }
            value = _pack.Read(_pack.Next(at));
            return true;
        }
        int i = _table!.Find(field);
        if (i < 0)
        {
            value = default;
            return false;
        }
        value = _table.ValueAt(i);
        return true;
    }

    public bool Contains(ReadOnlySpan<byte> field) => _table == null ? _pack.Find(field, 2) >= 0 : _table!.Find(field) >= 0;

    /// <summary>Sets a field (both spans copied); returns true when the field is new.</summary>
    public bool Set(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, int maxEntries, int maxValueLength)
    {
        if (_table == null && (field.Length > maxValueLength || value.Length > maxValueLength))
        {
            ConvertToTable();
        }
        if (_table == null)
        {
            int at = _pack.Find(field, 2);
            if (at >= 0)
            {
                _pack.Replace(_pack.Next(at), value);
                return false;
            }
            _pack.Append(field);
            _pack.Append(value);
            if (_pack.Count / 2 > maxEntries)
            {
                ConvertToTable();
            }
            return true;
        }
        return _table!.Set(field, value);
    }

    public bool Delete(ReadOnlySpan<byte> field)
    {
        if (_table == null)
        {
            int at = _pack.Find(field, 2);
            if (at < 0)
            {
                return false;
            }
            _pack.Remove(at, 2);
            return true;
        }
        return _table!.Remove(field);
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
        int[] offsets = ArrayPool<int>.Shared.Rent(Math.Max(1, Count));
        int n = 0;
        for (int at = _pack.First; at >= 0; at = _pack.Next(_pack.Next(at)))
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
        if (_table == null)
        {
            field = _pack.Read(offsets![index], out int next);
            value = _pack.Read(next);
            return;
        }
        field = _table!.KeyAt(index);
        value = _table.ValueAt(index);
    }

    private void ConvertToTable()
    {
        ref ListPack pack = ref _pack;
        var table = new ByteTable(withValues: true, pack.Count / 2);
        for (int at = pack.First; at >= 0;)
        {
            ReadOnlySpan<byte> field = pack.Read(at, out int next);
            table.AddNew(field, pack.Read(next, out at));
        }
        _table = table;
        _pack = default;
    }

    /// <summary>Walks the pairs of a hash that is not modified meanwhile.</summary>
    public ref struct PairEnumerator
    {
        private readonly HashValue _hash;
        private int _position;
        private int _index;

        internal PairEnumerator(HashValue hash)
        {
            _hash = hash;
            _position = hash._table == null ? hash._pack.First : -1;
            _index = -1;
        }

        public ReadOnlySpan<byte> Field { get; private set; }
        public ReadOnlySpan<byte> Value { get; private set; }

        public bool MoveNext()
        {
            if (_hash._table == null)
            {
                if (_position < 0)
                {
                    return false;
                }
                Field = _hash._pack.Read(_position, out int next);
                Value = _hash._pack.Read(next, out _position);
                return true;
            }
            ByteTable table = _hash._table!;
            if (++_index >= table.Count)
            {
                return false;
            }
            Field = table.KeyAt(_index);
            Value = table.ValueAt(_index);
            return true;
        }
    }
}
