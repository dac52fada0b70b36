using System.Globalization;
using System.Runtime.CompilerServices;
using Amber.Commands;
using Amber.Keyspace;

namespace Amber.Diagnostics;

/// <summary>
/// Optional introspection for non-string values in DEBUG OBJECT: the encoding name and the length the value would
/// take in an RDB file. Value classes implement it as they come.
/// </summary>
internal interface IDebugDescribable
{
    string Encoding { get; }
    long SerializedLength { get; }
}

/// <summary>The line DEBUG OBJECT replies: "Value at:0x... refcount:1 encoding:embstr serializedlength:6 lru:... lru_seconds_idle:0".</summary>
internal static class DebugObjectInfo
{
    private const long LruClockMax = (1 << 24) - 1;

    public static string Describe(Entry entry, long nowMs, long maxMemory, string maxMemoryPolicy)
    {
        string encoding;
        long serializedLength;
        int refCount = 1;
        switch (entry.Value)
        {
            case null:
                encoding = ValueTypes.StringEncoding(entry.StringValue, entry.ForceRawEncoding);
                serializedLength = SerializedStringLength(entry.StringValue);
                refCount = (int)ValueTypes.RefCount(entry, maxMemory, maxMemoryPolicy);
                break;
            case IDebugDescribable d:
                encoding = d.Encoding;
                serializedLength = d.SerializedLength;
                break;
            default:
                // Types without RDB sizing yet report their encoding and 0.
                encoding = ValueTypes.EncodingName(entry);
                serializedLength = 0;
                break;
        }
        long clock = InfoBuilder.LruClock(nowMs);
        long lru = entry.LastAccessSeconds == 0 ? clock : entry.LastAccessSeconds & LruClockMax;
        long idle = clock >= lru ? clock - lru : clock + (LruClockMax - lru);
        long address = 0x7f0000000000L | ((long)(uint)RuntimeHelpers.GetHashCode(entry.Value ?? entry) << 4);
        return string.Create(CultureInfo.InvariantCulture,
            $"Value at:0x{address:x} refcount:{refCount} encoding:{encoding} serializedlength:{serializedLength} lru:{lru} lru_seconds_idle:{idle}");
    }

    /// <summary>
    /// The bytes RDB uses for a string: an integer encoding (2, 3 or 5 bytes) for canonical integers that fit 32 bits,
    /// else a length prefix and the bytes. LZF compression of strings over 20 bytes is not accounted here.
    /// </summary>
    public static long SerializedStringLength(ReadOnlySpan<byte> value)
    {
        if (value.Length <= 20 && CommandContext.TryParseLong(value, out long v))
        {
            if (v is >= sbyte.MinValue and <= sbyte.MaxValue)
            {
                return 2;
            }
            if (v is >= short.MinValue and <= short.MaxValue)
            {
                return 3;
            }
            if (v is >= int.MinValue and <= int.MaxValue)
            {
                return 5;
            }
        }
        return LengthPrefix(value.Length) + value.Length;
    }

    private static int LengthPrefix(long length) => length switch
    {
        < 64 => 1,
        < 16384 => 2,
        <= uint.MaxValue => 5,
        _ => 9,
    };
}
