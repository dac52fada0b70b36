using Amber.Notifications;
using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

/// <summary>SORT and SORT_RO; every expected reply below was recorded from redis-server 7.0.15.</summary>
public class SortCommandTests
{
    private static void Check(RawClient c, string expected, params string[] args)
    {
        string actual = c.Call(args);
        Assert.True(expected == actual, $"{string.Join(' ', args)}\nexpected: {expected}\nactual:   {actual}");
    }

    [Fact]
    public async Task NumericAlphaLimitAndErrors()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        Check(c, "+OK\r\n", "flushall");
        // numeric order; ties broken by the element bytes; strtod accepts spaces, '+', hex, inf and the empty string
        Check(c, ":12\r\n", "rpush", "l", "3", "1", "2", "10", "1.0", " 5", "", "-0", "+5", "0x10", "-inf", "1e3");
        Check(c, "*12\r\n$4\r\n-inf\r\n$0\r\n\r\n$2\r\n-0\r\n$1\r\n1\r\n$3\r\n1.0\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n 5\r\n$2\r\n+5\r\n$2\r\n10\r\n$4\r\n0x10\r\n$3\r\n1e3\r\n", "sort", "l");
        Check(c, "*12\r\n$3\r\n1e3\r\n$4\r\n0x10\r\n$2\r\n10\r\n$2\r\n+5\r\n$2\r\n 5\r\n$1\r\n3\r\n$1\r\n2\r\n$3\r\n1.0\r\n$1\r\n1\r\n$2\r\n-0\r\n$0\r\n\r\n$4\r\n-inf\r\n", "sort", "l", "desc");
        Check(c, "*12\r\n$0\r\n\r\n$2\r\n 5\r\n$2\r\n+5\r\n$2\r\n-0\r\n$4\r\n-inf\r\n$4\r\n0x10\r\n$1\r\n1\r\n$3\r\n1.0\r\n$2\r\n10\r\n$3\r\n1e3\r\n$1\r\n2\r\n$1\r\n3\r\n", "sort", "l", "alpha");
        Check(c, "*12\r\n$4\r\n-inf\r\n$0\r\n\r\n$2\r\n-0\r\n$1\r\n1\r\n$3\r\n1.0\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n 5\r\n$2\r\n+5\r\n$2\r\n10\r\n$4\r\n0x10\r\n$3\r\n1e3\r\n", "sort", "l", "asc", "desc", "asc");
        // LIMIT: negative offset is 0, negative count is everything, out of range is empty
        Check(c, "*3\r\n$0\r\n\r\n$2\r\n-0\r\n$1\r\n1\r\n", "sort", "l", "limit", "1", "3");
        Check(c, "*2\r\n$4\r\n-inf\r\n$0\r\n\r\n", "sort", "l", "limit", "-5", "2");
        Check(c, "*2\r\n$4\r\n0x10\r\n$3\r\n1e3\r\n", "sort", "l", "limit", "10", "-1");
        Check(c, "*0\r\n", "sort", "l", "limit", "0", "0");
        Check(c, "*0\r\n", "sort", "l", "limit", "12", "1");
        Check(c, "*0\r\n", "sort", "l", "limit", "9223372036854775807", "9223372036854775807");
        // BY without '*': the list's own order, reversed by DESC, LIMIT applied to it
        Check(c, "*3\r\n$1\r\n2\r\n$2\r\n10\r\n$3\r\n1.0\r\n", "sort", "l", "by", "nosort", "limit", "2", "3");
        Check(c, "*3\r\n$4\r\n0x10\r\n$2\r\n+5\r\n$2\r\n-0\r\n", "sort", "l", "by", "nosort", "desc", "limit", "2", "3");
        Check(c, "*1\r\n$1\r\n3\r\n", "sort", "l", "by", "nosort", "desc", "limit", "11", "5");
        // errors: parse errors come before WRONGTYPE and before conversion errors
        Check(c, "-ERR value is not an integer or out of range\r\n", "sort", "l", "limit", "x", "1");
        Check(c, "-ERR value is not an integer or out of range\r\n", "sort", "l", "limit", "1", "+2");
        Check(c, "-ERR syntax error\r\n", "sort", "l", "limit", "1");
        Check(c, "-ERR syntax error\r\n", "sort", "l", "foo");
        Check(c, "-ERR syntax error\r\n", "sort", "l", "store");
        Check(c, "-ERR syntax error\r\n", "sort", "l", "by");
        Check(c, "-ERR syntax error\r\n", "sort", "l", "get");
        Check(c, "-ERR syntax error\r\n", "sort_ro", "l", "store", "x");
        Check(c, "+OK\r\n", "set", "str", "v");
        Check(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "sort", "str");
        Check(c, "-ERR value is not an integer or out of range\r\n", "sort", "str", "limit", "a", "1");
        Check(c, ":1\r\n", "hset", "h", "a", "1");
        Check(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "sort_ro", "h");
        Check(c, ":2\r\n", "rpush", "bad", "1", "x");
        Check(c, "-ERR One or more scores can't be converted into double\r\n", "sort", "bad");
        Check(c, "-ERR One or more scores can't be converted into double\r\n", "sort", "bad", "limit", "0", "1");
        Check(c, "*2\r\n$1\r\n1\r\n$1\r\nx\r\n", "sort", "bad", "by", "nosort");
        Check(c, "*2\r\n$1\r\n1\r\n$1\r\nx\r\n", "sort", "bad", "alpha");
        // strtod edge cases: exact subnormals, hex, infinity and zero are fine (checked first: Redis reads a stale errno
        // after a failed conversion on the same connection); trailing garbage, NaN, overflow and inexact underflow fail
        Check(c, ":4\r\n", "rpush", "e5", "0x1p-1074", "0x1.8p1", "INFINITY", "0e-400");
        Check(c, "*4\r\n$6\r\n0e-400\r\n$9\r\n0x1p-1074\r\n$7\r\n0x1.8p1\r\n$8\r\nINFINITY\r\n", "sort", "e5");
        Check(c, ":1\r\n", "rpush", "e1", "1e");
        Check(c, "-ERR One or more scores can't be converted into double\r\n", "sort", "e1");
        Check(c, ":1\r\n", "rpush", "e2", "nan");
        Check(c, "-ERR One or more scores can't be converted into double\r\n", "sort", "e2");
        Check(c, ":1\r\n", "rpush", "e3", "1e309");
        Check(c, "-ERR One or more scores can't be converted into double\r\n", "sort", "e3");
        Check(c, ":1\r\n", "rpush", "e4", "1e-310");
        Check(c, "-ERR One or more scores can't be converted into double\r\n", "sort", "e4");
        // a missing key sorts as an empty list
        Check(c, "*0\r\n", "sort", "nokey");
        Check(c, ":0\r\n", "sort", "nokey", "store", "dst");
    }

    [Fact]
    public async Task ByAndGetPatterns()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        Check(c, "+OK\r\n", "flushall");
        Check(c, ":5\r\n", "rpush", "e", "a", "b", "c", "d", "e");
        Check(c, "+OK\r\n", "mset", "w_a", "3", "w_b", "1", "w_c", "2", "w_d", "x", "o_a", "A", "o_b", "B");
        Check(c, ":2\r\n", "hset", "hw_a", "f", "5", "g", "z");
        Check(c, ":1\r\n", "hset", "hw_b", "f", "4");
        Check(c, ":1\r\n", "hset", "hw_c", "f", "x");
        // BY a string key: missing keys score 0 (or sort first with ALPHA); numeric fails on a non-number
        Check(c, "-ERR One or more scores can't be converted into double\r\n", "sort", "e", "by", "w_*");
        Check(c, "*5\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n", "sort", "e", "by", "w_*", "alpha");
        Check(c, "*5\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\ne\r\n", "sort", "e", "by", "w_*", "alpha", "desc");
        Check(c, "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", "sort", "e", "by", "w_*", "alpha", "limit", "1", "2");
        // BY a hash field
        Check(c, "-ERR One or more scores can't be converted into double\r\n", "sort", "e", "by", "hw_*->f");
        Check(c, "*5\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n", "sort", "e", "by", "hw_*->f", "alpha");
        Check(c, "*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\na\r\n", "sort", "e", "by", "hw_*->g", "alpha");
        // a trailing "->" is part of the key name
        Check(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", "sort", "e", "by", "hw_*->", "alpha");
        // GET: '#' is the element; missing keys, wrong types and patterns without '*' give nil
        Check(c, "*15\r\n$1\r\ne\r\n$-1\r\n$-1\r\n$1\r\nb\r\n$1\r\nB\r\n$1\r\n4\r\n$1\r\nc\r\n$-1\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\nA\r\n$1\r\n5\r\n$1\r\nd\r\n$-1\r\n$-1\r\n", "sort", "e", "by", "w_*", "get", "#", "get", "o_*", "get", "hw_*->f", "alpha");
        Check(c, "*15\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n", "sort", "e", "by", "nosort", "get", "nostar", "get", "hw_*", "get", "w_*->f");
        // the first BY without '*' wins over a later pattern
        Check(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", "sort", "e", "by", "nosort", "by", "w_*", "alpha");
        Check(c, "+OK\r\n", "mset", "a", "5", "b", "4", "c", "3", "d", "2", "e", "1");
        Check(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "sort", "e", "by", "*", "get", "*", "get", "**");
        // NUL bytes: patterns and ALPHA (strcoll) stop at the first NUL; STORE compares whole strings
        Check(c, ":4\r\n", "rpush", "nul", "a\0c", "a\0b", "a", "b\0");
        Check(c, "*4\r\n$3\r\na\0c\r\n$3\r\na\0b\r\n$1\r\na\r\n$2\r\nb\0\r\n", "sort", "nul", "alpha");
        Check(c, "*4\r\n$2\r\nb\0\r\n$3\r\na\0c\r\n$3\r\na\0b\r\n$1\r\na\r\n", "sort", "nul", "alpha", "desc");
        Check(c, ":4\r\n", "sort", "nul", "alpha", "store", "nuls");
        Check(c, "*4\r\n$1\r\na\r\n$3\r\na\0b\r\n$3\r\na\0c\r\n$2\r\nb\0\r\n", "lrange", "nuls", "0", "-1");
        Check(c, ":3\r\n", "rpush", "nums", "5\0x", "\0", "3");
        Check(c, "*3\r\n$1\r\n\0\r\n$1\r\n3\r\n$3\r\n5\0x\r\n", "sort", "nums");
        Check(c, "+OK\r\n", "set", "k\0*", "7");
        Check(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "sort", "e", "by", "k\0*", "alpha");
        Check(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "sort", "e", "get", "#\0x", "limit", "0", "2", "by", "nosort");
    }

    [Fact]
    public async Task SetsAndStore()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        Check(c, "+OK\r\n", "flushall");
        Check(c, ":5\r\n", "sadd", "s", "c", "a", "b", "10", "2");
        Check(c, ":4\r\n", "sadd", "si", "5", "3", "-1", "100");
        Check(c, "*5\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "sort", "s", "alpha");
        Check(c, "*2\r\n$1\r\nb\r\n$1\r\na\r\n", "sort", "s", "alpha", "desc", "limit", "1", "2");
        Check(c, "*4\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n$3\r\n100\r\n", "sort", "si");
        // BY nosort on a set: stored results are sorted (ALPHA), replies come in the set's own order
        Check(c, ":5\r\n", "sort", "s", "by", "nosort", "store", "sd");
        Check(c, "*5\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "lrange", "sd", "0", "-1");
        Check(c, ":2\r\n", "sort", "s", "by", "nosort", "desc", "limit", "1", "2", "store", "sd");
        Check(c, "*2\r\n$1\r\nb\r\n$1\r\na\r\n", "lrange", "sd", "0", "-1");
        Check(c, "*4\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n$3\r\n100\r\n", "sort", "si", "by", "nosort");
        // STORE: replaces any value and TTL, counts GET values, stores missing GET values as empty strings
        Check(c, ":3\r\n", "rpush", "big", "3", "2", "1");
        Check(c, "+OK\r\n", "set", "dest", "x");
        Check(c, ":1\r\n", "expire", "dest", "100");
        Check(c, ":3\r\n", "sort", "big", "store", "dest");
        Check(c, ":-1\r\n", "ttl", "dest");
        Check(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "lrange", "dest", "0", "-1");
        Check(c, ":6\r\n", "sort", "big", "get", "#", "get", "nokey_*", "store", "dest");
        Check(c, "*6\r\n$1\r\n1\r\n$0\r\n\r\n$1\r\n2\r\n$0\r\n\r\n$1\r\n3\r\n$0\r\n\r\n", "lrange", "dest", "0", "-1");
        Check(c, "$9\r\nquicklist\r\n", "object", "encoding", "dest");
        // the last STORE wins; an empty result deletes the destination
        Check(c, ":3\r\n", "sort", "big", "store", "d1", "store", "d2");
        Check(c, ":1\r\n", "exists", "d1", "d2");
        Check(c, ":0\r\n", "sort", "big", "limit", "0", "0", "store", "d2");
        Check(c, ":0\r\n", "exists", "d2");
        Check(c, ":0\r\n", "sort", "big", "get", "x_*", "limit", "5", "1", "store", "d2");
        Check(c, ":0\r\n", "exists", "d2");
    }

    [Fact]
    public async Task SortedSets()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        Check(c, "+OK\r\n", "flushall");
        // sorted sets: BY nosort keeps the score order; SORT converts the set to the skiplist encoding for good
        Check(c, ":5\r\n", "zadd", "z", "3", "c", "1", "a", "2", "b", "10", "d", "5", "e");
        Check(c, "$8\r\nlistpack\r\n", "object", "encoding", "z");
        Check(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", "sort", "z", "alpha");
        Check(c, "$8\r\nskiplist\r\n", "object", "encoding", "z");
        Check(c, ":1\r\n", "zadd", "z2", "1", "x");
        Check(c, "*1\r\n$1\r\nx\r\n", "sort_ro", "z2", "by", "nosort");
        Check(c, "$8\r\nskiplist\r\n", "object", "encoding", "z2");
        Check(c, ":1\r\n", "zadd", "z3", "1", "5");
        Check(c, "-ERR value is not an integer or out of range\r\n", "sort", "z3", "limit", "x", "y");
        Check(c, "$8\r\nlistpack\r\n", "object", "encoding", "z3");
        Check(c, "-ERR syntax error\r\n", "sort", "z3", "foo");
        Check(c, "$8\r\nlistpack\r\n", "object", "encoding", "z3");
        Check(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\ne\r\n$1\r\nd\r\n", "sort", "z", "by", "nosort");
        Check(c, "*5\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", "sort", "z", "by", "nosort", "desc");
        Check(c, "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", "sort", "z", "by", "nosort", "limit", "1", "2");
        Check(c, "*2\r\n$1\r\ne\r\n$1\r\nc\r\n", "sort", "z", "by", "nosort", "desc", "limit", "1", "2");
        Check(c, "*1\r\n$1\r\na\r\n", "sort", "z", "by", "nosort", "desc", "limit", "4", "9");
        Check(c, "*0\r\n", "sort", "z", "by", "nosort", "desc", "limit", "5", "9");
        Check(c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "sort", "z", "by", "nosort", "limit", "-3", "2");
        Check(c, ":5\r\n", "sort", "z", "by", "nosort", "store", "dz");
        Check(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\ne\r\n$1\r\nd\r\n", "lrange", "dz", "0", "-1");
        Check(c, ":10\r\n", "sort", "z", "by", "nosort", "desc", "get", "#", "get", "w_*", "store", "dz");
        Check(c, "*10\r\n$1\r\nd\r\n$0\r\n\r\n$1\r\ne\r\n$0\r\n\r\n$1\r\nc\r\n$0\r\n\r\n$1\r\nb\r\n$0\r\n\r\n$1\r\na\r\n$0\r\n\r\n", "lrange", "dz", "0", "-1");
        Check(c, "-ERR One or more scores can't be converted into double\r\n", "sort", "z");
        Check(c, "+OK\r\n", "mset", "w_a", "5", "w_b", "4", "w_c", "3");
        Check(c, "*5\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", "sort", "z", "by", "w_*");
        Check(c, "*6\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\ne\r\n$-1\r\n", "sort", "z", "by", "w_*", "desc", "limit", "1", "3", "get", "#", "get", "w_*");
        Check(c, ":3\r\n", "zadd", "zn", "3", "10", "1", "20", "2", "5");
        Check(c, "*3\r\n$1\r\n5\r\n$2\r\n10\r\n$2\r\n20\r\n", "sort", "zn");
        Check(c, "*1\r\n$2\r\n10\r\n", "sort", "zn", "desc", "limit", "1", "1");
        Check(c, "*3\r\n$2\r\n10\r\n$2\r\n20\r\n$1\r\n5\r\n", "sort", "zn", "alpha");
    }
}

/// <summary>SORT through StackExchange.Redis's Sort and SortAndStore.</summary>
public class SortClientTests
{
    [Fact]
    public async Task SortApiWorks()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        await db.ListRightPushAsync("l", ["3", "1", "2", "10"]);
        await db.StringSetAsync([new("w_1", "c"), new("w_2", "a"), new("w_3", "b"), new("o_1", "one")]);
        await db.HashSetAsync("h_10", "f", "0");

        Assert.Equal(["1", "2", "3", "10"], (await db.SortAsync("l")).Select(v => (string?)v));
        Assert.Equal(["10", "3"], (await db.SortAsync("l", 0, 2, Order.Descending)).Select(v => (string?)v));
        Assert.Equal(["1", "10", "2", "3"], (await db.SortAsync("l", sortType: SortType.Alphabetic)).Select(v => (string?)v));
        Assert.Equal(["10", "2", "3", "1"], (await db.SortAsync("l", by: "w_*", sortType: SortType.Alphabetic)).Select(v => (string?)v));
        Assert.Equal(["3", "1", "2", "10"], (await db.SortAsync("l", by: "nosort")).Select(v => (string?)v));
        Assert.Equal(
            ["1", "one", "2", null, "3", null, "10", null],
            (await db.SortAsync("l", get: ["#", "o_*"])).Select(v => (string?)v));
        Assert.Equal([null, null, null, "0"], (await db.SortAsync("l", get: ["h_*->f"])).Select(v => (string?)v));

        Assert.Equal(2, await db.SortAndStoreAsync("dst", "l", 1, 2, Order.Descending));
        Assert.Equal(["3", "2"], (await db.ListRangeAsync("dst")).Select(v => (string?)v));
        Assert.Equal(0, await db.SortAndStoreAsync("dst", "missing"));
        Assert.False(await db.KeyExistsAsync("dst"));

        await db.SetAddAsync("s", ["b", "a", "c"]);
        Assert.Equal(["a", "b", "c"], (await db.SortAsync("s", sortType: SortType.Alphabetic)).Select(v => (string?)v));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.SortAsync("s"));
        Assert.Equal("ERR One or more scores can't be converted into double", error.Message);
        await db.SortedSetAddAsync("z", [new("b", 2), new("a", 3), new("c", 1)]);
        Assert.Equal(["c", "b", "a"], (await db.SortAsync("z", by: "nosort")).Select(v => (string?)v));
        Assert.Equal(["a", "b"], (await db.SortAsync("z", 0, 2, sortType: SortType.Alphabetic)).Select(v => (string?)v));
        Assert.Equal(3, await db.SortAndStoreAsync("dz", "z", by: "nosort", order: Order.Descending));
        Assert.Equal(["a", "b", "c"], (await db.ListRangeAsync("dz")).Select(v => (string?)v));
        await db.StringSetAsync("str", "x");
        error = await Assert.ThrowsAsync<RedisServerException>(() => db.SortAsync("str"));
        Assert.StartsWith("WRONGTYPE", error.Message);
    }
}

/// <summary>What SORT ... STORE changes and announces, and what SORT's key lookups count, as redis-server 7.0.15 does.</summary>
public class SortWriteEffectsTests
{
    private sealed class Recorder : WriteEffects
    {
        public readonly List<string> Events = [];

        public override void KeyModified(int dbIndex, ReadOnlySpan<byte> key) => Events.Add("modified:" + System.Text.Encoding.UTF8.GetString(key));

        public override void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key, int dbIndex) =>
            Events.Add(type + ":" + eventName + ":" + System.Text.Encoding.UTF8.GetString(key));
    }

    [Fact]
    public async Task StoreNotifiesAndCountsChanges()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        c.Call("RPUSH", "l", "3", "1", "2");
        c.Call("SET", "w_1", "x");
        c.Call("RPUSH", "bad", "x");
        var recorder = new Recorder();
        server.Server.Effects = recorder;
        long Changes(params string[] args)
        {
            long before = server.Server.Dirty;
            c.Call(args);
            return server.Server.Dirty - before;
        }
        Assert.Equal(3, Changes("SORT", "l", "STORE", "d"));
        Assert.Equal(6, Changes("SORT", "l", "GET", "#", "GET", "w_*", "STORE", "d"));
        Assert.Equal(0, Changes("SORT", "l"));
        Assert.Equal(0, Changes("SORT_RO", "l"));
        Assert.Equal(1, Changes("SORT", "l", "LIMIT", "0", "0", "STORE", "d"));
        Assert.Equal(0, Changes("SORT", "l", "LIMIT", "0", "0", "STORE", "d"));
        Assert.Equal(0, Changes("SORT", "l", "STORE", "d", "LIMIT", "x", "1"));
        Assert.Equal(0, Changes("SORT", "bad", "STORE", "d"));
        Assert.Equal(
            // Creating d announces "new" first, as Redis's dbAdd does; replacing it does not.
            ["New:new:d", "modified:d", "List:sortstore:d", "modified:d", "List:sortstore:d", "modified:d", "Generic:del:d"],
            recorder.Events);
    }

    [Fact]
    public async Task EveryKeyLookupCountsAsHitOrMiss()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        c.Call("RPUSH", "e", "a", "b", "c", "d");
        c.Call("MSET", "w_a", "3", "w_b", "1");
        c.Call("HSET", "hw_a", "f", "5");
        c.Call("CONFIG", "RESETSTAT");
        // Recorded from redis-server 7.0.15: 1 sorted key, 4 BY lookups, then GET # (none), hw_*->f (4), nostar (none), o_* (4).
        c.Call("SORT", "e", "BY", "w_*", "GET", "#", "GET", "hw_*->f", "GET", "nostar", "GET", "o_*");
        c.Call("SORT", "nokey");
        string info = c.Call("INFO", "stats");
        Assert.Contains("keyspace_hits:4\r\n", info);
        Assert.Contains("keyspace_misses:10\r\n", info);
    }
}
