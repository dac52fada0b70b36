using System.Buffers.Binary;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// Redis's listpack as found in RDB values (spec §1.7): validated entry by entry as redis-check-rdb's deep sanitize
/// mode does (header size, terminator, each entry's encoding and back length inside the blob, element count), then
/// walked by <see cref="Enumerator"/>, which trusts a validated blob.
/// </summary>
internal static class ListpackBlob
{
    private const int HeaderSize = 6;
    private const byte End = 0xFF;
    private const ushort UnknownCount = 65535;

    /// <summary>Checks the whole structure; returns the number of entries, or -1 when the blob is not a valid listpack.</summary>
    public static int Validate(ReadOnlySpan<byte> lp)
    {
        if (lp.Length < HeaderSize + 1 || BinaryPrimitives.ReadUInt32LittleEndian(lp) != (uint)lp.Length || lp[^1] != End)
        {
            return -1;
        }
        int headerCount = BinaryPrimitives.ReadUInt16LittleEndian(lp[4..]);
        int count = 0;
        int p = HeaderSize;
        while (lp[p] != End)
        {
            long size = EncodedSize(lp, p);
            if (size < 0 || p + size >= lp.Length)
            {
                return -1;
            }
            int backlenSize = BacklenSize(size);
            long next = p + size + backlenSize;
            if (next >= lp.Length || DecodeBacklen(lp, (int)next - 1) != size)
            {
                return -1;
            }
            p = (int)next;
            count++;
        }
        if (p != lp.Length - 1 || (headerCount != UnknownCount && headerCount != count))
        {
            return -1;
        }
        return count;
    }

    /// <summary>Size of an entry's encoding and data (without the back length); -1 for an invalid encoding or overrun.</summary>
    private static long EncodedSize(ReadOnlySpan<byte> lp, int p)
    {
        byte b = lp[p];
        if ((b & 0x80) == 0)
        {
            return 1;
        }
        if ((b & 0xC0) == 0x80)
        {
            return 1 + (b & 0x3F);
        }
        if ((b & 0xE0) == 0xC0)
        {
            return 2;
        }
        if ((b & 0xF0) == 0xE0)
        {
            return p + 1 < lp.Length ? 2 + (((b & 0x0F) << 8) | lp[p + 1]) : -1;
        }
        return b switch
        {
            0xF0 => p + 4 < lp.Length ? 5L + BinaryPrimitives.ReadUInt32LittleEndian(lp[(p + 1)..]) : -1,
            0xF1 => 3,
            0xF2 => 4,
            0xF3 => 5,
            0xF4 => 9,
            _ => -1,
        };
    }

    private static int BacklenSize(long size) => size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;

    /// <summary>Reads a back length ending at <paramref name="last"/>: seven bits a byte, the lowest in the last byte.</summary>
    private static long DecodeBacklen(ReadOnlySpan<byte> lp, int last)
    {
        long value = 0;
        int shift = 0;
        int p = last;
        while (true)
        {
            value |= (long)(lp[p] & 0x7F) << shift;
            if ((lp[p] & 0x80) == 0)
            {
                return value;
            }
            shift += 7;
            p--;
            if (shift > 28 || p < 0)
            {
                return -1;
            }
        }
    }

    /// <summary>Walks the entries of a validated listpack.</summary>
    public ref struct Enumerator : IBlobEnumerator
    {
        private readonly ReadOnlySpan<byte> _lp;
        private int _p;

        public Enumerator(ReadOnlySpan<byte> validated)
        {
            _lp = validated;
            _p = HeaderSize;
        }

        public BlobEntry Current { get; private set; }

        public bool MoveNext()
        {
            ReadOnlySpan<byte> lp = _lp;
            int p = _p;
            byte b = lp[p];
            if (b == End)
            {
                return false;
            }
            int size;
            if ((b & 0x80) == 0)
            {
                Current = BlobEntry.OfInteger(b);
                size = 1;
            }
            else if ((b & 0xC0) == 0x80)
            {
                int n = b & 0x3F;
                Current = BlobEntry.OfString(lp.Slice(p + 1, n));
                size = 1 + n;
            }
            else if ((b & 0xE0) == 0xC0)
            {
                int v = ((b & 0x1F) << 8) | lp[p + 1];
                Current = BlobEntry.OfInteger(v >= 1 << 12 ? v - (1 << 13) : v);
                size = 2;
            }
            else if ((b & 0xF0) == 0xE0)
            {
                int n = ((b & 0x0F) << 8) | lp[p + 1];
                Current = BlobEntry.OfString(lp.Slice(p + 2, n));
                size = 2 + n;
            }
            else
            {
                switch (b)
                {
                    case 0xF0:
                        int n = (int)BinaryPrimitives.ReadUInt32LittleEndian(lp[(p + 1)..]);
                        Current = BlobEntry.OfString(lp.Slice(p + 5, n));
                        size = 5 + n;
                        break;
                    case 0xF1:
                        Current = BlobEntry.OfInteger(BinaryPrimitives.ReadInt16LittleEndian(lp[(p + 1)..]));
                        size = 3;
                        break;
                    case 0xF2:
                        // Three bytes little-endian, sign-extended from bit 23.
                        Current = BlobEntry.OfInteger((lp[p + 1] | (lp[p + 2] << 8) | (lp[p + 3] << 16)) << 8 >> 8);
                        size = 4;
                        break;
                    case 0xF3:
                        Current = BlobEntry.OfInteger(BinaryPrimitives.ReadInt32LittleEndian(lp[(p + 1)..]));
                        size = 5;
                        break;
                    default:
                        Current = BlobEntry.OfInteger(BinaryPrimitives.ReadInt64LittleEndian(lp[(p + 1)..]));
                        size = 9;
                        break;
                }
            }
            _p = p + size + BacklenSize(size);
            return true;
        }
    }
}
