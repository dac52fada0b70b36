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

        public override void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key, int dbIndex) =>
            Events.Add(System.Text.Encoding.UTF8.GetString(key) + ":" + eventName);
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
