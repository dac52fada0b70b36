using System.Buffers.Binary;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// Redis 2.x's zipmap (spec §1.8), loaded into a hash: <c>zmlen</c>, then (len key len free value free-bytes)*, 0xFF.
/// Lengths are one byte below 254, else 254 and four bytes little-endian.
/// </summary>
internal static class ZipmapBlob
{
    private const byte BigLen = 254;
    private const byte End = 0xFF;

    /// <summary>Returns the number of pairs, or -1 when the blob is not a valid, non-empty zipmap.</summary>
    public static int Validate(ReadOnlySpan<byte> zm)
    {
        if (zm.Length < 2)
        {
            return -1;
        }
        int count = 0;
        int p = 1;
        while (zm[p] != End)
        {
            if (!TryLength(zm, ref p, out long keyLength) || p + keyLength >= zm.Length)
            {
                return -1;
            }
            p += (int)keyLength;
            if (!TryLength(zm, ref p, out long valueLength))
            {
                return -1;
            }
            int free = zm[p++];
            long next = p + valueLength + free;
            if (next >= zm.Length)
            {
                return -1;
            }
            p = (int)next;
            count++;
        }
        if (count == 0 || (zm[0] != BigLen && zm[0] != count) || p != zm.Length - 1)
        {
            return -1;
        }
        return count;
    }

    /// <summary>Reads a length at <paramref name="p"/> and moves past it; false when it runs off the blob or is the end marker.</summary>
    private static bool TryLength(ReadOnlySpan<byte> zm, ref int p, out long length)
    {
        length = 0;
        if (p >= zm.Length || zm[p] == End)
        {
            return false;
        }
        if (zm[p] < BigLen)
        {
            length = zm[p++];
            return p < zm.Length;
        }
        if (p + 5 >= zm.Length)
        {
            return false;
        }
        length = BinaryPrimitives.ReadUInt32LittleEndian(zm[(p + 1)..]);
        p += 5;
        return true;
    }

    /// <summary>Walks the pairs of a validated zipmap.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _zm;
        private int _p;

        public Enumerator(ReadOnlySpan<byte> validated)
        {
            _zm = validated;
            _p = 1;
        }

        public ReadOnlySpan<byte> Field { get; private set; }

        public ReadOnlySpan<byte> Value { get; private set; }

        public bool MoveNext()
        {
            if (_zm[_p] == End)
            {
                return false;
            }
            TryLength(_zm, ref _p, out long keyLength);
            Field = _zm.Slice(_p, (int)keyLength);
            _p += (int)keyLength;
            TryLength(_zm, ref _p, out long valueLength);
            int free = _zm[_p++];
            Value = _zm.Slice(_p, (int)valueLength);
            _p += (int)valueLength + free;
            return true;
        }
    }
}
