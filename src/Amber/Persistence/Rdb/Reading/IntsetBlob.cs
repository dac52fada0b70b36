using System.Buffers.Binary;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>Redis's intset (spec §1.9): width 2, 4 or 8, a non-zero count, members strictly ascending.</summary>
internal static class IntsetBlob
{
    private const int HeaderSize = 8;

    /// <summary>Returns the member count, or -1 when the blob is not a valid intset.</summary>
    public static int Validate(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize)
        {
            return -1;
        }
        uint width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (width is not (2 or 4 or 8) || count == 0 || (ulong)count * width + HeaderSize != (ulong)blob.Length)
        {
            return -1;
        }
        long previous = Get(blob, (int)width, 0);
        for (int i = 1; i < count; i++)
        {
            long v = Get(blob, (int)width, i);
            if (v <= previous)
            {
                return -1;
            }
            previous = v;
        }
        return (int)count;
    }

    public static int Width(ReadOnlySpan<byte> validated) => (int)BinaryPrimitives.ReadUInt32LittleEndian(validated);

    public static long Get(ReadOnlySpan<byte> blob, int width, int index)
    {
        ReadOnlySpan<byte> at = blob[(HeaderSize + index * width)..];
        return width switch
        {
            2 => BinaryPrimitives.ReadInt16LittleEndian(at),
            4 => BinaryPrimitives.ReadInt32LittleEndian(at),
            _ => BinaryPrimitives.ReadInt64LittleEndian(at),
        };
    }
}
