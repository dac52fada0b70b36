using Amber.Notifications;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Keyspace events and change counting of hash and set writes, in Redis 7.0's order.</summary>
public class HashSetWriteEffectsTests
{
    private sealed class Recorder : WriteEffects
    {
        public readonly List<string> Events = [];
        public readonly HashSet<string> Modified = [];

        public override void KeyModified(int dbIndex, ReadOnlySpan<byte> key) => Modified.Add(System.Text.Encoding.UTF8.GetString(key));

        public override void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key, int dbIndex)
        {
            // As published under notify-keyspace-events KEA: "new" (n) and "keymiss" (m) are not in A.
            if ((type & (NotifyFlags.New | NotifyFlags.KeyMiss)) == 0)
            {
                Events.Add(System.Text.Encoding.UTF8.GetString(key) + ":" + eventName);
            }
        }
    }

    [Fact]
    public async Task EventsMatchWhatRedisPublishes()
    {
        await using var server = TestServer.Start();
        var recorder = new Recorder();
        server.Server.Effects = recorder;
        using RawClient c = server.Raw();
        string[] script =
        [
            "hset h a 1 b 2", "hset h a 1", "hsetnx h a 1", "hsetnx h c 1", "hdel h zz", "hdel h a b c",
            "hincrby h n 1", "hincrbyfloat h f 1.5", "sadd s a b", "sadd s a", "srem s zz", "srem s a b",
            "sadd s 1", "spop s", "sadd s 1", "spop s 5", "sadd s 1 2", "smove s t 1", "sadd t2 2", "smove s t2 2",
            "sadd a 1 2", "sadd b 2 3", "sinterstore d a b", "sunionstore d a b", "sdiffstore d a b",
            "sinterstore d a nokey", "sinterstore d a nokey", "sdiffstore d a a",
        ];
        foreach (string line in script)
        {
            Assert.DoesNotContain("-", c.Call(line.Split(' '))[..1]);
        }
        // Recorded from redis-server 7.0.15 with notify-keyspace-events KEA.
        string expected = "h:hset h:hset h:hset h:hdel h:del h:hincrby h:hincrbyfloat s:sadd s:srem s:del s:sadd s:spop s:del " +
            "s:sadd s:spop s:del s:sadd s:srem t:sadd t2:sadd s:srem s:del a:sadd b:sadd d:sinterstore d:sunionstore " +
            "d:sdiffstore d:del";
        Assert.Equal(expected, string.Join(' ', recorder.Events));
        Assert.Equal(["a", "b", "d", "h", "s", "t", "t2"], recorder.Modified.Order().ToArray());
    }

    [Fact]
    public async Task ChangesAreCountedPerElementAsRedisDoes()
    {
        await using var server = TestServer.Start();
        using RawClient c = server.Raw();
        long Changes(params string[] args)
        {
            long before = server.Server.Dirty;
            c.Call(args);
            return server.Server.Dirty - before;
        }
        Assert.Equal(3, Changes("HSET", "h", "a", "1", "b", "2", "a", "3"));
        Assert.Equal(0, Changes("HSETNX", "h", "a", "1"));
        Assert.Equal(2, Changes("HDEL", "h", "a", "b", "zz"));
        Assert.Equal(0, Changes("HDEL", "h", "zz"));
        Assert.Equal(2, Changes("SADD", "s", "x", "y", "x"));
        Assert.Equal(0, Changes("SADD", "s", "x"));
        Assert.Equal(1, Changes("SREM", "s", "x", "zz"));
        Assert.Equal(0, Changes("SMEMBERS", "s"));
        Assert.Equal(0, Changes("HGETALL", "h"));
    }
}

/// <summary>DEBUG DIGEST-VALUE of hashes and sets equals Redis's (so DEBUG DIGEST compares datasets across servers).</summary>
public class HashSetDigestTests
{
    [Fact]
    public async Task DigestValuesMatchRedis()
    {
        await using var server = TestServer.Start(cfg => cfg.EnableDebugCommand = "yes");
        using RawClient c = server.Raw();
        c.Call("HSET", "h", "b", "2", "a", "1", "c", "3");
        c.Call("SADD", "s", "x", "y", "z");
        c.Call("SADD", "i", "5", "1", "3");
        c.Call("HSET", "big", "long", new string('a', 84), "b", "2");
        c.Call("HSET", "ttl", "f", "v");
        c.Call("EXPIRE", "ttl", "1000");
        // Recorded from redis-server 7.0.15.
        Assert.Equal(
            "*5\r\n+b60c36e529712296d694f27b5914cbe84950995e\r\n+0fd9977d57e46b1b9b87439f5ac5b338416ccc24\r\n" +
            "+5c39c0de715197828d6fd47871fcae13c0062832\r\n+0d1fe1b70490d44e64301368b591093d605e8ea7\r\n" +
            "+0000000000000000000000000000000000000000\r\n",
            c.Call("DEBUG", "DIGEST-VALUE", "h", "s", "i", "big", "nokey"));
        Assert.Equal("*1\r\n+764290614375888283b5a431391762cb21ffb885\r\n", c.Call("DEBUG", "DIGEST-VALUE", "ttl"));
        Assert.StartsWith("+", c.Call("DEBUG", "DIGEST"));
    }
}
