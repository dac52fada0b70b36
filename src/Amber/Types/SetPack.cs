using System.Buffers.Binary;

namespace Amber.Types;

/// <summary>
/// The compact form of a small set that is not an intset: the member count, the end offset of each member (16-bit,
/// relative to the start of the member bytes) and the member bytes, in insertion order, searched linearly. Redis 7.0
/// keeps such a set in a hash table (~87 bytes a member for short words, docs/benchmarks.md); this costs the member
/// bytes plus 2. The encoding stays invisible: OBJECT ENCODING says "hashtable" and RDB writes a plain set, as Redis
/// 7.0 would. Up to <see cref="MaxEntries"/> members of at most <see cref="MaxMemberLength"/> bytes (Redis 7.2's
/// set-max-listpack defaults), so offsets fit 16 bits. The pack sits in a byte array from a start offset (a
/// <see cref="SetValue"/> keeps it after its key in its entry's array; the bytes before the start are carried along);
/// the array has room to the next multiple of 8 bytes (what the allocator rounds it to anyway) and is changed in place
/// within it.
/// </summary>
internal static class SetPack
{
    public const int MaxEntries = 128;
    public const int MaxMemberLength = 64;

    /// <summary>Bytes an empty pack takes (its count).</summary>
    public const int EmptySize = 2;

    public static int Count(byte[] pack, int start) => BinaryPrimitives.ReadUInt16LittleEndian(pack.AsSpan(start));

    /// <summary>Whether a set of <paramref name="count"/> members, the longest <paramref name="longest"/> bytes, fits.</summary>
    public static bool Fits(int count, int longest) => count <= MaxEntries && longest <= MaxMemberLength;

    public static ReadOnlySpan<byte> MemberAt(byte[] pack, int start, int index)
    {
        int count = Count(pack, start);
        int data = DataStart(start, count);
        int from = index == 0 ? 0 : EndOf(pack, start, index - 1);
        return new ReadOnlySpan<byte>(pack, data + from, EndOf(pack, start, index) - from);
    }

    /// <summary>The index of a member, or -1.</summary>
    public static int IndexOf(byte[] pack, int start, ReadOnlySpan<byte> member)
    {
        int count = Count(pack, start);
        int data = DataStart(start, count);
        int from = 0;
        for (int i = 0; i < count; i++)
        {
            int end = EndOf(pack, start, i);
            if (end - from == member.Length && member.SequenceEqual(new ReadOnlySpan<byte>(pack, data + from, end - from)))
            {
                return i;
            }
            from = end;
        }
        return -1;
    }

    /// <summary>Appends a member (known absent and within the limits); returns the array, a new one when out of room.</summary>
    public static byte[] Add(byte[] pack, int start, ReadOnlySpan<byte> member)
    {
        int count = Count(pack, start);
        int dataLength = count == 0 ? 0 : EndOf(pack, start, count - 1);
        int oldData = DataStart(start, count);
        int newData = DataStart(start, count + 1);
        int needed = newData + dataLength + member.Length;
        byte[] target = pack;
        if (needed > pack.Length)
        {
            target = new byte[(needed + 7) & ~7];
            pack.AsSpan(0, oldData).CopyTo(target);
        }
        // The offset table grows by one slot: the member bytes move up by 2 (CopyTo handles the overlap).
        pack.AsSpan(oldData, dataLength).CopyTo(target.AsSpan(newData));
        member.CopyTo(target.AsSpan(newData + dataLength));
        BinaryPrimitives.WriteUInt16LittleEndian(target.AsSpan(start + 2 + (2 * count)), (ushort)(dataLength + member.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(target.AsSpan(start), (ushort)(count + 1));
        return target;
    }

    /// <summary>Removes the member at <paramref name="index"/> in place; later members move down one index.</summary>
    public static void RemoveAt(byte[] pack, int start, int index)
    {
        int count = Count(pack, start);
        int oldData = DataStart(start, count);
        int newData = DataStart(start, count - 1);
        int from = index == 0 ? 0 : EndOf(pack, start, index - 1);
        int end = EndOf(pack, start, index);
        int removed = end - from;
        int dataLength = EndOf(pack, start, count - 1);
        // Offsets after the removed one shift down a slot and lose the removed length.
        for (int i = index + 1; i < count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(pack.AsSpan(start + 2 + (2 * (i - 1))), (ushort)(EndOf(pack, start, i) - removed));
        }
        // Member bytes: those before the hole move down 2 (the table lost a slot), those after it 2 + removed.
        pack.AsSpan(oldData, from).CopyTo(pack.AsSpan(newData));
        pack.AsSpan(oldData + end, dataLength - end).CopyTo(pack.AsSpan(newData + from));
        BinaryPrimitives.WriteUInt16LittleEndian(pack.AsSpan(start), (ushort)(count - 1));
    }

    /// <summary>The bytes in use (count, offsets, members), without the spare room after them.</summary>
    public static ReadOnlySpan<byte> Used(byte[] pack, int start)
    {
        int count = Count(pack, start);
        return pack.AsSpan(start, DataStart(0, count) + (count == 0 ? 0 : EndOf(pack, start, count - 1)));
    }

    private static int DataStart(int start, int count) => start + 2 + (2 * count);

    private static int EndOf(byte[] pack, int start, int index) => BinaryPrimitives.ReadUInt16LittleEndian(pack.AsSpan(start + 2 + (2 * index)));
}
