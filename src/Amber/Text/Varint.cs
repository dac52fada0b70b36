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
}
