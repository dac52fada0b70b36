using System.Text;

namespace Amber.Tests.Persistence;

/// <summary>
/// A dataset with every type and encoding Redis 7.0 writes to RDB: int-encoded, plain and LZF strings, listpack and
/// multi-node quicklists (LZF-compressed nodes with list-compress-depth 1), intset and hashtable sets, listpack and
/// skiplist zsets, listpack and hashtable hashes, expiries, and several databases.
/// </summary>
internal static class RedisDataset
{
    /// <summary>Extra redis-server arguments under which the dataset has its intended encodings.</summary>
    public const string ServerArgs = "--list-compress-depth 1";

    public static void Populate(BinaryRespClient c)
    {
        var random = new Random(42);
        var binary = new byte[100];
        random.NextBytes(binary);
        Ok(c.Call("SELECT", "0"));
        Ok(c.Call("SET", "str:small", "hello"));
        Ok(c.Call("SET", "str:int", "12345"));
        Ok(c.Call("SET", "str:negint", "-42"));
        Ok(c.Call("SET", "str:int32", "2147483647"));
        Ok(c.Call("SET", "str:bigint", "1234567890123"));
        Ok(c.Call("SET", "str:notcanonical", "007"));
        Ok(c.Call("SET", "str:lzf", new string('a', 1000)));
        Ok(c.Call("SET", "str:binary", binary));
        Ok(c.Call("SET", "str:empty", ""));
        Ok(c.Call("SET", "str:ttl", "v", "PX", "100000000"));
        c.Call("RPUSH", "list:small", "a", "b", "1", "-2", "70000", "5000000000");
        c.Call(Args("RPUSH", "list:big", Enumerable.Range(0, 20000).Select(i => (object)$"element-{i}")));
        c.Call("RPUSH", "list:long", new string('L', 10000), "x");
        c.Call("SADD", "set:intset", "1", "2", "3", "-5", "40000", "5000000000");
        c.Call(Args("SADD", "set:bigint", Enumerable.Range(0, 600).Select(i => (object)(i * 7).ToString())));
        c.Call("SADD", "set:str", "a", "b", "c");
        c.Call("ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c", "0.1", "d", "1e300", "e");
        c.Call(Args("ZADD", "zset:big", Enumerable.Range(0, 200).SelectMany(i => new object[] { (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture), $"m{i}" })));
        c.Call("ZADD", "zset:longmember", "1", new string('M', 100));
        c.Call("HSET", "hash:small", "f", "v", "n", "12", "neg", "-3000");
        c.Call(Args("HSET", "hash:big", Enumerable.Range(0, 600).SelectMany(i => new object[] { $"f{i}", $"v{i}" })));
        c.Call("HSET", "hash:longval", "f", new string('V', 100));
        c.Call("HSET", "hash:ttl", "f", "v");
        c.Call("PEXPIRE", "hash:ttl", "200000000");
        Ok(c.Call("SELECT", "1"));
        Ok(c.Call("SET", "db1:key", "one"));
        Ok(c.Call("SELECT", "15"));
        c.Call("RPUSH", "db15:list", "x", "y");
        Ok(c.Call("SELECT", "0"));
    }

    private static object[] Args(string command, string key, IEnumerable<object> rest) => rest.Prepend(key).Prepend(command).ToArray();

    private static void Ok(object? reply)
    {
        if (reply is not "OK")
        {
            throw new InvalidOperationException("unexpected reply " + BinaryRespClient.Describe(reply));
        }
    }

    /// <summary>The keys of the current database of <paramref name="c"/>.</summary>
    public static List<byte[]> Keys(BinaryRespClient c) =>
        ((object?[])c.Call("KEYS", "*")!).Select(k => (byte[])k!).OrderBy(k => Encoding.Latin1.GetString(k), StringComparer.Ordinal).ToList();
}
