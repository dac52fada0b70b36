using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

/// <summary>The non-blocking list commands; expected bytes taken from Redis 7.0.15.</summary>
public class ListCommandTests
{
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    private const string NotInteger = "-ERR value is not an integer or out of range\r\n";
    private const string Syntax = "-ERR syntax error\r\n";

    private static string Bulks(params string[] items)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append('*').Append(items.Length).Append("\r\n");
        foreach (string i in items)
        {
            sb.Append('$').Append(i.Length).Append("\r\n").Append(i).Append("\r\n");
        }
        return sb.ToString();
    }

    private static void Check(RawClient c, string expected, params string[] command) => Assert.Equal(expected, c.Call(command));

    [Fact]
    public async Task PushAndLength()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Check(c, "+OK\r\n", "SET", "s", "x");
        Check(c, ":3\r\n", "RPUSH", "l", "a", "b", "c");
        Check(c, ":5\r\n", "LPUSH", "l", "y", "z");
        Check(c, Bulks("z", "y", "a", "b", "c"), "LRANGE", "l", "0", "-1");
        Check(c, ":6\r\n", "RPUSHX", "l", "d");
        Check(c, ":8\r\n", "LPUSHX", "l", "1", "2");
        Check(c, ":0\r\n", "LPUSHX", "nokey", "a");
        Check(c, ":0\r\n", "RPUSHX", "nokey", "a");
        Check(c, ":8\r\n", "LLEN", "l");
        Check(c, ":0\r\n", "LLEN", "nokey");
        Check(c, WrongType, "LPUSH", "s", "a");
        Check(c, WrongType, "RPUSH", "s", "a");
        Check(c, WrongType, "RPUSHX", "s", "a");
        Check(c, WrongType, "LLEN", "s");
        Check(c, "-ERR wrong number of arguments for 'lpush' command\r\n", "LPUSH", "l");
        Check(c, "-ERR wrong number of arguments for 'llen' command\r\n", "LLEN", "l", "x");
        Check(c, "$-1\r\n", "GET", "nokey");
    }

    [Fact]
    public async Task PopWithAndWithoutCount()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Check(c, "+OK\r\n", "SET", "s", "x");
        Check(c, ":3\r\n", "RPUSH", "l", "a", "b", "c");
        Check(c, "*0\r\n", "LPOP", "l", "0");
        Check(c, "-ERR value is out of range, must be positive\r\n", "LPOP", "l", "-1");
        Check(c, "-ERR value is out of range, must be positive\r\n", "LPOP", "l", "abc");
        Check(c, "-ERR value is out of range, must be positive\r\n", "LPOP", "s", "abc");
        Check(c, "*-1\r\n", "LPOP", "nokey", "0");
        Check(c, "*-1\r\n", "RPOP", "nokey", "2");
        Check(c, "$-1\r\n", "LPOP", "nokey");
        Check(c, "-ERR wrong number of arguments for 'lpop' command\r\n", "LPOP", "l", "1", "2");
        Check(c, WrongType, "LPOP", "s");
        Check(c, WrongType, "RPOP", "s", "0");
        Check(c, "$1\r\na\r\n", "LPOP", "l");
        Check(c, "$1\r\nc\r\n", "RPOP", "l");
        Check(c, ":4\r\n", "RPUSH", "l", "c", "d", "e");
        Check(c, Bulks("e", "d"), "RPOP", "l", "2");
        Check(c, Bulks("b", "c"), "LPOP", "l", "10");
        // The emptied list is gone: a count now gets the null array, not the empty one.
        Check(c, "*-1\r\n", "LPOP", "l", "0");
        Check(c, ":0\r\n", "LLEN", "l");
    }

    [Fact]
    public async Task RangeIndexAndSet()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Check(c, "+OK\r\n", "SET", "s", "x");
        Check(c, ":5\r\n", "RPUSH", "l", "1", "2", "3", "4", "5");
        Check(c, Bulks("1", "2", "3", "4", "5"), "LRANGE", "l", "-100", "100");
        Check(c, "*0\r\n", "LRANGE", "l", "3", "2");
        Check(c, "*0\r\n", "LRANGE", "l", "5", "10");
        Check(c, Bulks("4", "5"), "LRANGE", "l", "-2", "-1");
        Check(c, Bulks("3"), "LRANGE", "l", "2", "2");
        Check(c, "*0\r\n", "LRANGE", "nokey", "0", "-1");
        Check(c, NotInteger, "LRANGE", "l", "x", "1");
        Check(c, NotInteger, "LRANGE", "nokey", "0", "1.5");
        Check(c, WrongType, "LRANGE", "s", "0", "1");

        Check(c, "$1\r\n1\r\n", "LINDEX", "l", "0");
        Check(c, "$1\r\n5\r\n", "LINDEX", "l", "-1");
        Check(c, "$1\r\n1\r\n", "LINDEX", "l", "-5");
        Check(c, "$-1\r\n", "LINDEX", "l", "-6");
        Check(c, "$-1\r\n", "LINDEX", "l", "5");
        Check(c, "$-1\r\n", "LINDEX", "nokey", "0");
        // As Redis, the key is looked up before the index is parsed.
        Check(c, "$-1\r\n", "LINDEX", "nokey", "x");
        Check(c, WrongType, "LINDEX", "s", "x");
        Check(c, NotInteger, "LINDEX", "l", "x");

        Check(c, "+OK\r\n", "LSET", "l", "0", "first");
        Check(c, "+OK\r\n", "LSET", "l", "-1", "last");
        Check(c, Bulks("first", "2", "3", "4", "last"), "LRANGE", "l", "0", "-1");
        Check(c, "-ERR no such key\r\n", "LSET", "nokey", "0", "x");
        Check(c, "-ERR index out of range\r\n", "LSET", "l", "5", "x");
        Check(c, "-ERR index out of range\r\n", "LSET", "l", "-6", "x");
        Check(c, NotInteger, "LSET", "l", "x", "x");
        Check(c, WrongType, "LSET", "s", "0", "x");
    }

    [Fact]
    public async Task RemoveTrimInsert()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Check(c, "+OK\r\n", "SET", "s", "x");
        Check(c, ":7\r\n", "RPUSH", "r", "a", "b", "a", "c", "a", "d", "a");
        Check(c, ":2\r\n", "LREM", "r", "2", "a");
        Check(c, Bulks("b", "c", "a", "d", "a"), "LRANGE", "r", "0", "-1");
        Check(c, ":1\r\n", "LREM", "r", "-1", "a");
        Check(c, Bulks("b", "c", "a", "d"), "LRANGE", "r", "0", "-1");
        Check(c, ":1\r\n", "LREM", "r", "0", "a");
        Check(c, ":0\r\n", "LREM", "r", "0", "zz");
        Check(c, ":0\r\n", "LREM", "nokey", "0", "a");
        Check(c, NotInteger, "LREM", "r", "x", "a");
        Check(c, WrongType, "LREM", "s", "0", "a");
        Check(c, ":1\r\n", "LREM", "r", "0", "b");
        Check(c, ":1\r\n", "LREM", "r", "0", "c");
        Check(c, ":1\r\n", "LREM", "r", "0", "d");
        Check(c, ":0\r\n", "LLEN", "r");
        // LONG_MIN has no positive counterpart: Redis 7.0 removes every match, from the tail.
        Check(c, ":4\r\n", "RPUSH", "m", "a", "b", "a", "a");
        Check(c, ":3\r\n", "LREM", "m", "-9223372036854775808", "a");
        Check(c, Bulks("b"), "LRANGE", "m", "0", "-1");

        Check(c, ":5\r\n", "RPUSH", "t", "1", "2", "3", "4", "5");
        Check(c, "+OK\r\n", "LTRIM", "t", "1", "-2");
        Check(c, Bulks("2", "3", "4"), "LRANGE", "t", "0", "-1");
        Check(c, "+OK\r\n", "LTRIM", "t", "-100", "100");
        Check(c, Bulks("2", "3", "4"), "LRANGE", "t", "0", "-1");
        Check(c, "+OK\r\n", "LTRIM", "t", "5", "10");
        Check(c, ":0\r\n", "LLEN", "t");
        Check(c, "+OK\r\n", "LTRIM", "nokey", "0", "1");
        Check(c, NotInteger, "LTRIM", "t", "x", "1");
        Check(c, WrongType, "LTRIM", "s", "0", "1");

        Check(c, ":2\r\n", "RPUSH", "i", "a", "b");
        Check(c, ":3\r\n", "LINSERT", "i", "before", "a", "first");
        Check(c, ":4\r\n", "LINSERT", "i", "AFTER", "b", "last");
        Check(c, ":5\r\n", "LINSERT", "i", "After", "a", "mid");
        Check(c, Bulks("first", "a", "mid", "b", "last"), "LRANGE", "i", "0", "-1");
        Check(c, ":-1\r\n", "LINSERT", "i", "before", "zz", "x");
        Check(c, ":0\r\n", "LINSERT", "nokey", "before", "a", "x");
        Check(c, Syntax, "LINSERT", "i", "middle", "a", "x");
        Check(c, Syntax, "LINSERT", "s", "middle", "a", "x");
        Check(c, WrongType, "LINSERT", "s", "before", "a", "x");
    }

    [Fact]
    public async Task Lpos()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Check(c, "+OK\r\n", "SET", "s", "x");
        Check(c, ":7\r\n", "RPUSH", "l", "a", "b", "c", "a", "b", "c", "a");
        Check(c, ":0\r\n", "LPOS", "l", "a");
        Check(c, ":3\r\n", "LPOS", "l", "a", "RANK", "2");
        Check(c, ":6\r\n", "LPOS", "l", "a", "rank", "-1");
        Check(c, ":3\r\n", "LPOS", "l", "a", "rank", "-2");
        Check(c, "*3\r\n:0\r\n:3\r\n:6\r\n", "LPOS", "l", "a", "count", "0");
        Check(c, "*2\r\n:6\r\n:3\r\n", "LPOS", "l", "a", "count", "2", "rank", "-1");
        Check(c, "*2\r\n:3\r\n:6\r\n", "LPOS", "l", "a", "count", "2", "rank", "2");
        Check(c, "*1\r\n:0\r\n", "LPOS", "l", "a", "maxlen", "2", "count", "0");
        Check(c, ":6\r\n", "LPOS", "l", "a", "maxlen", "1", "rank", "-1");
        Check(c, "$-1\r\n", "LPOS", "l", "b", "maxlen", "1");
        Check(c, "*0\r\n", "LPOS", "l", "z", "count", "0");
        Check(c, "$-1\r\n", "LPOS", "l", "z");
        Check(c, "$-1\r\n", "LPOS", "nokey", "a");
        Check(c, "*0\r\n", "LPOS", "nokey", "a", "count", "0");
        Check(c, ":6\r\n", "LPOS", "l", "a", "rank", "-9223372036854775808");
        Check(c, "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
            "LPOS", "l", "a", "rank", "0");
        Check(c, NotInteger, "LPOS", "l", "a", "rank", "x");
        Check(c, "-ERR COUNT can't be negative\r\n", "LPOS", "l", "a", "count", "-1");
        Check(c, "-ERR COUNT can't be negative\r\n", "LPOS", "l", "a", "count", "x");
        Check(c, "-ERR MAXLEN can't be negative\r\n", "LPOS", "l", "a", "maxlen", "-1");
        Check(c, "-ERR MAXLEN can't be negative\r\n", "LPOS", "l", "a", "maxlen", "x");
        Check(c, Syntax, "LPOS", "l", "a", "foo", "1");
        Check(c, Syntax, "LPOS", "l", "a", "rank");
        Check(c, WrongType, "LPOS", "s", "a");
        // Options are checked before the key's type.
        Check(c, Syntax, "LPOS", "s", "a", "rank");
    }

    [Fact]
    public async Task MoveAndRpoplpush()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Check(c, "+OK\r\n", "SET", "s", "x");
        Check(c, ":4\r\n", "RPUSH", "l", "a", "b", "c", "d");
        Check(c, "$1\r\na\r\n", "LMOVE", "l", "d", "LEFT", "RIGHT");
        Check(c, "$1\r\nd\r\n", "LMOVE", "l", "d", "right", "left");
        Check(c, Bulks("d", "a"), "LRANGE", "d", "0", "-1");
        Check(c, "$1\r\nc\r\n", "RPOPLPUSH", "l", "d");
        Check(c, Bulks("c", "d", "a"), "LRANGE", "d", "0", "-1");
        Check(c, "$1\r\nb\r\n", "LMOVE", "l", "l", "left", "right");
        Check(c, "$1\r\nb\r\n", "RPOPLPUSH", "l", "l");
        Check(c, Bulks("b"), "LRANGE", "l", "0", "-1");
        Check(c, "$1\r\nb\r\n", "LMOVE", "l", "new", "left", "left");
        Check(c, ":0\r\n", "LLEN", "l");
        Check(c, Bulks("b"), "LRANGE", "new", "0", "-1");
        Check(c, "$-1\r\n", "LMOVE", "nokey", "d", "left", "left");
        Check(c, "$-1\r\n", "RPOPLPUSH", "nokey", "s");
        Check(c, Syntax, "LMOVE", "d", "x", "left", "middle");
        Check(c, Syntax, "LMOVE", "d", "x", "up", "left");
        Check(c, WrongType, "LMOVE", "d", "s", "left", "left");
        Check(c, WrongType, "LMOVE", "s", "d", "left", "left");
        Check(c, WrongType, "RPOPLPUSH", "d", "s");
        // The failed move popped nothing.
        Check(c, Bulks("c", "d", "a"), "LRANGE", "d", "0", "-1");
    }

    [Fact]
    public async Task Lmpop()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Check(c, "+OK\r\n", "SET", "s", "x");
        Check(c, ":5\r\n", "RPUSH", "l", "a", "b", "c", "d", "e");
        Check(c, "*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n", "LMPOP", "1", "l", "LEFT");
        Check(c, "*2\r\n$1\r\nl\r\n*2\r\n$1\r\ne\r\n$1\r\nd\r\n", "LMPOP", "2", "nokey", "l", "right", "COUNT", "2");
        Check(c, "*2\r\n$1\r\nl\r\n*2\r\n$1\r\nb\r\n$1\r\nc\r\n", "LMPOP", "1", "l", "left", "count", "100");
        Check(c, ":0\r\n", "LLEN", "l");
        Check(c, "*-1\r\n", "LMPOP", "1", "nokey", "left");
        Check(c, "-ERR numkeys should be greater than 0\r\n", "LMPOP", "0", "l", "left");
        Check(c, "-ERR numkeys should be greater than 0\r\n", "LMPOP", "x", "l", "left");
        Check(c, "-ERR numkeys should be greater than 0\r\n", "LMPOP", "-1", "l", "left");
        Check(c, Syntax, "LMPOP", "2", "l", "left");
        Check(c, Syntax, "LMPOP", "9223372036854775807", "l", "left");
        Check(c, Syntax, "LMPOP", "1", "l", "middle");
        Check(c, "-ERR count should be greater than 0\r\n", "LMPOP", "1", "l", "left", "count", "0");
        Check(c, "-ERR count should be greater than 0\r\n", "LMPOP", "1", "l", "left", "count", "x");
        Check(c, Syntax, "LMPOP", "1", "l", "left", "count", "2", "count", "3");
        Check(c, Syntax, "LMPOP", "1", "l", "left", "count");
        Check(c, Syntax, "LMPOP", "1", "l", "left", "foo");
        Check(c, WrongType, "LMPOP", "2", "s", "l", "left");
        Check(c, "-ERR wrong number of arguments for 'lmpop' command\r\n", "LMPOP", "1", "l");
    }

    [Fact]
    public async Task LargeListsAcrossManyNodes()
    {
        await using var server = TestServer.Start(cfg => cfg.ListMaxListpackSize = 4);
        IDatabase db = server.Db();
        var values = new RedisValue[1000];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = "v" + i;
        }
        Assert.Equal(1000, await db.ListRightPushAsync("big", values));
        Assert.Equal("v500", (string?)await db.ListGetByIndexAsync("big", 500));
        Assert.Equal("v999", (string?)await db.ListGetByIndexAsync("big", -1));
        RedisValue[] range = await db.ListRangeAsync("big", 250, 260);
        Assert.Equal(11, range.Length);
        Assert.Equal("v250", (string?)range[0]);
        Assert.Equal("v260", (string?)range[^1]);
        await db.ListSetByIndexAsync("big", 300, new string('x', 5000));
        Assert.Equal(5000, ((string?)await db.ListGetByIndexAsync("big", 300))!.Length);
        Assert.Equal(1001, await db.ListInsertAfterAsync("big", "v700", "after700"));
        Assert.Equal("after700", (string?)await db.ListGetByIndexAsync("big", 701));
        Assert.Equal(701, await db.ListPositionAsync("big", "after700"));
        await db.ListTrimAsync("big", 100, -101);
        Assert.Equal(801, await db.ListLengthAsync("big"));
        Assert.Equal("v100", (string?)await db.ListLeftPopAsync("big"));
        Assert.Equal("v899", (string?)await db.ListRightPopAsync("big"));
    }

    [Fact]
    public async Task StackExchangeRedisListApi()
    {
        await using var server = TestServer.Start();
        IDatabase db = server.Db();
        Assert.Equal(2, await db.ListLeftPushAsync("k", ["b", "a"]));
        Assert.Equal(3, await db.ListRightPushAsync("k", "c"));
        Assert.Equal(["a", "b", "c"], (await db.ListRangeAsync("k")).Select(v => (string)v!).ToArray());
        Assert.Equal("a", (string?)await db.ListMoveAsync("k", "k2", ListSide.Left, ListSide.Right));
        Assert.Equal(2, await db.ListRemoveAsync("k", "b") + await db.ListLengthAsync("k"));
        ListPopResult popped = await db.ListLeftPopAsync(["nokey", "k"], 5);
        Assert.Equal("k", (string?)popped.Key);
        Assert.Equal(["c"], popped.Values.Select(v => (string)v!).ToArray());
        await Assert.ThrowsAsync<RedisServerException>(() => db.ListSetByIndexAsync("missing", 0, "x"));
    }

    [Fact]
    public async Task NodeSizeFollowsConfigSet()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Check(c, "*2\r\n$22\r\nlist-max-listpack-size\r\n$2\r\n-2\r\n", "CONFIG", "GET", "list-max-listpack-size");
        Check(c, "+OK\r\n", "CONFIG", "SET", "list-max-ziplist-size", "3");
        Assert.Equal(3, server.Server.Config.ListMaxListpackSize);
        Check(c, ":10\r\n", "RPUSH", "l", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        var list = (Amber.Types.QuickList)server.Server.Databases[0].FindRaw("l"u8)!.Value!;
        Assert.Equal(4, list.NodeCount);
        Check(c, "+OK\r\n", "CONFIG", "SET", "list-compress-depth", "1");
        Assert.Equal(1, server.Server.Config.ListCompressDepth);
    }
}
