using System.Buffers.Binary;
using Amber.Persistence.Rdb;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

public sealed class Crc64Tests
{
    [Fact]
    public void CheckValueMatchesCrc64Jones()
    {
        Assert.Equal(0xE9C6D914C4B8D9CAUL, Crc64.Compute("123456789"u8));
        Assert.Equal(0UL, Crc64.Compute([]));
    }

    [Fact]
    public void SlicedPathEqualsBytewiseReferenceAtEveryLengthAndSplit()
    {
        var random = new Random(1234);
        var data = new byte[300];
        random.NextBytes(data);
        for (int len = 0; len <= data.Length; len++)
        {
            ulong expected = Reference(data.AsSpan(0, len));
            Assert.Equal(expected, Crc64.Compute(data.AsSpan(0, len)));
            int split = random.Next(len + 1);
            Assert.Equal(expected, Crc64.Update(Crc64.Update(0, data.AsSpan(0, split)), data.AsSpan(split, len - split)));
        }
    }

    [Fact]
    public void LongInputsAgreeWithTheReferenceFromAnyStartingCrc()
    {
        var random = new Random(77);
        var data = new byte[70_000];
        random.NextBytes(data);
        for (int i = 0; i < 40; i++)
        {
            int offset = random.Next(16);
            int len = random.Next(data.Length - offset);
            ulong seed = (ulong)random.NextInt64();
            Assert.Equal(Reference(data.AsSpan(offset, len), seed), Crc64.Update(seed, data.AsSpan(offset, len)));
        }
    }

    [SkippableFact]
    public void MatchesTheChecksumRedisWritesIntoItsRdbFile()
    {
        using var redis = RedisProcess.Start();
        using var client = redis.Connect();
        client.Call("SET", "k", "v");
        client.Call("SET", "big", new string('x', 100) + "yz" + new string('q', 5000));
        client.Call("RPUSH", "l", "a", "b", "1");
        client.Call("HSET", "h", "f", "v");
        Assert.Equal("OK", client.Call("SAVE"));
        byte[] file = File.ReadAllBytes(Path.Combine(redis.Dir, "dump.rdb"));
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(file.Length - 8));
        Assert.NotEqual(0UL, stored);
        Assert.Equal(stored, Crc64.Compute(file.AsSpan(0, file.Length - 8)));
    }

    private static ulong Reference(ReadOnlySpan<byte> data, ulong crc = 0)
    {
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x95AC9329AC4BC9B5UL : crc >> 1;
            }
        }
        return crc;
    }
}
