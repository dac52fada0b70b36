using Amber.Persistence.Rdb;

namespace Amber.Tests.Persistence;

public sealed class LzfTests
{
    [Fact]
    public void HundredAsCompressLikeRedis()
    {
        byte[] input = new byte[100];
        Array.Fill(input, (byte)'a');
        var output = new byte[96];
        int n = Lzf.Compress(input, output);
        Assert.Equal("016161E05700016161", Convert.ToHexString(output, 0, n));
        AssertRoundTrip(input, output.AsSpan(0, n));
    }

    [Fact]
    public void TwentyOneEqualBytesCompressLikeRedis()
    {
        // Observed from redis-server 7.0.15 (DUMP of SET k zzzzzzzzzzzzzzzzzzzzz): the match runs to the very end.
        byte[] input = new byte[21];
        Array.Fill(input, (byte)'z');
        var output = new byte[17];
        int n = Lzf.Compress(input, output);
        Assert.Equal("017A7AE00A00", Convert.ToHexString(output, 0, n));
    }

    [Fact]
    public void DecompressesTheSpecExample()
    {
        byte[] compressed = Convert.FromHexString("016161E05700016161");
        var output = new byte[100];
        Assert.True(Lzf.TryDecompress(compressed, output, out int written));
        Assert.Equal(100, written);
        Assert.All(output, b => Assert.Equal((byte)'a', b));
    }

    [Fact]
    public void RandomRoundTrips()
    {
        var random = new Random(42);
        for (int i = 0; i < 2000; i++)
        {
            int len = i < 300 ? i : random.Next(1, 40_000);
            byte[] input = new byte[len];
            // Mix of incompressible noise, runs and repeated phrases so literals, short and long matches all occur.
            int alphabet = random.Next(1, 5) switch { 1 => 2, 2 => 4, 3 => 26, _ => 256 };
            for (int p = 0; p < len; p++)
            {
                input[p] = random.Next(4) == 0 && p > 10 ? input[p - random.Next(1, 10)] : (byte)random.Next(alphabet);
            }
            var output = new byte[len + (len / 32) + 8];
            int n = Lzf.Compress(input, output);
            if (len == 0)
            {
                Assert.Equal(0, n);
                continue;
            }
            Assert.True(n > 0, $"len {len} did not fit its worst case");
            AssertRoundTrip(input, output.AsSpan(0, n));
        }
    }

    [Fact]
    public void CompressReturnsZeroWhenOutputIsTooSmallAndNeverOverruns()
    {
        var random = new Random(7);
        byte[] input = new byte[1000];
        random.NextBytes(input);
        var full = new byte[2000];
        int needed = Lzf.Compress(input, full);
        Assert.True(needed > 1000);
        for (int size = 0; size < needed; size += 37)
        {
            var guarded = new byte[size + 16];
            Array.Fill(guarded, (byte)0xEE);
            Assert.Equal(0, Lzf.Compress(input, guarded.AsSpan(0, size)));
            Assert.All(guarded.AsSpan(size).ToArray(), b => Assert.Equal(0xEE, b));
        }
        // Like Redis, the last literals need room for three bytes: an exact fit is refused.
        Assert.Equal(0, Lzf.Compress(input, new byte[needed]));
        Assert.Equal(needed, Lzf.Compress(input, new byte[needed + 1]));

        byte[] text = new byte[1000];
        Array.Fill(text, (byte)'z');
        int small = Lzf.Compress(text, new byte[1000]);
        Assert.True(small is > 0 and < 20);
        Assert.Equal(0, Lzf.Compress(text, new byte[small - 1]));
        // Like Redis, a back reference is only emitted with a few bytes to spare.
        Assert.Equal(small, Lzf.Compress(text, new byte[small + 4]));
    }

    [Fact]
    public void AnExactFitIsRefusedAsRedisRefusesIt()
    {
        // A 42-byte hash listpack that Redis 7.0 stores uncompressed (DUMP): it compresses to 38 bytes, the most
        // worth keeping (length - 4), but Redis's compressor wants 3 bytes of room before its last literals.
        byte[] listpack = Convert.FromHexString("2a0000000c00dffb02816602010103010a018001833030370481620281660283303037048161020a01ff");
        Assert.Equal(0, Lzf.Compress(listpack, new byte[listpack.Length - 4]));
        Assert.Equal(38, Lzf.Compress(listpack, new byte[listpack.Length]));
    }

