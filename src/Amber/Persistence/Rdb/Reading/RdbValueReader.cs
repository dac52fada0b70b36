using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using Amber.Keyspace;
using Amber.Text;
using Amber.Types;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// Reads one value of a given RDB type (spec §1.4-1.10) and builds it as Amber's value class, in the encoding Amber's
/// commands would give it under <see cref="RdbValueLimits"/> (listpack vs hashtable, intset vs hashtable, listpack vs
/// skiplist). Every blob is validated as redis-check-rdb's sanitize mode does, duplicates included. Errors are
/// <see cref="RdbLoadException"/> with Redis's messages.
/// </summary>
internal sealed class RdbValueReader(RdbInput input, RdbValueLimits limits)
{
    /// <summary>LZF cannot expand a byte of input to more than this many bytes of output (a 3-byte back reference copies 264).</summary>
    private const int MaxLzfRatio = 89;

    private readonly byte[] _scratchA = new byte[24];
    private readonly byte[] _scratchB = new byte[24];
    private readonly CompactHashBuilder _compactHashes = new();

    public static bool IsValueType(int type) => type is >= 0 and <= 7 or >= 9 and <= 19;

    // ---- strings ----

    /// <summary>A string as stored (plain, integer-encoded or LZF), as a new array.</summary>
    public byte[] ReadString()
    {
        ulong length = input.ReadLength(out bool encoded);
        if (encoded)
        {
            return ReadEncodedString(length, pooled: false, out _);
        }
        return input.ReadNew(CheckedLength(length), pooled: false);
    }

    /// <summary>
    /// A string key's whole entry, its value read through a pooled array straight into the entry's one array (a load
    /// of millions of strings then leaves no value array behind as garbage for each).
    /// </summary>
    public Entry ReadStringEntry(byte[] key, uint hash)
    {
        byte[] pooled = ReadPooledString(out int length);
        try
        {
            return Entry.ForString(key, hash, pooled.AsSpan(0, length));
        }
        finally
        {
            Return(pooled);
        }
    }

    /// <summary>
    /// A string into a pooled array (for blobs that are parsed and dropped): <paramref name="length"/> bytes are valid.
    /// Give the array back with <see cref="Return"/>.
    /// </summary>
    public byte[] ReadPooledString(out int length)
    {
        ulong n = input.ReadLength(out bool encoded);
        if (encoded)
        {
            return ReadEncodedString(n, pooled: true, out length);
        }
        length = CheckedLength(n);
        return input.ReadNew(length, pooled: true);
    }

    public static void Return(byte[] pooled) => ArrayPool<byte>.Shared.Return(pooled);

    /// <summary>Skips a string without keeping it.</summary>
    public void SkipString()
    {
        byte[] pooled = ReadPooledString(out _);
        Return(pooled);
    }

    private int CheckedLength(ulong length)
    {
        if (length > (ulong)input.Remaining)
        {
            throw input.Eof();
        }
        if (length > (ulong)Array.MaxLength)
        {
            throw input.Corrupt($"String of {length} bytes is too long to load");
        }
        return (int)length;
    }

    private byte[] ReadEncodedString(ulong encoding, bool pooled, out int length)
    {
        long integer;
        switch (encoding)
        {
            case RdbFormat.EncodingInt8:
                integer = (sbyte)input.ReadByte();
                break;
            case RdbFormat.EncodingInt16:
                integer = BinaryPrimitives.ReadInt16LittleEndian(input.Read(2));
                break;
            case RdbFormat.EncodingInt32:
                integer = BinaryPrimitives.ReadInt32LittleEndian(input.Read(4));
                break;
            case RdbFormat.EncodingLzf:
                return ReadLzfString(pooled, out length);
            default:
                throw input.Corrupt($"Unknown RDB string encoding type {encoding}");
        }
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(integer, text, out length);
        byte[] result = pooled ? ArrayPool<byte>.Shared.Rent(length) : new byte[length];
        text[..length].CopyTo(result);
        return result;
    }

