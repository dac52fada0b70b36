using System.Runtime.CompilerServices;

namespace Amber.Types;

/// <summary>
/// One node of a <see cref="QuickList"/>: a packed run of elements in a single byte array, with free room at
/// both ends so pushes at either end are amortized O(1) without moving the data.
/// <para>
/// Entry layout (like a listpack entry, minus integer encodings):
/// <c>[length as LEB128][bytes][length as LEB128, bytes reversed]</c>. The leading length lets a reader walk
/// forward; the trailing, reversed one lets it walk backward from the end of any entry.
/// </para>
/// Every offset handed out (an "entry position") is the index in <see cref="Buffer"/> of an entry's first byte.
/// </summary>
internal sealed class ListNode
{
    private const int MinCapacity = 16;

    public byte[] Buffer;
    public int Start;
    public int End;
    public int Count;

    /// <summary>An empty node whose free room is placed where it will be filled from.</summary>
    public ListNode(int capacity, bool fillFromHead = false)
    {
        Buffer = new byte[Math.Max(MinCapacity, capacity)];
        Start = End = fillFromHead ? Buffer.Length : 0;
    }

    /// <summary>Bytes of packed entries (what the fill limit is measured against).</summary>
    public int Bytes => End - Start;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int VarSize(int value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;

    public static int EntrySize(int length) => length + 2 * VarSize(length);

    /// <summary>Reads the entry at <paramref name="pos"/>; returns the position just after it.</summary>
    public int Read(int pos, out ReadOnlySpan<byte> value)
    {
        byte[] buf = Buffer;
        int length = 0;
        int shift = 0;
        int p = pos;
        byte b;
        do
        {
            b = buf[p++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        value = new ReadOnlySpan<byte>(buf, p, length);
        return p + length + (p - pos);
    }

    /// <summary>The position of the entry that ends just before <paramref name="end"/>.</summary>
    public int EntryBefore(int end)
    {
        byte[] buf = Buffer;
        int length = 0;
        int shift = 0;
        int p = end;
        byte b;
        do
        {
            b = buf[--p];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        int varSize = end - p;
        return p - length - varSize;
    }

    /// <summary>The position just after the entry at <paramref name="pos"/>.</summary>
    public int EntryAfter(int pos) => Read(pos, out _);

    /// <summary>The position of the entry with the given index in this node, walking from the nearer end.</summary>
    public int Seek(int index)
    {
        if (index < Count / 2)
        {
            int p = Start;
            for (int i = 0; i < index; i++)
            {
                p = EntryAfter(p);
            }
            return p;
        }
        int q = End;
        for (int i = Count; i > index; i--)
        {
            q = EntryBefore(q);
        }
        return q;
    }

    private static void WriteEntry(Span<byte> dest, ReadOnlySpan<byte> value)
    {
        int length = value.Length;
        int n = WriteVar(dest, length);
        value.CopyTo(dest[n..]);
        Span<byte> trailer = dest.Slice(n + length, n);
        WriteVar(trailer, length);
        trailer.Reverse();
    }

    private static int WriteVar(Span<byte> dest, int value)
    {
        uint v = (uint)value;
        int i = 0;
        while (v >= 0x80)
        {
            dest[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        dest[i++] = (byte)v;
        return i;
    }

    public void PushHead(ReadOnlySpan<byte> value)
    {
        int size = EntrySize(value.Length);
        if (Start < size)
        {
            Reallocate(GrowthRoom(size), 0);
        }
        Start -= size;
        WriteEntry(Buffer.AsSpan(Start, size), value);
        Count++;
    }

    public void PushTail(ReadOnlySpan<byte> value)
    {
        int size = EntrySize(value.Length);
        if (Buffer.Length - End < size)
        {
            Reallocate(0, GrowthRoom(size));
        }
        WriteEntry(Buffer.AsSpan(End, size), value);
        End += size;
        Count++;
    }

    /// <summary>Inserts a new entry at <paramref name="pos"/> (an entry position or <see cref="End"/>).</summary>
    public void InsertAt(int pos, ReadOnlySpan<byte> value)
    {
        int size = EntrySize(value.Length);
        int offset = pos - Start;
        if (Buffer.Length - End < size)
        {
            Reallocate(0, GrowthRoom(size));
        }
        int at = Start + offset;
        System.Buffer.BlockCopy(Buffer, at, Buffer, at + size, End - at);
        WriteEntry(Buffer.AsSpan(at, size), value);
        End += size;
        Count++;
    }

    /// <summary>Replaces the entry at <paramref name="pos"/> with <paramref name="value"/>.</summary>
    public void ReplaceAt(int pos, ReadOnlySpan<byte> value)
    {
        int oldEnd = EntryAfter(pos);
        int oldSize = oldEnd - pos;
        int size = EntrySize(value.Length);
        int delta = size - oldSize;
        if (delta > 0 && Buffer.Length - End < delta)
        {
            int offset = pos - Start;
            Reallocate(0, delta + Math.Max(Bytes / 2, MinCapacity));
            pos = Start + offset;
            oldEnd = pos + oldSize;
        }
        if (delta != 0)
        {
            System.Buffer.BlockCopy(Buffer, oldEnd, Buffer, oldEnd + delta, End - oldEnd);
            End += delta;
        }
        WriteEntry(Buffer.AsSpan(pos, size), value);
    }

    /// <summary>Removes the byte range [from, to) holding <paramref name="entries"/> entries, moving the shorter side.</summary>
    public void RemoveRange(int from, int to, int entries)
    {
        int size = to - from;
        if (from - Start <= End - to)
        {
            System.Buffer.BlockCopy(Buffer, Start, Buffer, Start + size, from - Start);
            Start += size;
        }
        else
        {
            System.Buffer.BlockCopy(Buffer, to, Buffer, from, End - to);
            End -= size;
        }
        Count -= entries;
    }

    /// <summary>Removes the entries at positions[from..from+count) (ascending) in one compacting pass.</summary>
    public void RemoveEntries(List<int> positions, int from, int count)
    {
        int write = positions[from];
        for (int i = from; i < from + count; i++)
        {
            int keepFrom = EntryAfter(positions[i]);
            int keepTo = i + 1 < from + count ? positions[i + 1] : End;
            System.Buffer.BlockCopy(Buffer, keepFrom, Buffer, write, keepTo - keepFrom);
            write += keepTo - keepFrom;
        }
        End = write;
        Count -= count;
    }

    /// <summary>Removes the first <paramref name="n"/> entries.</summary>
    public void RemoveHead(int n)
    {
        int p = Start;
        for (int i = 0; i < n; i++)
        {
            p = EntryAfter(p);
        }
        Start = p;
        Count -= n;
    }

    /// <summary>Removes the last <paramref name="n"/> entries.</summary>
    public void RemoveTail(int n)
    {
        int p = End;
        for (int i = 0; i < n; i++)
        {
            p = EntryBefore(p);
        }
        End = p;
        Count -= n;
    }

    /// <summary>Moves the entries from <paramref name="pos"/> on (holding <paramref name="entries"/>) into a new node.</summary>
    public ListNode SplitAt(int pos, int entries)
    {
        int size = End - pos;
        var node = new ListNode(size + MinCapacity);
        node.Start = (node.Buffer.Length - size) / 2;
        node.End = node.Start + size;
        System.Buffer.BlockCopy(Buffer, pos, node.Buffer, node.Start, size);
        node.Count = entries;
        End = pos;
        Count -= entries;
        return node;
    }

    /// <summary>Appends all of <paramref name="next"/>'s entries.</summary>
    public void Append(ListNode next)
    {
        int size = next.Bytes;
        if (Buffer.Length - End < size)
        {
            Reallocate(0, size);
        }
        System.Buffer.BlockCopy(next.Buffer, next.Start, Buffer, End, size);
        End += size;
        Count += next.Count;
    }

    /// <summary>Drops spare room when a node is full and will not grow any more (keeps memory near the data size).</summary>
    public void TrimExcess()
    {
        if (Buffer.Length - Bytes > Math.Max(MinCapacity, Bytes / 8))
        {
            Reallocate(0, 0);
        }
    }

    /// <summary>
    /// Room to add when an entry of <paramref name="size"/> bytes does not fit: half the data again for a growing
    /// node, but only a few bytes while the node is small, so the millions of short lists a keyspace can hold
    /// stay near their data size (bench/memory.sh, docs/benchmarks.md "Memory per element").
    /// </summary>
    private int GrowthRoom(int size) => size + (Bytes < 128 ? 8 : Bytes / 2);

    private void Reallocate(int headRoom, int tailRoom)
    {
        int bytes = Bytes;
        // Rounded up to 8 bytes: the GC aligns objects to 8, so that room costs nothing.
        var buf = new byte[(Math.Max(MinCapacity, bytes + headRoom + tailRoom) + 7) & ~7];
        System.Buffer.BlockCopy(Buffer, Start, buf, headRoom, bytes);
        Buffer = buf;
        Start = headRoom;
        End = headRoom + bytes;
    }
}
