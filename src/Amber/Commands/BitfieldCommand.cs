using Amber.Keyspace;

namespace Amber.Commands;

/// <summary>
/// BITFIELD and BITFIELD_RO: signed (i1..i64) and unsigned (u1..u63) integers at any bit offset of a string,
/// with GET, SET, INCRBY and OVERFLOW WRAP|SAT|FAIL. All operations are parsed before any runs.
/// </summary>
internal static class BitfieldCommand
{
    public static void Register(CommandTable t)
    {
        t.Add(new("bitfield", -2, CommandFlags.Write | CommandFlags.DenyOom, 1, 1, 1, "write bitmap slow", Bitfield) { Group = "bitmap", Since = "3.2.0", Complexity = "O(1) per operation", Summary = "Reads, writes and increments integers stored at bit offsets of a string." });
        t.Add(new("bitfield_ro", -2, CommandFlags.ReadOnly | CommandFlags.Fast, 1, 1, 1, "read bitmap fast", BitfieldRo) { Group = "bitmap", Since = "6.0.0", Complexity = "O(1) per operation", Summary = "Reads integers stored at bit offsets of a string." });
    }

    private enum OpCode : byte
    {
        Get,
        Set,
        IncrBy,
    }

    private enum Overflow : byte
    {
        Wrap,
        Sat,
        Fail,
    }

    private struct Op
    {
        public long Offset;
        public long Value;
        public OpCode Code;
        public Overflow Overflow;
        public byte Bits;
        public bool Signed;
    }

    private static void Bitfield(CommandContext ctx) => Run(ctx, readOnlyCommand: false);

    private static void BitfieldRo(CommandContext ctx) => Run(ctx, readOnlyCommand: true);

    private static void Run(CommandContext ctx, bool readOnlyCommand)
    {
        int maxOps = (ctx.ArgCount - 2) / 3 + 1;
        Span<Op> ops = maxOps <= 32 ? stackalloc Op[maxOps] : new Op[maxOps];
        int count = 0;
        Overflow overflow = Overflow.Wrap;
        bool readOnly = true;
        long highestWriteBit = 0;
        for (int j = 2; j < ctx.ArgCount; j++)
        {
            int remaining = ctx.ArgCount - j - 1;
            OpCode code;
            if (ctx.ArgIs(j, "get") && remaining >= 2)
            {
                code = OpCode.Get;
            }
            else if (ctx.ArgIs(j, "set") && remaining >= 3)
            {
                code = OpCode.Set;
            }
            else if (ctx.ArgIs(j, "incrby") && remaining >= 3)
            {
                code = OpCode.IncrBy;
            }
            else if (ctx.ArgIs(j, "overflow") && remaining >= 1)
            {
                j++;
                if (ctx.ArgIs(j, "wrap"))
                {
                    overflow = Overflow.Wrap;
                }
                else if (ctx.ArgIs(j, "sat"))
                {
                    overflow = Overflow.Sat;
                }
                else if (ctx.ArgIs(j, "fail"))
                {
                    overflow = Overflow.Fail;
                }
                else
                {
                    ctx.Error(Errors.BitfieldOverflowType);
                    return;
                }
                continue;
            }
            else
            {
                ctx.SyntaxError();
                return;
            }
            if (!TryGetType(ctx.Arg(j + 1), out bool signed, out int bits))
            {
                ctx.Error(Errors.BitfieldType);
                return;
            }
            if (!BitCommands.TryGetBitOffset(ctx, j + 2, true, bits, out long offset))
            {
                return;
            }
            long value = 0;
            if (code != OpCode.Get)
            {
                readOnly = false;
                highestWriteBit = Math.Max(highestWriteBit, offset + bits - 1);
                if (!ctx.TryGetLong(j + 3, out value))
                {
                    return;
                }
            }
            ops[count++] = new Op { Offset = offset, Value = value, Code = code, Overflow = overflow, Bits = (byte)bits, Signed = signed };
            j += code == OpCode.Get ? 2 : 3;
        }

        // A missing key reads as zero bits (an empty span).
        ReadOnlySpan<byte> data;
        Span<byte> writable = default;
        bool grew = false;
        if (readOnly)
        {
            if (!StringCommands.TryGetString(ctx, ctx.Arg(1), out Entry? found))
            {
                return;
            }
            data = found == null ? default : found.StringValue;
        }
        else
        {
            if (readOnlyCommand)
            {
                ctx.Error(Errors.BitfieldReadOnly);
                return;
            }
            if (!BitCommands.TryGetStringForBitWrite(ctx, highestWriteBit, out Entry _, out writable, out grew))
            {
                return;
            }
            data = writable;
        }

        ctx.Reply.WriteArrayHeader(count);
        long changes = 0;
        for (int i = 0; i < count; i++)
        {
            ref Op op = ref ops[i];
            if (op.Code == OpCode.Get)
            {
                ulong raw = ReadBits(data, op.Offset, op.Bits);
                ctx.Reply.WriteInteger(op.Signed ? SignExtend(raw, op.Bits) : (long)raw);
                continue;
            }
            // As Redis 7.0: a write counts when it changed the bits or the string was created or grown, unless it failed.
            if (Execute(ctx, writable, ref op) is { } changed && (changed || grew))
            {
                changes++;
            }
        }
        if (changes > 0)
        {
            ctx.KeyWritten(ctx.Arg(1), Notifications.NotifyFlags.String, "setbit", changes);
        }
    }