    private byte[] ReadLzfString(bool pooled, out int length)
    {
        ulong compressedLength = input.ReadLength();
        ulong originalLength = input.ReadLength();
        int compressed = CheckedLength(compressedLength);
        if (originalLength > (ulong)compressed * MaxLzfRatio + 64 || originalLength > (ulong)Array.MaxLength)
        {
            throw input.Corrupt("Invalid LZF compressed string");
        }
        length = (int)originalLength;
        byte[] source = input.ReadNew(compressed, pooled: true);
        byte[] result = pooled ? ArrayPool<byte>.Shared.Rent(Math.Max(length, 1)) : new byte[length];
        try
        {
            if (!Lzf.TryDecompress(source.AsSpan(0, compressed), result.AsSpan(0, length), out int written) || written != length)
            {
                if (pooled)
                {
                    ArrayPool<byte>.Shared.Return(result);
                }
                throw input.Corrupt("Invalid LZF compressed string");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(source);
        }
        return result;
    }

    // ---- doubles ----

    /// <summary>The legacy text form of ZSET (type 3) scores: a length byte (253 NaN, 254 +inf, 255 -inf) and ASCII.</summary>
    private double ReadTextDouble()
    {
        byte length = input.ReadByte();
        switch (length)
        {
            case 253: return double.NaN;
            case 254: return double.PositiveInfinity;
            case 255: return double.NegativeInfinity;
        }
        ReadOnlySpan<byte> text = input.Read(length);
        if (CDouble.Parse(text, out double value, out _) == 0)
        {
            throw input.Corrupt("Error reading double value");
        }
        return value;
    }

    private double ReadBinaryDouble() => BinaryPrimitives.ReadDoubleLittleEndian(input.Read(8));

    // ---- values ----

    /// <summary>Reads a value of <paramref name="type"/>; null when it is an empty collection (the caller decides).</summary>
    public object? ReadValue(int type)
    {
        switch ((RdbType)type)
        {
            case RdbType.String:
                return ReadString();
            case RdbType.List:
                return ReadLinkedList();
            case RdbType.Set:
                return ReadSet();
            case RdbType.ZSet:
            case RdbType.ZSet2:
                return ReadSortedSet(binaryScores: type == (int)RdbType.ZSet2);
            case RdbType.Hash:
                return ReadHash();
            case RdbType.HashZipMap:
            case RdbType.ListZipList:
            case RdbType.SetIntSet:
            case RdbType.ZSetZipList:
            case RdbType.HashZipList:
            case RdbType.HashListPack:
            case RdbType.ZSetListPack:
                return ReadBlobValue((RdbType)type);
            case RdbType.ListQuicklist:
            case RdbType.ListQuicklist2:
                return ReadQuicklist(version2: type == (int)RdbType.ListQuicklist2);
            case RdbType.StreamListPacks:
            case RdbType.StreamListPacks2:
                throw input.Error(RdbLoadErrorKind.Unsupported, "Stream values are not supported by Amber (no stream type)");
            case RdbType.Module:
            case RdbType.Module2:
                throw ModuleValue();
            default:
                throw input.Error(RdbLoadErrorKind.InvalidType, $"Unknown RDB encoding type {type}");
        }
    }

    private RdbLoadException ModuleValue()
    {
        ulong moduleId = input.ReadLength();
        return input.Error(RdbLoadErrorKind.Unsupported,
            $"The RDB file contains module data I can't load: no matching module type '{ModuleTypeName(moduleId)}'");
    }

    /// <summary>Redis's nine-character module type name packed into the top 54 bits of a module id.</summary>
    public static string ModuleTypeName(ulong moduleId)
    {
        const string charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        Span<char> name = stackalloc char[9];
        moduleId >>= 10;
        for (int i = 8; i >= 0; i--)
        {
            name[i] = charset[(int)(moduleId & 63)];
            moduleId >>= 6;
        }
        return new string(name);
    }

    /// <summary>Skips a module value's opcode-tagged fields up to its EOF opcode (MODULE_AUX data of modules Amber lacks).</summary>
    public void SkipModuleFields()
    {
        while (true)
        {
            ulong opcode = input.ReadLength();
            switch (opcode)
            {
                case 0: // EOF
                    return;
                case 1: // SINT
                case 2: // UINT
                    input.ReadLength();
                    break;
                case 3: // FLOAT
                    input.Read(4);
                    break;
                case 4: // DOUBLE
                    input.Read(8);
                    break;
                case 5: // STRING
                    SkipString();
                    break;
                default:
                    throw input.Corrupt($"Unknown module opcode {opcode}");
            }
        }
    }

    private QuickList? ReadLinkedList()
    {
        int count = input.ReadCount();
        if (count == 0)
        {
            return null;
        }
        var list = new QuickList(limits.ListMaxListpackSize);
        for (int i = 0; i < count; i++)
        {
            byte[] element = ReadPooledString(out int length);
            list.PushTail(element.AsSpan(0, length));
            Return(element);
        }
        return list;
    }

    private SetValue? ReadSet()
    {
        int count = input.ReadCount();
        if (count == 0)
        {
            return null;
        }
        int max = limits.SetMaxIntsetEntries;
        SetValue? set = count > max ? SetValue.CreateTable(RdbInput.CapacityFor(count)) : null;
        for (int i = 0; i < count; i++)
        {
            byte[] member = ReadPooledString(out int length);
            ReadOnlySpan<byte> span = member.AsSpan(0, length);
            set ??= SetValue.CreateFor(span);
            bool added = set.Add(span, max);
            Return(member);
            if (!added)
            {
                throw input.Corrupt("Duplicate set members detected");
            }
        }
        return set;
    }

    private SortedSet? ReadSortedSet(bool binaryScores)
    {
        int count = input.ReadCount(binaryScores ? 9 : 2);
        if (count == 0)
        {
            return null;
        }
        var zlimits = new ZSetLimits(limits.ZsetMaxListpackEntries, limits.ZsetMaxListpackValue);
        SortedSet set = count > zlimits.MaxEntries ? SortedSet.CreateLarge(RdbInput.CapacityFor(count)) : new SortedSet(RdbInput.CapacityFor(count));
        for (int i = 0; i < count; i++)
        {
            byte[] member = ReadString();
            double score = binaryScores ? ReadBinaryDouble() : ReadTextDouble();
            if (double.IsNaN(score))
            {
                throw input.Corrupt("Zset with NAN score detected");
            }
            if (set.Find(member) != SortedSet.Nil)
            {
                throw input.Corrupt("Duplicate zset fields detected");
            }
            set.Insert(member, score, zlimits);
        }
        return set;
    }

    private HashValue? ReadHash()
    {
        int count = input.ReadCount(2);
        if (count == 0)
        {
            return null;
        }
        var hash = new HashValue();
        for (int i = 0; i < count; i++)
        {
            byte[] field = ReadPooledString(out int fieldLength);
            byte[] value = ReadPooledString(out int valueLength);
            bool wasListPack = hash.IsListPack;
            bool added = hash.Set(field.AsSpan(0, fieldLength), value.AsSpan(0, valueLength), limits.HashMaxListpackEntries, limits.HashMaxListpackValue);
            Return(field);
            Return(value);
            if (!added)
            {
                throw input.Corrupt(wasListPack ? "Hash with dup elements" : "Duplicate hash fields detected");
            }
        }
        return hash;
    }

    private object? ReadBlobValue(RdbType type)
    {
        byte[] blob = ReadPooledString(out int length);
        try
        {
            ReadOnlySpan<byte> span = blob.AsSpan(0, length);
            return type switch
            {
                RdbType.HashZipMap => HashFromZipmap(span),
                RdbType.ListZipList => ListFromZiplist(span),
                RdbType.SetIntSet => SetFromIntset(span),
                RdbType.ZSetZipList => SortedSetFromPairs(span, listpack: false, "Zset ziplist integrity check failed."),
                RdbType.HashZipList => HashFromPairs(span, listpack: false, "Hash ziplist integrity check failed."),
                RdbType.HashListPack => HashFromPairs(span, listpack: true, "Hash listpack integrity check failed."),
                _ => SortedSetFromPairs(span, listpack: true, "Zset listpack integrity check failed."),
            };
        }
        finally
        {
            Return(blob);
        }
    }

    private HashValue HashFromZipmap(ReadOnlySpan<byte> blob)
    {
        if (ZipmapBlob.Validate(blob) < 0)
        {
            throw input.Corrupt("Zipmap integrity check failed.");
        }
        var hash = new HashValue();
        var pairs = new ZipmapBlob.Enumerator(blob);
        while (pairs.MoveNext())
        {
            if (!hash.Set(pairs.Field, pairs.Value, limits.HashMaxListpackEntries, limits.HashMaxListpackValue))
            {
                throw input.Corrupt("Hash zipmap with dup records");
            }
        }
        return hash;
    }

    private QuickList? ListFromZiplist(ReadOnlySpan<byte> blob)
    {
        int count = ZiplistBlob.Validate(blob);
        if (count < 0)
        {
            throw input.Corrupt("List ziplist integrity check failed.");
        }
        if (count == 0)
        {
            return null;
        }
        var list = new QuickList(limits.ListMaxListpackSize);
        PushAll(new ZiplistBlob.Enumerator(blob), list);
        return list;
    }

    private SetValue SetFromIntset(ReadOnlySpan<byte> blob)
    {
        int count = IntsetBlob.Validate(blob);
        if (count < 0)
        {
            throw input.Corrupt("Intset integrity check failed.");
        }
        int max = limits.SetMaxIntsetEntries;
        SetValue set = count > max ? SetValue.CreateTable(count) : SetValue.CreateIntSet();
        int width = IntsetBlob.Width(blob);
        Span<byte> text = _scratchA;
        for (int i = 0; i < count; i++)
        {
            Utf8Formatter.TryFormat(IntsetBlob.Get(blob, width, i), text, out int n);
            set.Add(text[..n], max);
        }
        return set;
    }

    /// <summary>Hash listpacks/ziplists: field, value, ... with no duplicate field. Stays compact up to the entry limit.</summary>
    private HashValue? HashFromPairs(ReadOnlySpan<byte> blob, bool listpack, string integrityError)
    {
        int count = listpack ? ListpackBlob.Validate(blob) : ZiplistBlob.Validate(blob);
        if (count < 0 || count % 2 != 0)
        {
            throw input.Corrupt(integrityError);
        }
        if (count == 0)
        {
            return null;
        }
        // Redis keeps a loaded listpack hash compact whatever its value lengths; only the entry count converts it.
        int maxEntries = limits.HashMaxListpackEntries;
        if (listpack && count / 2 <= maxEntries)
        {
            return _compactHashes.Build(blob, count) ?? throw input.Corrupt(integrityError);
        }
        var hash = new HashValue();
        if (listpack)
        {
            AddPairs(new ListpackBlob.Enumerator(blob), hash, maxEntries, integrityError);
        }
        else
        {
            AddPairs(new ZiplistBlob.Enumerator(blob), hash, maxEntries, integrityError);
        }
        return hash;
    }

    private void AddPairs<TEntries>(TEntries e, HashValue hash, int maxEntries, string integrityError)
        where TEntries : IBlobEnumerator, allows ref struct
    {
        while (e.MoveNext())
        {
            ReadOnlySpan<byte> field = e.Current.Text(_scratchA);
            e.MoveNext();
            if (!hash.Set(field, e.Current.Text(_scratchB), maxEntries, int.MaxValue))
            {
                throw input.Corrupt(integrityError);
            }
        }
    }

    private void PushAll<TEntries>(TEntries e, QuickList list)
        where TEntries : IBlobEnumerator, allows ref struct
    {
        while (e.MoveNext())
        {
            list.PushTail(e.Current.Text(_scratchA));
        }
    }

    /// <summary>Zset listpacks/ziplists: member, score, ... with no duplicate member and no NaN score.</summary>
    private SortedSet? SortedSetFromPairs(ReadOnlySpan<byte> blob, bool listpack, string integrityError)
    {
        int count = listpack ? ListpackBlob.Validate(blob) : ZiplistBlob.Validate(blob);
        if (count < 0 || count % 2 != 0)
        {
            throw input.Corrupt(integrityError);
        }
        if (count == 0)
        {
            return null;
        }
        int members = count / 2;
        // As in Redis, only the member count decides; a long member loaded from a listpack stays compact.
        var zlimits = new ZSetLimits(limits.ZsetMaxListpackEntries, int.MaxValue);
        SortedSet set = members > zlimits.MaxEntries ? SortedSet.CreateLarge(members) : new SortedSet(members);
        if (listpack)
        {
            AddMembers(new ListpackBlob.Enumerator(blob), set, zlimits, integrityError);
        }
        else
        {
            AddMembers(new ZiplistBlob.Enumerator(blob), set, zlimits, integrityError);
        }
        return set;
    }

    private void AddMembers<TEntries>(TEntries e, SortedSet set, ZSetLimits zlimits, string integrityError)
        where TEntries : IBlobEnumerator, allows ref struct
    {
        while (e.MoveNext())
        {
            ReadOnlySpan<byte> member = e.Current.Text(_scratchA);
            e.MoveNext();
            BlobEntry score = e.Current;
            AddMember(set, member, score.IsInteger ? score.Integer : ParseScore(score.String, integrityError), zlimits, integrityError);
        }
    }

    private void AddMember(SortedSet set, ReadOnlySpan<byte> member, double score, ZSetLimits zlimits, string integrityError)
    {
        if (set.Find(member) != SortedSet.Nil)
        {
            throw input.Corrupt(integrityError);
        }
        set.Insert(member, score, zlimits);
    }

    /// <summary>A score stored as text in a listpack: what strtod makes of it (as zzlGetScore), refusing NaN.</summary>
    private double ParseScore(ReadOnlySpan<byte> text, string integrityError)
    {
        CDouble.Parse(text[..Math.Min(text.Length, 128)], out double score, out _);
        if (double.IsNaN(score))
        {
            throw input.Corrupt(integrityError);
        }
        return score;
    }

    private QuickList? ReadQuicklist(bool version2)
    {
        int nodes = input.ReadCount(version2 ? 2 : 1);
        var list = new QuickList(limits.ListMaxListpackSize);
        for (int i = 0; i < nodes; i++)
        {
            ulong container = RdbFormat.QuicklistNodePacked;
            if (version2)
            {
                container = input.ReadLength();
                if (container is not (RdbFormat.QuicklistNodePlain or RdbFormat.QuicklistNodePacked))
                {
                    throw input.Corrupt("Quicklist integrity check failed.");
                }
            }
            byte[] blob = ReadPooledString(out int length);
            try
            {
                ReadOnlySpan<byte> node = blob.AsSpan(0, length);
                if (length == 0)
                {
                    throw input.Corrupt("Quicklist integrity check failed.");
                }
                if (container == RdbFormat.QuicklistNodePlain)
                {
                    list.PushTail(node);
                    continue;
                }
                if (version2)
                {
                    if (ListpackBlob.Validate(node) < 0)
                    {
                        throw input.Corrupt("Listpack integrity check failed.");
                    }
                    PushAll(new ListpackBlob.Enumerator(node), list);
                }
                else
                {
                    if (ZiplistBlob.Validate(node) < 0)
                    {
                        throw input.Corrupt("Ziplist integrity check failed.");
                    }
                    PushAll(new ZiplistBlob.Enumerator(node), list);
                }
            }
            finally
            {
                Return(blob);
            }
        }
        return list.Count == 0 ? null : list;
    }
}
