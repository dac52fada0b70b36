using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Amber.Persistence.Rdb;

/// <summary>
/// Redis's CRC-64/Jones (spec §1.13): reflected polynomial 0x95AC9329AC4BC9B5, init 0, no final xor.
/// Check value for "123456789" is 0xE9C6D914C4B8D9CA. RDB files and DUMP payloads end with it, little-endian.
/// </summary>
/// <remarks>
/// Two kernels. On x86 with PCLMULQDQ, long inputs are folded 16 bytes at a time with carry-less multiplication
/// (the 128-bit remainder is reduced by the table at the end); everything else uses slicing-by-8, where eight derived
/// tables let one step consume a whole 64-bit word instead of one byte. Loading checks every byte of a file, so this
/// is on the load path's critical line.
/// </remarks>
internal static class Crc64
{
    /// <summary>The reflected form of the Jones polynomial 0xAD93D23594C935A9.</summary>
    public const ulong ReflectedPolynomial = 0x95AC9329AC4BC9B5UL;

    private const int SliceCount = 8;

    /// <summary>Table k at [k*256 + b]: the CRC contribution of byte b followed by k zero bytes.</summary>
    private static readonly ulong[] s_tables = BuildTables();

    /// <summary>Inputs at least this long take the carry-less multiplication path.</summary>
    private const int FoldThreshold = 64;

    /// <summary>
    /// Fold constants, bit-reflected: x^191 mod P for the earlier 64 bits of the 128-bit remainder, x^127 mod P for
    /// the later ones. (A reflected carry-less product comes out multiplied by an extra x, hence 191 and 127 rather
    /// than 192 and 128, the distances the two halves move when 16 more bytes are folded in.)
    /// </summary>
    private static readonly Vector128<ulong> s_foldConstants =
        Vector128.Create(ReflectedXPowerModP(191), ReflectedXPowerModP(127));

    /// <summary>Continues a running CRC over <paramref name="data"/>. Start with 0.</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        if (data.Length >= FoldThreshold && Pclmulqdq.IsSupported)
        {
            return UpdateFolding(crc, data);
        }
        return UpdateTable(crc, data);
    }

    /// <summary>
    /// Treats the running CRC as xored into the first 8 bytes (the same polynomial), then repeatedly replaces the
    /// leading 16 bytes R by R·x^128 mod P, a 128-bit value congruent to them, xored into the next 16 bytes. What
    /// remains is a 16-byte message with the same CRC as everything folded, finished by the table with the tail.
    /// </summary>
    private static ulong UpdateFolding(ulong crc, ReadOnlySpan<byte> data)
    {
        // x86 is little-endian: the vector lanes hold the bytes in the order the reflected CRC consumes them.
        ref byte start = ref MemoryMarshal.GetReference(data);
        Vector128<ulong> remainder = Vector128.LoadUnsafe(ref start).AsUInt64() ^ Vector128.CreateScalar(crc);
        Vector128<ulong> k = s_foldConstants;
        int p = 16;
        for (; p + 16 <= data.Length; p += 16)
        {
            Vector128<ulong> next = Vector128.LoadUnsafe(ref start, (nuint)p).AsUInt64();
            remainder = Pclmulqdq.CarrylessMultiply(remainder, k, 0x00)
                ^ Pclmulqdq.CarrylessMultiply(remainder, k, 0x11)
                ^ next;
        }
        Span<byte> folded = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(folded, remainder.GetElement(0));
        BinaryPrimitives.WriteUInt64LittleEndian(folded[8..], remainder.GetElement(1));
        return UpdateTable(UpdateTable(0, folded), data[p..]);
    }

    /// <summary>x^n mod P in the bit-reflected form the CRC registers use.</summary>
    private static ulong ReflectedXPowerModP(int n)
    {
        const ulong NormalPolynomial = 0xAD93D23594C935A9UL;
        ulong v = 1;
        for (int i = 0; i < n; i++)
        {
            bool carry = (v >> 63) != 0;
            v <<= 1;
            if (carry)
            {
                v ^= NormalPolynomial;
            }
        }
        ulong reflected = 0;
        for (int i = 0; i < 64; i++)
        {
            reflected |= ((v >> i) & 1) << (63 - i);
        }
        return reflected;
    }

    private static ulong UpdateTable(ulong crc, ReadOnlySpan<byte> data)
    {
        ref ulong t = ref MemoryMarshal.GetArrayDataReference(s_tables);
        while (data.Length >= SliceCount)
        {
            ulong x = crc ^ BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = Unsafe.Add(ref t, (7 * 256) + (int)(x & 0xFF))
                ^ Unsafe.Add(ref t, (6 * 256) + (int)((x >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, (5 * 256) + (int)((x >> 16) & 0xFF))
                ^ Unsafe.Add(ref t, (4 * 256) + (int)((x >> 24) & 0xFF))
                ^ Unsafe.Add(ref t, (3 * 256) + (int)((x >> 32) & 0xFF))
                ^ Unsafe.Add(ref t, (2 * 256) + (int)((x >> 40) & 0xFF))
                ^ Unsafe.Add(ref t, 256 + (int)((x >> 48) & 0xFF))
                ^ Unsafe.Add(ref t, (int)(x >> 56));
            data = data[SliceCount..];
        }
        foreach (byte b in data)
        {
            crc = Unsafe.Add(ref t, (int)((crc ^ b) & 0xFF)) ^ (crc >> 8);
        }
        return crc;
    }

    /// <summary>The CRC of <paramref name="data"/> alone.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data) => Update(0, data);

    private static ulong[] BuildTables()
    {
        var tables = new ulong[SliceCount * 256];
        for (int b = 0; b < 256; b++)
        {
            ulong crc = (ulong)b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            }
            tables[b] = crc;
        }
        for (int k = 1; k < SliceCount; k++)
        {
            for (int b = 0; b < 256; b++)
            {
                ulong prev = tables[((k - 1) * 256) + b];
                tables[(k * 256) + b] = (prev >> 8) ^ tables[(int)(prev & 0xFF)];
            }
        }
        return tables;
    }
}
