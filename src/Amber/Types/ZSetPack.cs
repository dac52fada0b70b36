using System.Buffers.Binary;
using Amber.Text;

namespace Amber.Types;

/// <summary>
/// The compact encoding of a small sorted set (Redis's zset listpack): from a start offset in a byte array (a
/// <see cref="SortedSet"/> keeps it after its key in its entry's array; the bytes before it are carried along), the
/// member count, the bytes in use from the start and then the entries in (score, member) order, each
/// <c>[member length varint][member][score][entry length, readable backwards]</c>. A score that is an integer of at
/// most 53 bits is a zigzag varint plus one (1 byte for -63..63), any other a 0 byte and the 8-byte double; the
/// trailing length lets iteration run backwards, as the listpack's backlen does. Positions (handles) are byte offsets
/// of entries in the whole array. The array grows to the next multiple of 8 bytes only (what the allocator rounds a
/// byte[] to anyway), so a small set carries no spare room it does not already pay for; changes within the room are
/// made in place, so score updates allocate nothing.
/// </summary>
internal static class ZSetPack
{
    public const int HeaderSize = 8;

    /// <summary>The largest integral score stored as an integer (doubles are exact up to here).</summary>
    private const double MaxIntegralScore = 9007199254740992d;

    /// <summary>Writes an empty pack's header (it takes <see cref="HeaderSize"/> bytes) at <paramref name="at"/>.</summary>
    public static void WriteEmpty(Span<byte> at) => BinaryPrimitives.WriteInt32LittleEndian(at[4..], HeaderSize);

    public static int Count(byte[] pack, int start) => BinaryPrimitives.ReadInt32LittleEndian(pack.AsSpan(start));

    /// <summary>The end of the entries (the bytes in use) as an offset in the array.</summary>
    public static int Used(byte[] pack, int start) => start + BinaryPrimitives.ReadInt32LittleEndian(pack.AsSpan(start + 4));

    /// <summary>The offset of the first entry (when there is one).</summary>
    public static int First(int start) => start + HeaderSize;

    /// <summary>The bytes in use, header included, without the spare room after them.</summary>
    public static ReadOnlySpan<byte> UsedSpan(byte[] pack, int start) => pack.AsSpan(start, Used(pack, start) - start);

    /// <summary>
    /// Writes the header of a pack at <paramref name="start"/> holding <paramref name="count"/> entries written by
    /// the caller up to <paramref name="used"/> (an offset in the array).
    /// </summary>
    public static void WriteHeader(byte[] pack, int start, int count, int used) => SetHeader(pack, start, count, used);

    public static ReadOnlySpan<byte> MemberAt(byte[] pack, int at)
    {
        int length = (int)Varint.Read(pack, ref at);
        return new ReadOnlySpan<byte>(pack, at, length);
    }

    public static double ScoreAt(byte[] pack, int at)
    {
        int length = (int)Varint.Read(pack, ref at);
        at += length;
        return ReadScore(pack, ref at);
    }

    /// <summary>Member and score of the entry at <paramref name="at"/>; returns the offset of the next entry.</summary>
    public static int Read(byte[] pack, int at, out ReadOnlySpan<byte> member, out double score)
    {
        int start = at;
        int length = (int)Varint.Read(pack, ref at);
        member = new ReadOnlySpan<byte>(pack, at, length);
        at += length;
        score = ReadScore(pack, ref at);
        return at + Varint.Size((ulong)(at - start));
    }

    /// <summary>The offset just past the entry at <paramref name="at"/>.</summary>
    public static int End(byte[] pack, int at)
    {
        int start = at;
        int length = (int)Varint.Read(pack, ref at);
        at += length;
        if (pack[at] == 0)
        {
            at += 9;
        }
        else
        {
            Varint.Read(pack, ref at);
        }
        return at + Varint.Size((ulong)(at - start));
    }

    /// <summary>The offset of the entry ending at <paramref name="end"/> (which must be past the first entry).</summary>
    public static int StartBefore(byte[] pack, int end)
    {
        int at = end - 1;
        int value = 0;
        int shift = 0;
        while (true)
        {
            byte b = pack[at];
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
            shift += 7;
            at--;
        }
        return at - value;
    }

    /// <summary>The bytes the entry takes, so callers can size the array before <see cref="WriteEntry"/>.</summary>
    public static int EntrySize(int memberLength, double score)
    {
        int body = Varint.Size((ulong)memberLength) + memberLength + ScoreSize(score);
        return body + Varint.Size((ulong)body);
    }