    [Theory]
    [InlineData("05616263", 10)] // literal run of 6 but only 3 bytes follow
    [InlineData("20", 10)] // back reference missing its offset byte
    [InlineData("E0", 10)] // long back reference missing its length byte
    [InlineData("E005", 10)] // long back reference missing its offset byte
    [InlineData("20 00", 10)] // back reference before any output
    [InlineData("0061 2001", 10)] // offset 2 with only 1 byte of output
    [InlineData("0061 E0FF00", 20)] // copy 264 overflows output
    [InlineData("0361626364", 3)] // literal overflows output
    public void MalformedInputIsRejected(string hex, int outputSize)
    {
        byte[] input = Convert.FromHexString(hex.Replace(" ", ""));
        var output = new byte[outputSize];
        Assert.False(Lzf.TryDecompress(input, output, out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void TruncationsAndCorruptionsNeverThrow()
    {
        var random = new Random(99);
        byte[] input = new byte[5000];
        for (int p = 0; p < input.Length; p++)
        {
            input[p] = (byte)"the quick brown fox "[random.Next(20)];
        }
        var compressed = new byte[6000];
        int n = Lzf.Compress(input, compressed);
        var output = new byte[5000];
        for (int cut = 0; cut < n; cut++)
        {
            // Each prefix either fails or decodes to a prefix of the input.
            if (Lzf.TryDecompress(compressed.AsSpan(0, cut), output, out int w))
            {
                Assert.True(output.AsSpan(0, w).SequenceEqual(input.AsSpan(0, w)));
            }
        }
        for (int i = 0; i < 2000; i++)
        {
            byte[] broken = compressed.AsSpan(0, n).ToArray();
            broken[random.Next(n)] = (byte)random.Next(256);
            Lzf.TryDecompress(broken, output.AsSpan(0, random.Next(5001)), out _);
        }
    }

    [SkippableFact]
    public void DecompressesStringsRedisCompressedAndCompressesThemToTheSameBytes()
    {
        using var redis = RedisProcess.Start();
        using var client = redis.Connect();
        var random = new Random(3);
        var values = new List<byte[]>
        {
            System.Text.Encoding.ASCII.GetBytes(new string('a', 100)),
            System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("hello world ", 500))),
        };
        for (int i = 0; i < 20; i++)
        {
            byte[] v = new byte[random.Next(21, 20000)];
            for (int p = 0; p < v.Length; p++)
            {
                v[p] = (byte)"abcdefgh 0123"[random.Next(13)];
            }
            values.Add(v);
        }
        foreach (byte[] value in values)
        {
            client.Call("SET", "k", value);
            byte[] dump = client.Bulk("DUMP", "k");
            // <type 0> <0xC3> <compressed len> <original len> <lzf bytes> <version 2 bytes> <crc 8 bytes>
            Assert.Equal(0, dump[0]);
            Assert.Equal(0xC3, dump[1]);
            int pos = 2;
            int compressedLen = (int)ReadLength(dump, ref pos);
            int originalLen = (int)ReadLength(dump, ref pos);
            Assert.Equal(value.Length, originalLen);
            Assert.Equal(dump.Length - 10, pos + compressedLen);
            AssertRoundTrip(value, dump.AsSpan(pos, compressedLen));
            // Same matching rules and hash as Redis's compressor: the same bytes.
            var ours = new byte[value.Length - 4];
            int n = Lzf.Compress(value, ours);
            Assert.Equal(Convert.ToHexString(dump, pos, compressedLen), Convert.ToHexString(ours, 0, n));
        }
    }

    /// <summary>RDB length encoding (6/14/32-bit forms), spec §1.3.</summary>
    internal static ulong ReadLength(byte[] data, ref int pos)
    {
        byte first = data[pos++];
        return (first >> 6) switch
        {
            0 => (ulong)(first & 0x3F),
            1 => (ulong)(((first & 0x3F) << 8) | data[pos++]),
            _ when first == 0x80 => ReadBigEndian(data, ref pos, 4),
            _ when first == 0x81 => ReadBigEndian(data, ref pos, 8),
            _ => throw new InvalidDataException($"not a length: {first:X2}"),
        };
    }

    private static ulong ReadBigEndian(byte[] data, ref int pos, int size)
    {
        ulong v = 0;
        for (int i = 0; i < size; i++)
        {
            v = (v << 8) | data[pos++];
        }
        return v;
    }

    internal static void AssertRoundTrip(ReadOnlySpan<byte> original, ReadOnlySpan<byte> compressed)
    {
        var output = new byte[original.Length];
        Assert.True(Lzf.TryDecompress(compressed, output, out int written));
        Assert.Equal(original.Length, written);
        Assert.True(output.AsSpan().SequenceEqual(original));
    }
}
