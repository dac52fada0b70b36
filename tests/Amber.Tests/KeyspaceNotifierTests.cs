using System.Text;
using Amber.Config;
using Amber.Notifications;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>The notifier's filtering by notify-keyspace-events and its channel format, through a fake publish sink.</summary>
public class KeyspaceNotifierTests
{
    private static List<string> Publish(string classes, NotifyFlags type, string eventName, byte[] key, int db)
    {
        Assert.True(ConfigRegistry.TryParseKeyspaceEvents(classes, out NotifyFlags flags));
        var notifier = new KeyspaceNotifier(new ServerConfig { NotifyKeyspaceEvents = flags });
        var sent = new List<string>();
        notifier.Publish = (channel, message) => sent.Add(Encoding.Latin1.GetString(channel) + " " + Encoding.Latin1.GetString(message));
        notifier.Notify(type, eventName, key, db);
        return sent;
    }

    private static List<string> Publish(string classes, NotifyFlags type, string eventName = "set") =>
        Publish(classes, type, eventName, "k"u8.ToArray(), 0);

    [Fact]
    public void KeyspaceAndKeyeventChannels()
    {
        Assert.Equal(["__keyspace@0__:k set", "__keyevent@0__:set k"], Publish("KEA", NotifyFlags.String));
        Assert.Equal(["__keyspace@0__:k set"], Publish("K$", NotifyFlags.String));
        Assert.Equal(["__keyevent@0__:set k"], Publish("E$", NotifyFlags.String));
    }

    [Fact]
    public void ClassesFilter()
    {
        Assert.Empty(Publish("", NotifyFlags.String));
        Assert.Empty(Publish("K$", NotifyFlags.List, "lpush"));
        Assert.Equal(["__keyspace@0__:k lpush"], Publish("Kl", NotifyFlags.List, "lpush"));
        Assert.Equal(["__keyevent@0__:del k"], Publish("Eg", NotifyFlags.Generic, "del"));
        Assert.Equal(["__keyevent@0__:expired k"], Publish("Ex", NotifyFlags.Expired, "expired"));
        // A class without K or E publishes nothing, as Redis.
        Assert.Empty(Publish("A", NotifyFlags.String));
        Assert.Empty(Publish("g$lshzxetd", NotifyFlags.Generic, "del"));
    }

    [Fact]
    public void AllExcludesNewAndKeyMiss()
    {
        Assert.Empty(Publish("KEA", NotifyFlags.New, "new"));
        Assert.Empty(Publish("KEA", NotifyFlags.KeyMiss, "keymiss"));
        Assert.Equal(["__keyevent@0__:new k"], Publish("En", NotifyFlags.New, "new"));
        Assert.Equal(["__keyspace@0__:k keymiss"], Publish("Km", NotifyFlags.KeyMiss, "keymiss"));
    }

    [Fact]
    public void DatabaseNumberAndBinaryKey()
    {
        byte[] key = [0, 0xff, (byte)' ', (byte)':', 0x80];
        List<string> sent = Publish("KEA", NotifyFlags.Hash, "hset", key, 12);
        Assert.Equal(["__keyspace@12__:" + Encoding.Latin1.GetString(key) + " hset", "__keyevent@12__:hset " + Encoding.Latin1.GetString(key)], sent);
    }

    [Fact]
    public void NoSinkNoWork()
    {
        Assert.True(ConfigRegistry.TryParseKeyspaceEvents("KEA", out NotifyFlags flags));
        var notifier = new KeyspaceNotifier(new ServerConfig { NotifyKeyspaceEvents = flags });
        notifier.Notify(NotifyFlags.String, "set", "k"u8, 0);
    }

    [Fact]
    public async Task FollowsConfigSet()
    {
        await using var server = TestServer.Start();
        var sink = new AmberEventSink(server, "");
        var c = server.Raw();
        c.Call("SET", "a", "1");
        Assert.Empty(sink.Take());
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "notify-keyspace-events", "E$"));
        c.Call("SET", "a", "1");
        c.Call("DEL", "a");
        Assert.Equal(["__keyevent@0__:set a"], sink.Take());
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "notify-keyspace-events", "Kg"));
        c.Call("SELECT", "3");
        c.Call("SET", "a", "1");
        c.Call("DEL", "a");
        Assert.Equal(["__keyspace@3__:a del"], sink.Take());
    }

    [Fact]
    public async Task DeliveredThroughPubSub()
    {
        await using var server = TestServer.Start();
        using var events = new RedisEventSubscriber(server.Port, "KEA");
        var c = server.Raw();
        c.Call("SET", "a", "1");
        c.Call("LPUSH", "l", "x");
        c.Call("SELECT", "9");
        c.Call("DEL", "nothing");
        c.Call("EXPIRE", "nothing", "10");
        c.Call("SET", "b", "1");
        Assert.Equal(
            [
                "__keyspace@0__:a set", "__keyevent@0__:set a", "__keyspace@0__:l lpush", "__keyevent@0__:lpush l",
                "__keyspace@9__:b set", "__keyevent@9__:set b",
            ],
            events.Take());

        // Exact frames for a plain subscriber, RESP2 and RESP3.
        var sub = server.Raw();
        sub.Call("SUBSCRIBE", "__keyevent@0__:incrby");
        c.Call("SELECT", "0");
        c.Call("INCR", "n");
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$21\r\n__keyevent@0__:incrby\r\n$1\r\nn\r\n", sub.ReadReply());
        var sub3 = server.Raw();
        sub3.Call("HELLO", "3");
        sub3.Call("SUBSCRIBE", "__keyspace@0__:n");
        c.Call("INCRBY", "n", "2");
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$21\r\n__keyevent@0__:incrby\r\n$1\r\nn\r\n", sub.ReadReply());
        Assert.Equal(">3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:n\r\n$6\r\nincrby\r\n", sub3.ReadReply());
    }

    [Fact]
    public async Task LazyAndActiveExpiryPublishExpired()
    {
        await using var server = TestServer.Start();
        var sink = new AmberEventSink(server, "Ex");
        var c = server.Raw();
        server.Server.ActiveExpireEnabled = false;
        c.Call("SET", "lazy", "1", "PX", "1");
        Thread.Sleep(5);
        Assert.Equal("$-1\r\n", c.Call("GET", "lazy"));
        Assert.Equal(["__keyevent@0__:expired lazy"], sink.Take());

        server.Server.ActiveExpireEnabled = true;
        c.Call("SELECT", "2");
        c.Call("SET", "active", "1", "PX", "1");
        Assert.Contains("__keyevent@2__:expired active", sink.WaitFor("__keyevent@2__:expired active", TimeSpan.FromSeconds(10)));
        // Expiry counts no dirty change.
        long dirty = server.Server.Dirty;
        c.Call("SET", "x", "1", "PX", "1");
        Thread.Sleep(5);
        c.Call("GET", "x");
        Assert.Equal(dirty + 1, server.Server.Dirty);
    }
}
