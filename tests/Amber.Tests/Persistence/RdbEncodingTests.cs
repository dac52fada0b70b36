using System.Buffers;
using Amber.Persistence.Rdb;
using Amber.Types;

namespace Amber.Tests.Persistence;

/// <summary>Byte-level checks of the RDB encoders against the bytes Redis 7.0 was observed to write (spec §1.3–1.9).</summary>
public sealed class RdbEncodingTests
{
    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    private static string Value(object value, bool compress = false, int fill = -2)
    {
        var output = new ArrayBufferWriter<byte>();
        RdbValueEncoder.WriteValue(output, value, compress, fill);
        return Hex(output.WrittenSpan);
    }

    private static string Str(string s, bool compress = false)
    {
        var output = new ArrayBufferWriter<byte>();
        RdbPrimitives.WriteString(output, System.Text.Encoding.ASCII.GetBytes(s), compress);
        return Hex(output.WrittenSpan);
    }

    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(63UL, "3F")]
    [InlineData(64UL, "4040")]
    [InlineData(16383UL, "7FFF")]
    [InlineData(16384UL, "8000004000")]
    [InlineData(4294967295UL, "80FFFFFFFF")]
    [InlineData(4294967296UL, "810000000100000000")]
    public void LengthsUseTheShortestBigEndianForm(ulong length, string hex)
    {
        var output = new ArrayBufferWriter<byte>();
        RdbPrimitives.WriteLength(output, length);
        Assert.Equal(hex, Hex(output.WrittenSpan));
        Assert.Equal(hex.Length / 2, RdbPrimitives.LengthSize(length));
    }

    [Theory]
    [InlineData("0", "C000")]
    [InlineData("-128", "C080")]
    [InlineData("127", "C07F")]
    [InlineData("128", "C18000")]
    [InlineData("-32768", "C10080")]
    [InlineData("32768", "C200800000")]
    [InlineData("2147483647", "C2FFFFFF7F")]
    [InlineData("-2147483648", "C200000080")]
    [InlineData("2147483648", "0A32313437343833363438")] // outside int32: plain text
    [InlineData("007", "03303037")] // not canonical: must stay text
    [InlineData("+1", "022B31")]
    [InlineData("-0", "022D30")]
    [InlineData(" 1", "022031")]
    [InlineData("", "00")]
    [InlineData("abc", "03616263")]
    public void StringsAreIntegerEncodedOnlyWhenCanonicalInt32(string value, string hex) => Assert.Equal(hex, Str(value));

    [Fact]
    public void LzfIsUsedOnlyWhenEnabledLongerThan20AndItShrinksBy4()
    {
        string hundred = new('a', 100);
        Assert.Equal("C3" + "09" + "4064" + "016161E05700016161", Str(hundred, compress: true));
        Assert.StartsWith("4064", Str(hundred, compress: false));
        // 20 bytes: never compressed, however repetitive.
        Assert.Equal("14" + Hex(new byte[20].Select(_ => (byte)'a').ToArray()), Str(new string('a', 20), compress: true));
        // 21 bytes of noise do not shrink: plain.
        Assert.Equal("15" + Hex("abcdefghijklmnopqrstu"u8), Str("abcdefghijklmnopqrstu", compress: true));
    }

    [Fact]
    public void SmallHashIsTheListpackRedisWrites()
    {
        var hash = new HashValue();
        hash.Set("f"u8, "v"u8, 512, 64);
        hash.Set("f2"u8, "2"u8, 512, 64);
        Assert.Equal("10" + "13" + "130000000400" + "816602" + "817602" + "82663203" + "0201" + "FF", Value(hash));
    }

    [Fact]
    public void SmallSortedSetIsTheListpackRedisWrites()
    {
        var zset = new SortedSet();
        zset.Insert("b"u8, 2.5, ZSetLimits.Default);
        zset.Insert("a"u8, 1, ZSetLimits.Default);
        Assert.Equal("11" + "14" + "140000000400" + "816102" + "0101" + "816202" + "83322E3504" + "FF", Value(zset));
    }

    [Fact]
    public void ListIsQuicklist2WithOnePackedNode()
    {
        var list = new QuickList();
        list.PushTail("a"u8);
        list.PushTail("b"u8);
        list.PushTail("1"u8);
        Assert.Equal("12" + "01" + "02" + "0F" + "0F0000000300" + "816102" + "816202" + "0101" + "FF", Value(list));
    }

    [Fact]
    public void IntSetIsTheBlobRedisWrites()
    {
        SetValue set = SetValue.CreateIntSet();
        set.Add("3"u8, 512);
        set.Add("1"u8, 512);
        set.Add("2"u8, 512);
        Assert.Equal("0B" + "0E" + "02000000" + "03000000" + "0100" + "0200" + "0300", Value(set));
        set.Add("-100000"u8, 512);
        Assert.Equal("0B" + "18" + "04000000" + "04000000" + "6079FEFF" + "01000000" + "02000000" + "03000000", Value(set));
    }

    [Theory]
    [InlineData("0", "00" + "01")]
    [InlineData("127", "7F" + "01")]
    [InlineData("128", "C080" + "02")]
    [InlineData("-1", "DFFF" + "02")]
    [InlineData("4095", "CFFF" + "02")]
    [InlineData("-4096", "D000" + "02")]
    [InlineData("4096", "F10010" + "03")]
    [InlineData("-32768", "F10080" + "03")]
    [InlineData("32768", "F2008000" + "04")]
    [InlineData("-8388608", "F2000080" + "04")]
    [InlineData("8388608", "F300008000" + "05")]
    [InlineData("2147483648", "F40000008000000000" + "09")]
    [InlineData("-9223372036854775808", "F40000000000000080" + "09")]
    [InlineData("9223372036854775808", "93" + "39323233333732303336383534373735383038" + "14")] // past int64: text
    [InlineData("01", "82303103")]
    [InlineData("-0", "822D3003")]
    public void ListpackEntriesUseTheSmallestEncoding(string element, string entryHex)
    {
        using var builder = new ListPackBuilder();
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(element);
        builder.Append(bytes);
        string lp = Hex(builder.Finish());
        Assert.Equal(entryHex, lp[12..^2]);
        Assert.Equal(entryHex.Length / 2, ListPackBuilder.EntrySize(bytes));
    }

    [Theory]
    [InlineData(63, "BF", 1)]
    [InlineData(64, "E040", 1)]
    [InlineData(125, "E07D", 1)] // encoding+data = 127: one backlen byte
    [InlineData(126, "E07E", 2)] // 128: two
    [InlineData(4095, "EFFF", 2)]
    [InlineData(4096, "F000100000", 2)]
    public void ListpackStringHeadersAndBacklens(int length, string header, int backlenBytes)
    {
        using var builder = new ListPackBuilder();
        builder.AppendString(new byte[length]);
        ReadOnlySpan<byte> lp = builder.Finish();
        Assert.Equal(header, Hex(lp.Slice(6, header.Length / 2)));
        int l = (header.Length / 2) + length;
        Assert.Equal(6 + l + backlenBytes + 1, lp.Length);
        ReadOnlySpan<byte> backlen = lp.Slice(6 + l, backlenBytes);
        // Read it backwards as a listpack reader does.
        int value = 0;
        int shift = 0;
        for (int i = backlen.Length - 1; i >= 0; i--)
        {
            value |= (backlen[i] & 0x7F) << shift;
            shift += 7;
            Assert.Equal(i == 0 ? 0 : 0x80, backlen[i] & 0x80);
        }
        Assert.Equal(l, value);
    }

    [Fact]
    public void BacklenOf200IsTheSpecExample()
    {
        using var builder = new ListPackBuilder();
        builder.AppendString(new byte[198]); // E0 C6 + 198 bytes = 200
        ReadOnlySpan<byte> lp = builder.Finish();
        Assert.Equal("01C8FF", Hex(lp[^3..]));
    }

    [Fact]
    public void ListNodesAreCutWhereRedisCutsThem()
    {
        // Observed with redis-server 7.0.15 (list-max-listpack-size -2): 2726 one-byte elements fill the first
        // node; after 2700 of them a 77-byte element still fits, a 78-byte one starts a new node.
        var list = new QuickList();
        for (int i = 0; i < 2727; i++)
        {
            list.PushTail("x"u8);
        }
        Assert.Equal(new[] { 2726, 1 }, NodeCounts(list, -2));

        foreach ((int length, int nodes) in new[] { (77, 1), (78, 2) })
        {
            var l = new QuickList();
            for (int i = 0; i < 2700; i++)
            {
                l.PushTail("x"u8);
            }
            l.PushTail(new byte[length]);
            Assert.Equal(nodes, NodeCounts(l, -2).Length);
        }
        // Positive fill: that many elements per node.
        var counted = new QuickList(5);
        for (int i = 0; i < 12; i++)
        {
            counted.PushTail("x"u8);
        }
        Assert.Equal(new[] { 5, 5, 2 }, NodeCounts(counted, 5));
    }

    private static int[] NodeCounts(QuickList list, int fill)
    {
        var output = new ArrayBufferWriter<byte>();
        RdbValueEncoder.WriteValue(output, list, compress: false, fill);
        byte[] data = output.WrittenSpan.ToArray();
        int pos = 1;
        int nodes = (int)LzfTests.ReadLength(data, ref pos);
        var counts = new int[nodes];
        for (int i = 0; i < nodes; i++)
        {
            Assert.Equal(2UL, LzfTests.ReadLength(data, ref pos));
            int size = (int)LzfTests.ReadLength(data, ref pos);
            Assert.Equal(size, BitConverter.ToInt32(data, pos));
            counts[i] = BitConverter.ToUInt16(data, pos + 4);
            pos += size;
        }
        Assert.Equal(data.Length, pos);
        return counts;
    }

    [Fact]
    public void EmptyCollectionsAreRefused()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<InvalidOperationException>(() => RdbValueEncoder.WriteValue(output, new HashValue(), false));
        Assert.Throws<InvalidOperationException>(() => RdbValueEncoder.WriteValue(output, new QuickList(), false));
    }
}