    /// <summary>Writes one entry at <paramref name="at"/>; returns the offset past it.</summary>
    public static int WriteEntry(Span<byte> pack, int at, ReadOnlySpan<byte> member, double score)
    {
        int start = at;
        at = Varint.Write(pack, at, (ulong)member.Length);
        member.CopyTo(pack[at..]);
        at += member.Length;
        if (TryIntegral(score, out long integral))
        {
            at = Varint.Write(pack, at, ZigZag(integral) + 1);
        }
        else
        {
            pack[at] = 0;
            BinaryPrimitives.WriteDoubleLittleEndian(pack[(at + 1)..], score);
            at += 9;
        }
        // The body length, its lowest 7 bits last, each byte but the first flagged 0x80 (read from the end backwards).
        int body = at - start;
        int size = Varint.Size((ulong)body);
        for (int i = 0; i < size; i++)
        {
            byte group = (byte)((body >> (7 * i)) & 0x7F);
            pack[at + size - 1 - i] = i < size - 1 ? (byte)(group | 0x80) : group;
        }
        return at + size;
    }

    /// <summary>
    /// Inserts the entry at offset <paramref name="at"/>, in place when the array has room, else into a new array
    /// (returned). <paramref name="member"/> must not live in <paramref name="pack"/>.
    /// </summary>
    public static byte[] Insert(byte[] pack, int start, int at, ReadOnlySpan<byte> member, double score)
    {
        int size = EntrySize(member.Length, score);
        int used = Used(pack, start);
        int count = Count(pack, start);
        byte[] target = pack;
        if (used + size > pack.Length)
        {
            int needed = used + size;
            // Exact (to 8 bytes) while small, as a listpack is reallocated to size; doubling once large.
            target = new byte[needed <= 512 ? (needed + 7) & ~7 : Math.Max(needed, used * 3 / 2)];
            pack.AsSpan(0, at).CopyTo(target);
        }
        pack.AsSpan(at, used - at).CopyTo(target.AsSpan(at + size));
        WriteEntry(target, at, member, score);
        SetHeader(target, start, count + 1, used + size);
        return target;
    }

    /// <summary>
    /// Removes the <paramref name="removed"/> entries in [from, to), in place; returns the pack, or a smaller copy
    /// when most of a large array would be left empty.
    /// </summary>
    public static byte[] Cut(byte[] pack, int start, int from, int to, int removed)
    {
        int count = Count(pack, start) - removed;
        int used = Used(pack, start);
        pack.AsSpan(to, used - to).CopyTo(pack.AsSpan(from));
        used -= to - from;
        SetHeader(pack, start, count, used);
        return pack.Length > 512 && used < pack.Length / 4 ? pack.AsSpan(0, used).ToArray() : pack;
    }

    /// <summary>The bytes in use are stored relative to the start, so the pack can move to another offset (a new key) as is.</summary>
    private static void SetHeader(byte[] pack, int start, int count, int used)
    {
        BinaryPrimitives.WriteInt32LittleEndian(pack.AsSpan(start), count);
        BinaryPrimitives.WriteInt32LittleEndian(pack.AsSpan(start + 4), used - start);
    }

    /// <summary>The offset where (score, member) belongs in order.</summary>
    public static int PositionFor(byte[] pack, int start, double score, ReadOnlySpan<byte> member)
    {
        int at = start + HeaderSize;
        int used = Used(pack, start);
        while (at < used)
        {
            int next = Read(pack, at, out ReadOnlySpan<byte> m, out double s);
            if (s > score || (s == score && m.SequenceCompareTo(member) >= 0))
            {
                return at;
            }
            at = next;
        }
        return at;
    }

    public static int ScoreSize(double score) =>
        TryIntegral(score, out long integral) ? Varint.Size(ZigZag(integral) + 1) : 9;

    private static bool TryIntegral(double score, out long integral)
    {
        if (score >= -MaxIntegralScore && score <= MaxIntegralScore && score == Math.Floor(score))
        {
            integral = (long)score;
            return true;
        }
        integral = 0;
        return false;
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    private static double ReadScore(byte[] pack, ref int at)
    {
        if (pack[at] == 0)
        {
            double score = BinaryPrimitives.ReadDoubleLittleEndian(pack.AsSpan(at + 1));
            at += 9;
            return score;
        }
        ulong zz = Varint.Read(pack, ref at) - 1;
        return (long)(zz >> 1) ^ -(long)(zz & 1);
    }
}
