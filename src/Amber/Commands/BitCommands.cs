using System.Numerics;
using System.Runtime.InteropServices;
using Amber.Keyspace;

namespace Amber.Commands;

/// <summary>SETBIT GETBIT BITCOUNT BITPOS BITOP: strings as bit arrays, bit 0 being the high bit of byte 0.</summary>
internal static class BitCommands
{
    public static void Register(CommandTable t)
    {
        const CommandFlags Write = CommandFlags.Write | CommandFlags.DenyOom;
        t.Add(new("setbit", 4, Write, 1, 1, 1, "write bitmap slow", SetBit) { Group = "bitmap", Since = "2.2.0", Complexity = "O(1)", Summary = "Sets or clears one bit, growing the string as needed." });
        t.Add(new("getbit", 3, CommandFlags.ReadOnly | CommandFlags.Fast, 1, 1, 1, "read bitmap fast", GetBit) { Group = "bitmap", Since = "2.2.0", Complexity = "O(1)", Summary = "Returns one bit of a string." });
        t.Add(new("bitcount", -2, CommandFlags.ReadOnly, 1, 1, 1, "read bitmap slow", BitCount) { Group = "bitmap", Since = "2.6.0", Complexity = "O(N)", Summary = "Counts the set bits of a string or of a byte or bit range." });
        t.Add(new("bitpos", -3, CommandFlags.ReadOnly, 1, 1, 1, "read bitmap slow", BitPos) { Group = "bitmap", Since = "2.8.7", Complexity = "O(N)", Summary = "Finds the first set or clear bit in a string or range." });
        t.Add(new("bitop", -4, Write, 2, -1, 1, "write bitmap slow", BitOp) { Group = "bitmap", Since = "2.6.0", Complexity = "O(N)", Summary = "Stores the AND, OR, XOR or NOT of strings in a key." });
    }