    /// <summary>Runs a SET or INCRBY; returns whether it changed the bits, or null when it failed (OVERFLOW FAIL).</summary>
    private static bool? Execute(CommandContext ctx, Span<byte> data, ref Op op)
    {
        ulong raw = ReadBits(data, op.Offset, op.Bits);
        bool overflowed;
        long reply;
        ulong store;
        if (op.Signed)
        {
            long old = SignExtend(raw, op.Bits);
            long result;
            if (op.Code == OpCode.IncrBy)
            {
                overflowed = SignedOverflow(old, op.Value, op.Bits, op.Overflow, out long limit);
                result = overflowed ? limit : unchecked(old + op.Value);
                reply = result;
            }
            else
            {
                overflowed = SignedOverflow(op.Value, 0, op.Bits, op.Overflow, out long limit);
                result = overflowed ? limit : op.Value;
                reply = old;
            }
            store = (ulong)result;
        }
        else
        {
            ulong old = raw;
            ulong result;
            if (op.Code == OpCode.IncrBy)
            {
                overflowed = UnsignedOverflow(old, op.Value, op.Bits, op.Overflow, out ulong limit);
                result = overflowed ? limit : unchecked(old + (ulong)op.Value);
                reply = (long)result;
            }
            else
            {
                overflowed = UnsignedOverflow((ulong)op.Value, 0, op.Bits, op.Overflow, out ulong limit);
                result = overflowed ? limit : (ulong)op.Value;
                reply = (long)old;
            }
            store = result;
        }
        if (overflowed && op.Overflow == Overflow.Fail)
        {
            ctx.Reply.WriteNull();
            return null;
        }
        ctx.Reply.WriteInteger(reply);
        WriteBits(data, op.Offset, op.Bits, store);
        return ReadBits(data, op.Offset, op.Bits) != raw;
    }

    /// <summary>"i1".."i64" or "u1".."u63", lowercase prefix only (Redis reads the number up to a NUL byte).</summary>
    private static bool TryGetType(ReadOnlySpan<byte> text, out bool signed, out int bits)
    {
        signed = false;
        bits = 0;
        if (text.Length == 0 || (text[0] != (byte)'i' && text[0] != (byte)'u'))
        {
            return false;
        }
        signed = text[0] == (byte)'i';
        ReadOnlySpan<byte> number = text[1..];
        int nul = number.IndexOf((byte)0);
        if (nul >= 0)
        {
            number = number[..nul];
        }
        if (!CommandContext.TryParseLong(number, out long n) || n < 1 || n > (signed ? 64 : 63))
        {
            return false;
        }
        bits = (int)n;
        return true;
    }

    /// <summary>The <paramref name="bits"/>-bit big-endian field at a bit offset; bytes past the end read as zero.</summary>
    private static ulong ReadBits(ReadOnlySpan<byte> data, long offset, int bits)
    {
        ulong value = 0;
        for (int i = 0; i < bits; i++, offset++)
        {
            long index = offset >> 3;
            int bit = index < data.Length ? (data[(int)index] >> (7 - (int)(offset & 7))) & 1 : 0;
            value = (value << 1) | (uint)bit;
        }
        return value;
    }

    private static void WriteBits(Span<byte> data, long offset, int bits, ulong value)
    {
        for (int i = bits - 1; i >= 0; i--, offset++)
        {
            long index = offset >> 3;
            int mask = 1 << (7 - (int)(offset & 7));
            if (((value >> i) & 1) != 0)
            {
                data[(int)index] = (byte)(data[(int)index] | mask);
            }
            else
            {
                data[(int)index] = (byte)(data[(int)index] & ~mask);
            }
        }
    }

    private static long SignExtend(ulong raw, int bits)
    {
        if (bits < 64 && (raw & (1UL << (bits - 1))) != 0)
        {
            raw |= ulong.MaxValue << bits;
        }
        return (long)raw;
    }

    /// <summary>Redis's checkUnsignedBitfieldOverflow: true on overflow, with the wrapped or saturated result in <paramref name="limit"/>.</summary>
    private static bool UnsignedOverflow(ulong value, long increment, int bits, Overflow mode, out ulong limit)
    {
        limit = 0;
        ulong max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        long maxIncrement = unchecked((long)(max - value));
        long minIncrement = unchecked(-(long)value);
        if (value > max || (increment > 0 && increment > maxIncrement))
        {
            limit = mode == Overflow.Wrap ? Wrap() : max;
            return true;
        }
        if (increment < 0 && increment < minIncrement)
        {
            limit = mode == Overflow.Wrap ? Wrap() : 0;
            return true;
        }
        return false;

        ulong Wrap()
        {
            ulong mask = ulong.MaxValue << bits;
            return unchecked(value + (ulong)increment) & ~mask;
        }
    }

    /// <summary>Redis's checkSignedBitfieldOverflow.</summary>
    private static bool SignedOverflow(long value, long increment, int bits, Overflow mode, out long limit)
    {
        limit = 0;
        long max = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxIncrement = unchecked((long)((ulong)max - (ulong)value));
        long minIncrement = unchecked(min - value);
        if (value > max || (bits != 64 && increment > maxIncrement) || (value >= 0 && increment > 0 && increment > maxIncrement))
        {
            limit = mode == Overflow.Wrap ? Wrap() : max;
            return true;
        }
        if (value < min || (bits != 64 && increment < minIncrement) || (value < 0 && increment < 0 && increment < minIncrement))
        {
            limit = mode == Overflow.Wrap ? Wrap() : min;
            return true;
        }
        return false;

        long Wrap()
        {
            ulong msb = 1UL << (bits - 1);
            ulong c = unchecked((ulong)value + (ulong)increment);
            if (bits < 64)
            {
                ulong mask = ulong.MaxValue << bits;
                c = (c & msb) != 0 ? c | mask : c & ~mask;
            }
            return (long)c;
        }
    }
}
