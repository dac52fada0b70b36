using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Amber.Persistence.Rdb;

/// <summary>
/// Redis's CRC-64/Jones (spec §1.13): reflected polynomial 0x95AC9329AC4BC9B5, init 0, no final xor.
/// Check value for "123456789" is 0xE9C6D914C4B8D9CA. RDB files and DUMP payloads end with it, little-endian.
/// </summary>
/// <remarks>
/// Slicing-by-8: eight derived tables let one step consume a whole 64-bit word, so loading is not bound by a
/// byte-at-a-time dependency chain (several GB/s instead of a few hundred MB/s).
/// </remarks>
internal static class Crc64
{
    /// <summary>The reflected form of the Jones polynomial 0xAD93D23594C935A9.</summary>
    public const ulong ReflectedPolynomial = 0x95AC9329AC4BC9B5UL;

    private const int SliceCount = 8;

    /// <summary>Table k at [k*256 + b]: the CRC contribution of byte b followed by k zero bytes.</summary>
    private static readonly ulong[] s_tables = BuildTables();

    /// <summary>Continues a running CRC over <paramref name="data"/>. Start with 0.</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
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