    /// <summary>
    /// Redis's getBitOffsetFromArgument: a non-negative integer (or "#n" meaning n × <paramref name="bits"/> when
    /// <paramref name="hash"/>), whose byte must lie below proto-max-bulk-len.
    /// </summary>
    internal static bool TryGetBitOffset(CommandContext ctx, int index, bool hash, int bits, out long offset)
    {
        ReadOnlySpan<byte> text = ctx.Arg(index);
        bool useHash = hash && text.Length > 0 && text[0] == (byte)'#';
        if (!CommandContext.TryParseLong(useHash ? text[1..] : text, out offset))
        {
            ctx.Error(Errors.BitOffset);
            return false;
        }
        if (useHash)
        {
            offset = unchecked(offset * bits);
        }
        if (offset < 0 || (offset >> 3) >= StringCommands.MaxStringLength(ctx))
        {
            ctx.Error(Errors.BitOffset);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Redis's lookupStringForBitCommand: the string at argument 1, created or zero-padded so bit
    /// <paramref name="maxBit"/> exists. <paramref name="grew"/> tells whether the key was created or lengthened.
    /// The value becomes "raw" as Redis unshares it for writing.
    /// </summary>
    internal static bool TryGetStringForBitWrite(CommandContext ctx, long maxBit, out Entry entry, out Span<byte> value, out bool grew)
    {
        entry = null!;
        value = default;
        grew = false;
        if (!StringCommands.TryGetStringForWrite(ctx, ctx.Arg(1), out Entry? found))
        {
            return false;
        }
        int needed = (int)((maxBit >> 3) + 1);
        if (found == null)
        {
            found = ctx.Db.AddString(ctx.Arg(1), default);
            grew = true;
        }
        entry = found;
        grew |= entry.StringLength < needed;
        value = entry.GrowString(needed);
        entry.ForceRawEncoding = true;
        return true;
    }

    private static void SetBit(CommandContext ctx)
    {
        if (!TryGetBitOffset(ctx, 2, false, 0, out long offset))
        {
            return;
        }
        if (!CommandContext.TryParseLong(ctx.Arg(3), out long on) || (on & ~1L) != 0)
        {
            ctx.Error(Errors.BitValue);
            return;
        }
        if (!TryGetStringForBitWrite(ctx, offset, out _, out Span<byte> value, out bool grew))
        {
            return;
        }
        int index = (int)(offset >> 3);
        int mask = 1 << (7 - (int)(offset & 7));
        bool old = (value[index] & mask) != 0;
        value[index] = (byte)(on != 0 ? value[index] | mask : value[index] & ~mask);
        // As Redis 7.0: a bit set to the value it had, in a string that did not grow, changes nothing.
        if (grew || old != (on != 0))
        {
            ctx.KeyWritten(ctx.Arg(1), Notifications.NotifyFlags.String, "setbit");
        }
        ctx.Reply.WriteInteger(old ? 1 : 0);
    }

    private static void GetBit(CommandContext ctx)
    {
        if (!TryGetBitOffset(ctx, 2, false, 0, out long offset))
        {
            return;
        }
        if (!StringCommands.TryGetString(ctx, ctx.Arg(1), out Entry? found))
        {
            return;
        }
        ReadOnlySpan<byte> value = found == null ? default : found.StringValue;
        long index = offset >> 3;
        bool set = index < value.Length && (value[(int)index] & (1 << (7 - (int)(offset & 7)))) != 0;
        ctx.Reply.WriteInteger(set ? 1 : 0);
    }

    /// <summary>Parses BYTE|BIT; false (after replying a syntax error) for anything else.</summary>
    private static bool TryGetUnit(CommandContext ctx, int index, out bool bits)
    {
        bits = ctx.ArgIs(index, "bit");
        if (bits || ctx.ArgIs(index, "byte"))
        {
            return true;
        }
        ctx.SyntaxError();
        return false;
    }

    private static void BitCount(CommandContext ctx)
    {
        // Redis 7.0 looks the key up first: a missing key counts 0 whatever the other arguments are.
        if (!StringCommands.TryGetString(ctx, ctx.Arg(1), out Entry? found))
        {
            return;
        }
        if (found == null)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ReadOnlySpan<byte> value = found.StringValue;
        long startBit;
        long endBit;
        if (ctx.ArgCount == 4 || ctx.ArgCount == 5)
        {
            if (!ctx.TryGetLong(2, out long start) || !ctx.TryGetLong(3, out long end))
            {
                return;
            }
            if (start < 0 && end < 0 && start > end)
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            bool isBit = false;
            if (ctx.ArgCount == 5 && !TryGetUnit(ctx, 4, out isBit))
            {
                return;
            }
            if (!ClampRange(value.Length, isBit, ref start, ref end))
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            startBit = isBit ? start : start * 8;
            endBit = isBit ? end : end * 8 + 7;
        }
        else if (ctx.ArgCount == 2)
        {
            startBit = 0;
            endBit = (long)value.Length * 8 - 1;
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        ctx.Reply.WriteInteger(endBit < startBit ? 0 : CountBits(value, startBit, endBit));
    }

    /// <summary>Turns a start/end pair into an in-range inclusive interval (Redis's index rules); false when empty.</summary>
    private static bool ClampRange(long length, bool isBit, ref long start, ref long end)
    {
        long total = isBit ? length * 8 : length;
        if (start < 0)
        {
            start += total;
        }
        if (end < 0)
        {
            end += total;
        }
        start = Math.Max(start, 0);
        end = Math.Max(end, 0);
        if (end >= total)
        {
            end = total - 1;
        }
        return start <= end;
    }

    /// <summary>Number of set bits in the inclusive bit range.</summary>
    private static long CountBits(ReadOnlySpan<byte> value, long startBit, long endBit)
    {
        int first = (int)(startBit >> 3);
        int last = (int)(endBit >> 3);
        long count = PopCount(value.Slice(first, last - first + 1));
        // Remove the bits of the edge bytes that lie outside the range.
        int headMask = ~(0xFF >> (int)(startBit & 7)) & 0xFF;
        int tailMask = (1 << (7 - (int)(endBit & 7))) - 1;
        count -= BitOperations.PopCount((uint)(value[first] & headMask));
        count -= BitOperations.PopCount((uint)(value[last] & tailMask));
        return count;
    }

    internal static long PopCount(ReadOnlySpan<byte> bytes)
    {
        long count = 0;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong w in words)
        {
            count += BitOperations.PopCount(w);
        }
        for (int i = words.Length * 8; i < bytes.Length; i++)
        {
            count += BitOperations.PopCount(bytes[i]);
        }
        return count;
    }

    private static void BitPos(CommandContext ctx)
    {
        if (!ctx.TryGetLong(2, out long bit))
        {
            return;
        }
        if (bit != 0 && bit != 1)
        {
            ctx.Error(Errors.BitArgument);
            return;
        }
        if (!StringCommands.TryGetString(ctx, ctx.Arg(1), out Entry? found))
        {
            return;
        }
        if (found == null)
        {
            // A missing key is an endless run of zero bits.
            ctx.Reply.WriteInteger(bit == 1 ? -1 : 0);
            return;
        }
        ReadOnlySpan<byte> value = found.StringValue;
        long startBit;
        long endBit;
        bool endGiven = false;
        if (ctx.ArgCount >= 4 && ctx.ArgCount <= 6)
        {
            if (!ctx.TryGetLong(3, out long start))
            {
                return;
            }
            bool isBit = false;
            if (ctx.ArgCount == 6 && !TryGetUnit(ctx, 5, out isBit))
            {
                return;
            }
            long end;
            if (ctx.ArgCount >= 5)
            {
                if (!ctx.TryGetLong(4, out end))
                {
                    return;
                }
                endGiven = true;
            }
            else
            {
                end = isBit ? (long)value.Length * 8 - 1 : value.Length - 1;
            }
            if (!ClampRange(value.Length, isBit, ref start, ref end))
            {
                ctx.Reply.WriteInteger(-1);
                return;
            }
            startBit = isBit ? start : start * 8;
            endBit = isBit ? end : end * 8 + 7;
        }
        else if (ctx.ArgCount == 3)
        {
            startBit = 0;
            endBit = (long)value.Length * 8 - 1;
            if (endBit < 0)
            {
                ctx.Reply.WriteInteger(-1);
                return;
            }
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        long pos = FindBit(value, startBit, endBit, bit == 1);
        if (pos < 0 && bit == 0 && !endGiven)
        {
            // Without an explicit end, the string continues with zero bits to the right.
            pos = ((endBit >> 3) + 1) * 8;
        }
        ctx.Reply.WriteInteger(pos);
    }

    /// <summary>The first bit equal to <paramref name="set"/> within the inclusive range, or -1.</summary>
    private static long FindBit(ReadOnlySpan<byte> value, long startBit, long endBit, bool set)
    {
        int first = (int)(startBit >> 3);
        int last = (int)(endBit >> 3);
        byte skip = set ? (byte)0 : (byte)0xFF;
        for (int i = first; i <= last;)
        {
            if (i != first && i != last)
            {
                // Whole bytes: jump over the ones that cannot contain the bit.
                int rel = value.Slice(i, last - i).IndexOfAnyExcept(skip);
                if (rel < 0)
                {
                    i = last;
                    continue;
                }
                i += rel;
            }
            int b = set ? value[i] : ~value[i] & 0xFF;
            if (i == first)
            {
                b &= 0xFF >> (int)(startBit & 7);
            }
            if (i == last)
            {
                b &= ~((1 << (7 - (int)(endBit & 7))) - 1) & 0xFF;
            }
            if (b != 0)
            {
                return (long)i * 8 + BitOperations.LeadingZeroCount((uint)b) - 24;
            }
            i++;
        }
        return -1;
    }

    private static void BitOp(CommandContext ctx)
    {
        int op;
        if (ctx.ArgIs(1, "and"))
        {
            op = 0;
        }
        else if (ctx.ArgIs(1, "or"))
        {
            op = 1;
        }
        else if (ctx.ArgIs(1, "xor"))
        {
            op = 2;
        }
        else if (ctx.ArgIs(1, "not"))
        {
            op = 3;
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        if (op == 3 && ctx.ArgCount != 4)
        {
            ctx.Error(Errors.BitopNotArity);
            return;
        }
        int sourceCount = ctx.ArgCount - 3;
        var sources = new Entry?[sourceCount];
        int maxLength = 0;
        for (int i = 0; i < sourceCount; i++)
        {
            if (!StringCommands.TryGetString(ctx, ctx.Arg(i + 3), out Entry? found))
            {
                return;
            }
            sources[i] = found;
            maxLength = Math.Max(maxLength, found?.StringLength ?? 0);
        }
        if (maxLength == 0)
        {
            if (ctx.Db.Delete(ctx.Arg(2)))
            {
                ctx.KeyWritten(ctx.Arg(2), Notifications.NotifyFlags.Generic, "del");
            }
            ctx.Reply.WriteInteger(0);
            return;
        }
        byte[] result = new byte[maxLength];
        if (op == 3)
        {
            ReadOnlySpan<byte> src = sources[0]!.StringValue;
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (byte)~src[i];
            }
        }
        else
        {
            Combine(result, sources, op);
        }
        Entry e = ctx.Db.SetString(ctx.Arg(2), result, ctx.NowMs);
        e.ForceRawEncoding = true;
        ctx.KeyWritten(ctx.Arg(2), Notifications.NotifyFlags.String, "set");
        ctx.Reply.WriteInteger(maxLength);
    }

    /// <summary>AND/OR/XOR of the sources into <paramref name="result"/>; a short or missing source reads as zero bytes.</summary>
    private static void Combine(byte[] result, Entry?[] sources, int op)
    {
        Span<ulong> dst = MemoryMarshal.Cast<byte, ulong>(result.AsSpan());
        (sources[0] is { } first ? first.StringValue : default).CopyTo(result);
        for (int s = 1; s < sources.Length; s++)
        {
            ReadOnlySpan<byte> src = sources[s] is { } source ? source.StringValue : default;
            int n = src.Length;
            if (op == 0)
            {
                // AND: bytes past this source's end become zero.
                result.AsSpan(Math.Min(n, result.Length)).Clear();
            }
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(src);
            int w = Math.Min(words.Length, dst.Length);
            for (int i = 0; i < w; i++)
            {
                dst[i] = op switch
                {
                    0 => dst[i] & words[i],
                    1 => dst[i] | words[i],
                    _ => dst[i] ^ words[i],
                };
            }
            for (int i = w * 8; i < n; i++)
            {
                result[i] = op switch
                {
                    0 => (byte)(result[i] & src[i]),
                    1 => (byte)(result[i] | src[i]),
                    _ => (byte)(result[i] ^ src[i]),
                };
            }
        }
    }
}
