using System.Buffers;
using System.Buffers.Binary;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// DUMP/RESTORE payloads: <c>type byte, value, 2-byte LE RDB version, 8-byte LE CRC64 of everything before it</c>.
/// </summary>
internal static class DumpPayload
{
    private const int FooterSize = 10;

    /// <summary>Redis's verifyDumpPayload: long enough, a version this server reads, and a matching checksum.</summary>
    public static bool Verify(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < FooterSize)
        {
            return false;
        }
        ReadOnlySpan<byte> footer = payload[^FooterSize..];
        int version = BinaryPrimitives.ReadUInt16LittleEndian(footer);
        if (version > RdbFormat.Version)
        {
            return false;
        }
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(footer[2..]);
        return Crc64.Update(0, payload[..^8]) == stored;
    }

    /// <summary>
    /// Builds the value of a verified payload under <paramref name="limits"/>; false for bad data, an empty collection,
    /// or a type Amber cannot hold (Redis's "Bad data format").
    /// </summary>
    public static bool TryLoadValue(ReadOnlySpan<byte> payload, RdbValueLimits limits, out object? value, out RdbLoadException? error)
    {
        value = null;
        error = null;
        int length = payload.Length - FooterSize;
        byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            payload[..length].CopyTo(copy);
            var input = new RdbInput(copy, length, "DUMP payload");
            var reader = new RdbValueReader(input, limits);
            input.Phase = RdbLoadPhase.ReadType;
            byte type = input.ReadByte();
            if (!RdbValueReader.IsValueType(type))
            {
                throw input.Error(RdbLoadErrorKind.InvalidType, $"Unknown RDB encoding type {type}");
            }
            input.ObjectType = type;
            input.Phase = RdbLoadPhase.ReadObjectValue;
            value = reader.ReadValue(type);
            return value != null;
        }
        catch (RdbLoadException e)
        {
            error = e;
            return false;
        }
        catch (Exception e)
        {
            // Whatever the bytes, RESTORE answers "Bad data format" rather than failing the command.
            error = new RdbLoadException(RdbLoadErrorKind.Corrupt, e.Message, "DUMP payload", 0, RdbLoadPhase.ReadObjectValue, null, -1, e);
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
