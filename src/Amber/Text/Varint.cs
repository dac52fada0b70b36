using System.Runtime.CompilerServices;

namespace Amber.Text;

/// <summary>
/// Unsigned LEB128 integers (7 bits a byte, low bits first, high bit set on all but the last byte): the length
/// headers of compact byte layouts (an entry's key, a small sorted set's entries).
/// </summary>
internal static class Varint
{
    /// <summary>The bytes <paramref name="value"/> takes.</summary>
    public static int Size(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="at"/>; returns the offset after it.</summary>
    public static int Write(Span<byte> destination, int at, ulong value)
    {
        while (value >= 0x80)
        {
            destination[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[at++] = (byte)value;
        return at;
    }

    /// <summary>Reads the integer at <paramref name="at"/> and moves <paramref name="at"/> past it.</summary>
    /// <remarks>Inlined: an entry's string value is found through its key header on every GET.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read(ReadOnlySpan<byte> source, ref int at)
    {
        ulong value = 0;
        int shift = 0;
        while (true)
        {
            byte b = source[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
            shift += 7;
        }
    }
}
