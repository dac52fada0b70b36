using System.Buffers.Binary;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// Redis's ziplist (spec §1.8), written by Redis up to 6.2 and only loaded now: validated as deep sanitize mode does
/// (header bytes and tail offset, every entry's previous-length and encoding inside the blob, count), then walked by
/// <see cref="Enumerator"/>.
/// </summary>
internal static class ZiplistBlob
{
    private const int HeaderSize = 10;
    private const byte End = 0xFF;
    private const byte BigPrevLen = 254;

    /// <summary>Returns the number of entries, or -1 when the blob is not a valid ziplist.</summary>
    public static int Validate(ReadOnlySpan<byte> zl)
    {
        if (zl.Length < HeaderSize + 1 || BinaryPrimitives.ReadUInt32LittleEndian(zl) != (uint)zl.Length || zl[^1] != End)
        {
            return -1;
        }
        uint tail = BinaryPrimitives.ReadUInt32LittleEndian(zl[4..]);
        int headerCount = BinaryPrimitives.ReadUInt16LittleEndian(zl[8..]);
        if (tail > zl.Length - 1)
        {
            return -1;
        }
        int count = 0;
        int p = HeaderSize;
        int previous = -1;
        long previousSize = 0;
        while (zl[p] != End)
        {
            if (!TryDecodeHeader(zl, p, out long prevLen, out int headerSize, out long dataSize) || prevLen != previousSize)
            {
                return -1;
            }
            long next = p + headerSize + dataSize;
            if (next >= zl.Length)
            {
                return -1;
            }
            previousSize = headerSize + dataSize;
            previous = p;
            p = (int)next;
            count++;
        }
        if (p != zl.Length - 1 || (previous >= 0 && previous != tail) || (headerCount != ushort.MaxValue && headerCount != count))
        {
            return -1;
        }
        return count;
    }

    /// <summary>Decodes an entry's previous-length and encoding; false when invalid or outside the blob.</summary>
    private static bool TryDecodeHeader(ReadOnlySpan<byte> zl, int p, out long prevLen, out int headerSize, out long dataSize)
    {
        prevLen = 0;
        headerSize = 0;
        dataSize = 0;
        int q = p;
        if (zl[q] < BigPrevLen)
        {
            prevLen = zl[q];
            q++;
        }
        else
        {
            if (q + 5 >= zl.Length)
            {
                return false;
            }
            prevLen = BinaryPrimitives.ReadUInt32LittleEndian(zl[(q + 1)..]);
            q += 5;
        }
        byte enc = zl[q];
        switch (enc >> 6)
        {
            case 0:
                dataSize = enc & 0x3F;
                q += 1;
                break;
            case 1:
                if (q + 1 >= zl.Length)
                {
                    return false;
                }
                dataSize = ((enc & 0x3F) << 8) | zl[q + 1];
                q += 2;
                break;
            case 2:
                if (q + 4 >= zl.Length)
                {
                    return false;
                }
                dataSize = BinaryPrimitives.ReadUInt32BigEndian(zl[(q + 1)..]);
                q += 5;
                break;
            default:
                dataSize = IntegerSize(enc);
                if (dataSize < 0)
                {
                    return false;
                }
                q += 1;
                break;
        }
        headerSize = q - p;
        return q < zl.Length;
    }

    private static int IntegerSize(byte enc) => enc switch
    {
        0xC0 => 2,
        0xD0 => 4,
        0xE0 => 8,
        0xF0 => 3,
        0xFE => 1,
        >= 0xF1 and <= 0xFD => 0,
        _ => -1,
    };

    /// <summary>Walks the entries of a validated ziplist.</summary>
    public ref struct Enumerator : IBlobEnumerator
    {
        private readonly ReadOnlySpan<byte> _zl;
        private int _p;

        public Enumerator(ReadOnlySpan<byte> validated)
        {
            _zl = validated;
            _p = HeaderSize;
        }

        public BlobEntry Current { get; private set; }

        public bool MoveNext()
        {
            ReadOnlySpan<byte> zl = _zl;
            int p = _p;
            if (zl[p] == End)
            {
                return false;
            }
            int q = zl[p] < BigPrevLen ? p + 1 : p + 5;
            byte enc = zl[q];
            TryDecodeHeader(zl, p, out _, out int headerSize, out long dataSize);
            int data = p + headerSize;
            if ((enc >> 6) != 3)
            {
                Current = BlobEntry.OfString(zl.Slice(data, (int)dataSize));
            }
            else
            {
                Current = BlobEntry.OfInteger(enc switch
                {
                    0xC0 => BinaryPrimitives.ReadInt16LittleEndian(zl[data..]),
                    0xD0 => BinaryPrimitives.ReadInt32LittleEndian(zl[data..]),
                    0xE0 => BinaryPrimitives.ReadInt64LittleEndian(zl[data..]),
                    0xF0 => (zl[data] | (zl[data + 1] << 8) | (zl[data + 2] << 16)) << 8 >> 8,
                    0xFE => (sbyte)zl[data],
                    _ => (enc & 0x0F) - 1,
                });
            }
            _p = data + (int)dataSize;
            return true;
        }
    }
}
