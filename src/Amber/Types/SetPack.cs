using System.Buffers.Binary;

namespace Amber.Types;

/// <summary>
/// The compact form of a small set that is not an intset: one byte array holding the member count, the end offset of
/// each member (16-bit, relative to the start of the member bytes) and the member bytes, in insertion order, searched
/// linearly. Redis 7.0 keeps such a set in a hash table (~87 bytes a member for short words, docs/benchmarks.md); this
/// costs the member bytes plus 2. The encoding stays invisible: OBJECT ENCODING says "hashtable" and RDB writes a
/// plain set, as Redis 7.0 would. Up to <see cref="MaxEntries"/> members of at most <see cref="MaxMemberLength"/>
/// bytes (Redis 7.2's set-max-listpack defaults), so offsets fit 16 bits. The array has room to the next multiple of
/// 8 bytes (what the allocator rounds it to anyway) and is changed in place within it. The shared
/// <see cref="Empty"/> has no room and is never written.
/// </summary>
internal static class SetPack
{
    public const int MaxEntries = 128;
    public const int MaxMemberLength = 64;

    public static readonly byte[] Empty = new byte[2];

    public static int Count(byte[] pack) => BinaryPrimitives.ReadUInt16LittleEndian(pack);

    /// <summary>Whether a set of <paramref name="count"/> members, the longest <paramref name="longest"/> bytes, fits.</summary>
    public static bool Fits(int count, int longest) => count <= MaxEntries && longest <= MaxMemberLength;

    public static ReadOnlySpan<byte> MemberAt(byte[] pack, int index)
    {
        int count = Count(pack);
        int data = DataStart(count);
        int start = index == 0 ? 0 : EndOf(pack, index - 1);
        return new ReadOnlySpan<byte>(pack, data + start, EndOf(pack, index) - start);
    }

    /// <summary>The index of a member, or -1.</summary>
    public static int IndexOf(byte[] pack, ReadOnlySpan<byte> member)
    {
        int count = Count(pack);
        int data = DataStart(count);
        int start = 0;
        for (int i = 0; i < count; i++)
        {
            int end = EndOf(pack, i);
            if (end - start == member.Length && member.SequenceEqual(new ReadOnlySpan<byte>(pack, data + start, end - start)))
            {
                return i;
            }
            start = end;
        }
        return -1;
    }

    /// <summary>Appends a member (known absent and within the limits); returns the pack, a new one when out of room.</summary>
    public static byte[] Add(byte[] pack, ReadOnlySpan<byte> member)
    {
        int count = Count(pack);
        int dataLength = count == 0 ? 0 : EndOf(pack, count - 1);
        int oldData = DataStart(count);
        int newData = DataStart(count + 1);
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
        BinaryPrimitives.WriteUInt16LittleEndian(target.AsSpan(2 + (2 * count)), (ushort)(dataLength + member.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)(count + 1));
        return target;
    }

    /// <summary>Removes the member at <paramref name="index"/> in place; later members move down one index.</summary>
    public static void RemoveAt(byte[] pack, int index)
    {
        int count = Count(pack);
        int oldData = DataStart(count);
        int newData = DataStart(count - 1);
        int start = index == 0 ? 0 : EndOf(pack, index - 1);
        int end = EndOf(pack, index);
        int removed = end - start;
        int dataLength = EndOf(pack, count - 1);
        // Offsets after the removed one shift down a slot and lose the removed length.
        for (int i = index + 1; i < count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(pack.AsSpan(2 + (2 * (i - 1))), (ushort)(EndOf(pack, i) - removed));
        }
        // Member bytes: those before the hole move down 2 (the table lost a slot), those after it 2 + removed.
        pack.AsSpan(oldData, start).CopyTo(pack.AsSpan(newData));
        pack.AsSpan(oldData + end, dataLength - end).CopyTo(pack.AsSpan(newData + start));
        BinaryPrimitives.WriteUInt16LittleEndian(pack, (ushort)(count - 1));
    }

    /// <summary>A copy with just the bytes in use.</summary>
    public static byte[] Copy(byte[] pack)
    {
        int count = Count(pack);
        return count == 0 ? Empty : pack.AsSpan(0, DataStart(count) + EndOf(pack, count - 1)).ToArray();
    }

    private static int DataStart(int count) => 2 + (2 * count);

    private static int EndOf(byte[] pack, int index) => BinaryPrimitives.ReadUInt16LittleEndian(pack.AsSpan(2 + (2 * index)));
}
