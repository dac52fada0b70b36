using System.Buffers.Binary;
using System.Security.Cryptography;
using Amber.Keyspace;

namespace Amber.Diagnostics;

/// <summary>
/// A value type's contribution to DEBUG DIGEST. Value classes other than strings implement this so the digest
/// covers them (a string is stored in its key's array and handled directly).
/// </summary>
internal interface IDigestible
{
    /// <summary>Redis's object type number (OBJ_LIST = 1, OBJ_SET = 2, OBJ_ZSET = 3, OBJ_HASH = 4, OBJ_STREAM = 6).</summary>
    int RedisTypeCode { get; }

    /// <summary>Adds the value's content, as Redis's xorObjectDigest does for this type.</summary>
    void AddToDigest(DigestState digest);
}

/// <summary>
/// A 20-byte SHA1-based digest accumulator with Redis's two operations: Xor (order-independent: the SHA1 of the
/// data is xored in) and Mix (order-dependent: xor, then the digest is replaced by its own SHA1).
/// </summary>
internal sealed class DigestState
{
    public const int Size = 20;
    private readonly byte[] _digest = new byte[Size];

    public ReadOnlySpan<byte> Bytes => _digest;

    public void Clear() => Array.Clear(_digest);

    /// <summary>digest ^= SHA1(data).</summary>
    public void Xor(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA1.HashData(data, hash);
        for (int i = 0; i < Size; i++)
        {
            _digest[i] ^= hash[i];
        }
    }

    /// <summary>digest = SHA1(digest ^ SHA1(data)).</summary>
    public void Mix(ReadOnlySpan<byte> data)
    {
        Xor(data);
        Span<byte> next = stackalloc byte[Size];
        SHA1.HashData(_digest, next);
        next.CopyTo(_digest);
    }

    /// <summary>Xors in another digest's raw bytes (Redis xors a per-key or per-element digest into the total).</summary>
    public void XorDigestOf(DigestState other) => Xor(other._digest);

    /// <summary>
    /// Helper for unordered collections of pairs (hash fields, sorted-set members): digest ^= SHA1(mix(a) mix(b)),
    /// Redis's per-element "eledigest" pattern.
    /// </summary>
    public void XorPair(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var element = new DigestState();
        element.Mix(first);
        element.Mix(second);
        Xor(element._digest);
    }

    public string ToHex() => Convert.ToHexStringLower(_digest);
}

/// <summary>DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis's dataset signature, equal for equal datasets whatever the key order.</summary>
internal static class DatasetDigest
{
    public const string Empty = "0000000000000000000000000000000000000000";
    private const int StringType = 0;
    private const int ListType = 1;

    /// <summary>
    /// The whole dataset: per database (by number), the db id mixed in, then every key's digest xored in.
    /// Null when a value's type does not support digests yet.
    /// </summary>
    public static string? Compute(Database[] databases)
    {
        var final = new DigestState();
        var keyDigest = new DigestState();
        Span<byte> id = stackalloc byte[4];
        foreach (Database db in databases)
        {
            if (db.Count == 0)
            {
                continue;
            }
            BinaryPrimitives.WriteInt32BigEndian(id, db.Index);
            final.Mix(id);
            foreach (Entry e in db.Table.All())
            {
                keyDigest.Clear();
                keyDigest.Mix(e.Key);
                if (!AddValue(keyDigest, e))
                {
                    return null;
                }
                final.Xor(keyDigest.Bytes);
            }
        }
        return final.ToHex();
    }

    /// <summary>One key's value digest (DEBUG DIGEST-VALUE); 40 zeros for a missing key; null for an unsupported type.</summary>
    public static string? ComputeValue(Entry? entry)
    {
        if (entry == null)
        {
            return Empty;
        }
        var d = new DigestState();
        return AddValue(d, entry) ? d.ToHex() : null;
    }

    /// <summary>Redis's xorObjectDigest: the type mixed in, then the content, then a marker when the key has a TTL.</summary>
    private static bool AddValue(DigestState d, Entry entry)
    {
        Span<byte> type = stackalloc byte[4];
        switch (entry.Value)
        {
            case null:
                BinaryPrimitives.WriteInt32BigEndian(type, StringType);
                d.Mix(type);
                d.Mix(entry.StringValue);
                break;
            case Types.QuickList list:
                // Elements mixed in order, head to tail.
                BinaryPrimitives.WriteInt32BigEndian(type, ListType);
                d.Mix(type);
                Types.ListCursor cursor = list.HeadCursor();
                while (list.Next(ref cursor, out ReadOnlySpan<byte> element))
                {
                    d.Mix(element);
                }
                break;
            case IDigestible v:
                BinaryPrimitives.WriteInt32BigEndian(type, v.RedisTypeCode);
                d.Mix(type);
                v.AddToDigest(d);
                break;
            default:
                return false;
        }
        if (entry.HasExpiry)
        {
            d.Xor("!!expire!!"u8);
        }
        return true;
    }
}
