using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Pub/Sub over raw sockets, byte for byte against Redis 7.0.15 (replies captured from redis-server 7.0.15).</summary>
public class PubSubTests
{
    private static string Frame(char type, params string[] items)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(type).Append(items.Length).Append("\r\n");
        foreach (string item in items)
        {
            // ":n" is an integer, "_" a RESP3 null, "$-1" a RESP2 null; anything else a bulk string.
            if (item.StartsWith(':') || item == "_" || item == "$-1")
            {
                sb.Append(item).Append("\r\n");
            }
            else
            {
                sb.Append('$').Append(System.Text.Encoding.UTF8.GetByteCount(item)).Append("\r\n").Append(item).Append("\r\n");
            }
        }
        return sb.ToString();
    }

    private static string Arr(params string[] items) => Frame('*', items);

    private static string Push(params string[] items) => Frame('>', items);

    private static string ReadN(RawClient c, int n)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < n; i++)
        {
            sb.Append(c.ReadReply());
        }
        return sb.ToString();
    }

    private static void Hello3(RawClient c) => Assert.StartsWith("%7\r\n", c.Call("HELLO", "3"));

    [Fact]
    public async Task SubscribeConfirmsEachChannelWithRunningCount()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.SendCommand("SUBSCRIBE", "c1", "c2", "c1");
        Assert.Equal(Arr("subscribe", "c1", ":1") + Arr("subscribe", "c2", ":2") + Arr("subscribe", "c1", ":2"), ReadN(c, 3));
        c.SendCommand("PSUBSCRIBE", "c*", "c*");
        Assert.Equal(Arr("psubscribe", "c*", ":3") + Arr("psubscribe", "c*", ":3"), ReadN(c, 2));
        // Shard subscriptions are counted on their own.
        Assert.Equal(Arr("ssubscribe", "s1", ":1"), c.Call("SSUBSCRIBE", "s1"));
        c.SendCommand("UNSUBSCRIBE", "c1", "nope");
        Assert.Equal(Arr("unsubscribe", "c1", ":2") + Arr("unsubscribe", "nope", ":2"), ReadN(c, 2));
        Assert.Equal(Arr("punsubscribe", "c*", ":1"), c.Call("PUNSUBSCRIBE", "c*"));
        Assert.Equal(Arr("sunsubscribe", "s1", ":0"), c.Call("SUNSUBSCRIBE", "s1"));
        Assert.Equal(Arr("subscribe", "", ":2"), c.Call("SUBSCRIBE", ""));
    }

    [Fact]
    public async Task UnsubscribeWithoutSubscriptionsRepliesNullChannel()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(Arr("unsubscribe", "$-1", ":0"), c.Call("UNSUBSCRIBE"));
        Assert.Equal(Arr("punsubscribe", "$-1", ":0"), c.Call("PUNSUBSCRIBE"));
        Assert.Equal(Arr("sunsubscribe", "$-1", ":0"), c.Call("SUNSUBSCRIBE"));
        Assert.Equal("$-1\r\n", c.Call("GET", "x"));
        Hello3(c);
        Assert.Equal(Push("unsubscribe", "_", ":0"), c.Call("UNSUBSCRIBE"));
        Assert.Equal(Push("punsubscribe", "_", ":0"), c.Call("PUNSUBSCRIBE"));
        Assert.Equal(Push("sunsubscribe", "_", ":0"), c.Call("SUNSUBSCRIBE"));
    }

    [Fact]
    public async Task UnsubscribeAllConfirmsEverySubscriptionCountingDown()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var p = server.Raw();
        c.SendCommand("SUBSCRIBE", "a", "b", "c");
        ReadN(c, 3);
        c.SendCommand("PSUBSCRIBE", "x*", "y*");
        ReadN(c, 2);
        c.SendCommand("UNSUBSCRIBE");
        var names = new List<string>();
        for (int expected = 4; expected >= 2; expected--)
        {
            string r = c.ReadReply();
            Assert.StartsWith("*3\r\n$11\r\nunsubscribe\r\n$1\r\n", r);
            Assert.EndsWith($":{expected}\r\n", r);
            names.Add(r.Split("\r\n")[4]);
        }
        Assert.Equal(["a", "b", "c"], names.Order());
        // Still subscribed to patterns: still in subscribed mode.
        Assert.StartsWith("-ERR Can't execute 'get'", c.Call("GET", "k"));
        c.SendCommand("PUNSUBSCRIBE");
        string both = ReadN(c, 2);
        Assert.Contains(":1\r\n", both);
        Assert.EndsWith(":0\r\n", both);
        Assert.Equal("$-1\r\n", c.Call("GET", "k"));
        Assert.Equal("*0\r\n", p.Call("PUBSUB", "CHANNELS"));
        Assert.Equal(":0\r\n", p.Call("PUBSUB", "NUMPAT"));
    }

    [Fact]
    public async Task PublishDeliversToChannelAndPatternSubscribers()
    {
        await using var server = TestServer.Start();
        using var sub = server.Raw();
        using var psub = server.Raw();
        using var pub = server.Raw();
        sub.SendCommand("SUBSCRIBE", "news.tech", "other");
        ReadN(sub, 2);
        psub.SendCommand("PSUBSCRIBE", "news.*", "n?ws.[st]ech", "x*");
        ReadN(psub, 3);
        // The subscriber and both matching patterns: three deliveries.
        Assert.Equal(":3\r\n", pub.Call("PUBLISH", "news.tech", "hello"));
        Assert.Equal(Arr("message", "news.tech", "hello"), sub.ReadReply());
        string patterns = ReadN(psub, 2);
        Assert.Contains(Frame('*', "pmessage", "news.*", "news.tech", "hello"), patterns);
        Assert.Contains(Frame('*', "pmessage", "n?ws.[st]ech", "news.tech", "hello"), patterns);
        Assert.Equal(":0\r\n", pub.Call("PUBLISH", "nobody", "x"));
        Assert.Equal(":1\r\n", pub.Call("PUBLISH", "news.sport", "goal"));
        Assert.Equal(Arr("pmessage", "news.*", "news.sport", "goal"), psub.ReadReply());
        // Binary-safe channel and payload.
        Assert.Equal(":1\r\n", pub.Call("PUBLISH", "other", "a\r\nb\0c"));
        Assert.Equal(Arr("message", "other", "a\r\nb\0c"), sub.ReadReply());
        Assert.False(sub.Poll(TimeSpan.FromMilliseconds(50)));
        Assert.False(psub.Poll(TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task ClientSubscribedToChannelAndPatternGetsBothAndCountsTwice()
    {
        await using var server = TestServer.Start();
        using var sub = server.Raw();
        using var pub = server.Raw();
        sub.SendCommand("SUBSCRIBE", "ch");
        sub.ReadReply();
        sub.SendCommand("PSUBSCRIBE", "*");
        sub.ReadReply();
        Assert.Equal(":2\r\n", pub.Call("PUBLISH", "ch", "m"));
        Assert.Equal(Arr("message", "ch", "m") + Arr("pmessage", "*", "ch", "m"), ReadN(sub, 2));
    }

    [Fact]
    public async Task ShardChannelsAreSeparateFromChannelsAndPatterns()
    {
        await using var server = TestServer.Start();
        using var shard = server.Raw();
        using var normal = server.Raw();
        using var pub = server.Raw();
        shard.SendCommand("SSUBSCRIBE", "s", "t");
        Assert.Equal(Arr("ssubscribe", "s", ":1") + Arr("ssubscribe", "t", ":2"), ReadN(shard, 2));
        normal.SendCommand("SUBSCRIBE", "s");
        normal.ReadReply();
        normal.SendCommand("PSUBSCRIBE", "*");
        Assert.Equal(Arr("psubscribe", "*", ":2"), normal.ReadReply());
        Assert.Equal(":1\r\n", pub.Call("SPUBLISH", "s", "shard"));
        Assert.Equal(Arr("smessage", "s", "shard"), shard.ReadReply());
        Assert.Equal(":2\r\n", pub.Call("PUBLISH", "s", "plain"));
        Assert.Equal(Arr("message", "s", "plain") + Arr("pmessage", "*", "s", "plain"), ReadN(normal, 2));
        Assert.Equal(":0\r\n", pub.Call("SPUBLISH", "zz", "x"));
        Assert.False(shard.Poll(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(Arr("s", "t"), SortedArray(pub.Call("PUBSUB", "SHARDCHANNELS")));
        Assert.Equal(Arr("t"), pub.Call("PUBSUB", "SHARDCHANNELS", "t*"));
        Assert.Equal(Arr("s", ":1", "x", ":0"), pub.Call("PUBSUB", "SHARDNUMSUB", "s", "x"));
        Assert.Equal("*0\r\n", pub.Call("PUBSUB", "SHARDNUMSUB"));
        Assert.Equal(Arr("s"), pub.Call("PUBSUB", "CHANNELS"));
        // SUNSUBSCRIBE without arguments leaves channels and patterns alone.
        shard.SendCommand("SUNSUBSCRIBE");
        string r = ReadN(shard, 2);
        Assert.EndsWith(":0\r\n", r);
        Assert.Equal("*0\r\n", pub.Call("PUBSUB", "SHARDCHANNELS"));
        Assert.Equal(Arr("s", ":1"), pub.Call("PUBSUB", "NUMSUB", "s"));
    }

    private static string SortedArray(string reply)
    {
        string[] lines = reply.Split("\r\n");
        var items = new List<string>();
        for (int i = 2; i < lines.Length; i += 2)
        {
            items.Add(lines[i]);
        }
        items.Sort(StringComparer.Ordinal);
        return Arr([.. items]);
    }

    [Fact]
    public async Task PubSubIntrospection()
    {
        await using var server = TestServer.Start();
        using var a = server.Raw();
        using var b = server.Raw();
        using var q = server.Raw();
        a.SendCommand("SUBSCRIBE", "c1", "c2");
        ReadN(a, 2);
        b.SendCommand("SUBSCRIBE", "c1");
        b.ReadReply();
        a.SendCommand("PSUBSCRIBE", "p*", "q*");
        ReadN(a, 2);
        b.SendCommand("PSUBSCRIBE", "p*");
        b.ReadReply();
        Assert.Equal(Arr("c1", ":2", "c2", ":1", "zz", ":0"), q.Call("PUBSUB", "NUMSUB", "c1", "c2", "zz"));
        Assert.Equal("*0\r\n", q.Call("PUBSUB", "NUMSUB"));
        // Distinct patterns, however many clients use them.
        Assert.Equal(":2\r\n", q.Call("PUBSUB", "NUMPAT"));
        Assert.Equal(Arr("c1", "c2"), SortedArray(q.Call("PUBSUB", "CHANNELS")));
        Assert.Equal(Arr("c1"), q.Call("PUBSUB", "CHANNELS", "*1"));
        Assert.Equal("*0\r\n", q.Call("PUBSUB", "CHANNELS", "x*"));
        Assert.Equal(2, server.Server.PubSub.ChannelCount);
        Assert.Equal(2, server.Server.PubSub.PatternCount);
        Assert.Equal(0, server.Server.PubSub.ShardChannelCount);
        a.SendCommand("SSUBSCRIBE", "s1");
        a.ReadReply();
        string stats = q.Call("INFO", "stats");
        Assert.Contains("\r\npubsub_channels:2\r\npubsub_patterns:2\r\npubsubshard_channels:1\r\n", stats);
        Hello3(q);
        // NUMSUB stays a flat array in RESP3, as in Redis 7.0.
        Assert.Equal(Arr("c1", ":2"), q.Call("PUBSUB", "NUMSUB", "c1"));
    }

    [Fact]
    public async Task PubSubErrorsAndHelp()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("-ERR wrong number of arguments for 'pubsub' command\r\n", c.Call("PUBSUB"));
        Assert.Equal("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n", c.Call("PUBSUB", "NUMPAT", "x"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.\r\n", c.Call("PUBSUB", "channels", "a", "b"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'SHARDCHANNELS'. Try PUBSUB HELP.\r\n", c.Call("PUBSUB", "SHARDCHANNELS", "a", "b"));
        Assert.Equal("-ERR unknown subcommand 'foo'. Try PUBSUB HELP.\r\n", c.Call("PUBSUB", "foo"));
        Assert.Equal("-ERR wrong number of arguments for 'subscribe' command\r\n", c.Call("SUBSCRIBE"));
        Assert.Equal("-ERR wrong number of arguments for 'psubscribe' command\r\n", c.Call("PSUBSCRIBE"));
        Assert.Equal("-ERR wrong number of arguments for 'ssubscribe' command\r\n", c.Call("SSUBSCRIBE"));
        Assert.Equal("-ERR wrong number of arguments for 'publish' command\r\n", c.Call("PUBLISH", "ch"));
        Assert.Equal("-ERR wrong number of arguments for 'spublish' command\r\n", c.Call("SPUBLISH", "ch", "a", "b"));
        string help = c.Call("PUBSUB", "HELP");
        Assert.StartsWith("*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CHANNELS [<pattern>]\r\n", help);
        Assert.EndsWith("+HELP\r\n+    Prints this help.\r\n", help);
        Assert.Contains("+    pattern subscriptions(default: no channels).\r\n", help);
    }

    [Fact]
    public async Task Resp2SubscribedClientMayOnlyRunSubscriptionCommands()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Call("SUBSCRIBE", "ch");
        const string Tail = "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n";
        Assert.Equal("-ERR Can't execute 'get" + Tail, c.Call("GET", "x"));
        Assert.Equal("-ERR Can't execute 'client|list" + Tail, c.Call("CLIENT", "LIST"));
        Assert.Equal("-ERR Can't execute 'hello" + Tail, c.Call("HELLO", "3"));
        Assert.Equal("-ERR Can't execute 'publish" + Tail, c.Call("PUBLISH", "ch", "x"));
        // Checks that come first in Redis still do.
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", c.Call("GET"));
        Assert.Equal("-ERR unknown command 'nosuch', with args beginning with: \r\n", c.Call("nosuch"));
        Assert.Equal(Arr("pong", ""), c.Call("PING"));
        Assert.Equal(Arr("pong", "hi"), c.Call("PING", "hi"));
        Assert.Equal("-ERR wrong number of arguments for 'ping' command\r\n", c.Call("PING", "a", "b"));
        Assert.Equal(Arr("psubscribe", "p", ":2"), c.Call("PSUBSCRIBE", "p"));
        Assert.Equal(Arr("ssubscribe", "s", ":1"), c.Call("SSUBSCRIBE", "s"));
        Assert.Equal(Arr("unsubscribe", "ch", ":1"), c.Call("UNSUBSCRIBE", "ch"));
        Assert.Equal(Arr("punsubscribe", "p", ":0"), c.Call("PUNSUBSCRIBE", "p"));
        // A shard subscription alone keeps the client in subscribed mode.
        Assert.StartsWith("-ERR Can't execute 'get'", c.Call("GET", "x"));
        Assert.Equal(Arr("sunsubscribe", "s", ":0"), c.Call("SUNSUBSCRIBE", "s"));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Assert.Equal("$-1\r\n", c.Call("GET", "x"));

        // As Redis: refused (and arity-rejected) calls count as rejected_calls, not as calls.
        Amber.Commands.CommandSpec get = server.Server.Commands.Find("get"u8)!;
        Assert.Equal((1L, 3L, 0L), (get.Calls, get.RejectedCalls, get.FailedCalls));
        c.Call("SUBSCRIBE", "again");
        Assert.Equal("+OK\r\n", c.Call("QUIT"));
        Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Resp3ClientMayRunAnythingAndGetsPushFrames()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var pub = server.Raw();
        Hello3(c);
        Assert.Equal(Push("subscribe", "r1", ":1"), c.Call("SUBSCRIBE", "r1"));
        Assert.Equal(Push("psubscribe", "r*", ":2"), c.Call("PSUBSCRIBE", "r*"));
        Assert.Equal(Push("ssubscribe", "s", ":1"), c.Call("SSUBSCRIBE", "s"));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
        Assert.Equal("_\r\n", c.Call("GET", "x"));
        Assert.Equal(":2\r\n", pub.Call("PUBLISH", "r1", "m"));
        Assert.Equal(Push("message", "r1", "m") + Push("pmessage", "r*", "r1", "m"), ReadN(c, 2));
        Assert.Equal(":1\r\n", pub.Call("SPUBLISH", "s", "x"));
        Assert.Equal(Push("smessage", "s", "x"), c.ReadReply());
        Assert.Equal(Push("unsubscribe", "r1", ":1") + Push("unsubscribe", "r2", ":1"), Call(c, 2, "UNSUBSCRIBE", "r1", "r2"));
    }

    private static string Call(RawClient c, int replies, params string[] args)
    {
        c.SendCommand(args);
        return ReadN(c, replies);
    }

    [Fact]
    public async Task Resp3SelfPublishDeliversBeforeTheReplyAsRedis70()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Hello3(c);
        c.Call("SUBSCRIBE", "r1");
        c.Call("PSUBSCRIBE", "r*");
        // Redis 7.0 writes the pushes into the output buffer while PUBLISH runs, before its integer reply.
        Assert.Equal(Push("message", "r1", "self") + Push("pmessage", "r*", "r1", "self") + ":2\r\n", Call(c, 3, "PUBLISH", "r1", "self"));
        // Pipelined: each PUBLISH's pushes sit right before its own reply.
        c.Send("*3\r\n$7\r\nPUBLISH\r\n$2\r\nr1\r\n$1\r\na\r\n*3\r\n$7\r\nPUBLISH\r\n$2\r\nr9\r\n$1\r\nb\r\n*1\r\n$4\r\nPING\r\n");
        Assert.Equal(
            Push("message", "r1", "a") + Push("pmessage", "r*", "r1", "a") + ":2\r\n" + Push("pmessage", "r*", "r9", "b") + ":1\r\n+PONG\r\n",
            ReadN(c, 6));
    }

    [Fact]
    public async Task ClientReplyOffOrSkipDoesNotSilencePushes()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var pub = server.Raw();
        Hello3(c);
        c.SendCommand("CLIENT", "REPLY", "OFF");
        c.SendCommand("SUBSCRIBE", "x", "y");
        Assert.Equal(Push("subscribe", "x", ":1") + Push("subscribe", "y", ":2"), ReadN(c, 2));
        c.SendCommand("GET", "k");
        Assert.Equal(":1\r\n", pub.Call("PUBLISH", "x", "while-off"));
        Assert.Equal(Push("message", "x", "while-off"), c.ReadReply());
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "REPLY", "ON"));
        // SKIP silences PUBLISH's reply but not the push it caused to this very client.
        c.SendCommand("CLIENT", "REPLY", "SKIP");
        c.SendCommand("PUBLISH", "x", "skip");
        c.SendCommand("PING");
        Assert.Equal(Push("message", "x", "skip") + "+PONG\r\n", ReadN(c, 2));
        c.SendCommand("CLIENT", "REPLY", "SKIP");
        c.SendCommand("UNSUBSCRIBE", "x");
        c.SendCommand("PING");
        Assert.Equal(Push("unsubscribe", "x", ":1") + "+PONG\r\n", ReadN(c, 2));
    }

    [Fact]
    public async Task PushesFollowTheCurrentProtocolAfterHello()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var pub = server.Raw();
        c.Call("SUBSCRIBE", "ch");
        Assert.Equal(":1\r\n", pub.Call("PUBLISH", "ch", "one"));
        Assert.Equal(Arr("message", "ch", "one"), c.ReadReply());
        c.Call("UNSUBSCRIBE");
        Hello3(c);
        c.Call("SUBSCRIBE", "ch");
        Assert.Equal(":1\r\n", pub.Call("PUBLISH", "ch", "two"));
        Assert.Equal(Push("message", "ch", "two"), c.ReadReply());
        // RESP3 may run HELLO while subscribed; back in RESP2, messages are arrays and the restrictions apply.
        Assert.StartsWith("*14\r\n", c.Call("HELLO", "2"));
        Assert.Equal(":1\r\n", pub.Call("PUBLISH", "ch", "three"));
        Assert.Equal(Arr("message", "ch", "three"), c.ReadReply());
        Assert.StartsWith("-ERR Can't execute 'get'", c.Call("GET", "x"));
        Assert.Equal("+RESET\r\n", c.Call("RESET"));
    }

    [Fact]
    public async Task ResetUnsubscribesEverythingSilently()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var q = server.Raw();
        c.Call("SUBSCRIBE", "a");
        c.Call("PSUBSCRIBE", "p*");
        c.Call("SSUBSCRIBE", "s");
        string list = q.Call("CLIENT", "LIST");
        Assert.Contains(" sub=1 psub=1 ssub=1 ", list);
        Assert.Contains(" flags=P ", list);
        Assert.Equal("+RESET\r\n", c.Call("RESET"));
        Assert.Equal("$-1\r\n", c.Call("GET", "x"));
        Assert.Equal(Arr("a", ":0"), q.Call("PUBSUB", "NUMSUB", "a"));
        Assert.Equal(":0\r\n", q.Call("PUBSUB", "NUMPAT"));
        Assert.Equal("*0\r\n", q.Call("PUBSUB", "SHARDCHANNELS"));
        Assert.Equal(":0\r\n", q.Call("PUBLISH", "a", "gone"));
        Assert.DoesNotContain(" sub=1", q.Call("CLIENT", "LIST"));
        Assert.False(c.Poll(TimeSpan.FromMilliseconds(50)));
        Assert.Equal((0, 0, 0), (server.Server.PubSub.ChannelCount, server.Server.PubSub.PatternCount, server.Server.PubSub.ShardChannelCount));
    }

    [Fact]
    public async Task DisconnectRemovesSubscriptions()
    {
        await using var server = TestServer.Start();
        using var q = server.Raw();
        using (var c = server.Raw())
        {
            c.Call("SUBSCRIBE", "a");
            c.Call("PSUBSCRIBE", "p*");
            c.Call("SSUBSCRIBE", "s");
            Assert.Equal(":1\r\n", q.Call("PUBLISH", "a", "x"));
        }
        KeyCommandsTests.WaitUntil(() => q.Call("PUBSUB", "NUMSUB", "a") == Arr("a", ":0"), "the closed subscriber's channel to go");
        KeyCommandsTests.WaitUntil(() => q.Call("PUBSUB", "NUMPAT") == ":0\r\n", "the closed subscriber's pattern to go");
        Assert.Equal("*0\r\n", q.Call("PUBSUB", "SHARDCHANNELS"));
        Assert.Equal(":0\r\n", q.Call("PUBLISH", "pa", "x"));
    }

    [Fact]
    public async Task ClientKillOfSubscriberRemovesItsSubscriptions()
    {
        await using var server = TestServer.Start();
        using var q = server.Raw();
        using var c = server.Raw();
        string id = c.Call("CLIENT", "ID")[1..^2];
        c.Call("SUBSCRIBE", "k");
        Assert.Equal(":1\r\n", q.Call("CLIENT", "KILL", "ID", id));
        Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
        KeyCommandsTests.WaitUntil(() => q.Call("PUBLISH", "k", "x") == ":0\r\n", "the killed subscriber to be gone");
    }

    [Fact]
    public async Task ManySubscribersEachGetEveryMessageInOrder()
    {
        await using var server = TestServer.Start();
        using var pub = server.Raw();
        var subs = new List<RawClient>();
        try
        {
            for (int i = 0; i < 40; i++)
            {
                RawClient s = server.Raw();
                subs.Add(s);
                s.SendCommand(i % 2 == 0 ? "SUBSCRIBE" : "PSUBSCRIBE", i % 2 == 0 ? "fan" : "f*");
                s.ReadReply();
            }
            for (int m = 0; m < 20; m++)
            {
                Assert.Equal(":40\r\n", pub.Call("PUBLISH", "fan", "m" + m));
            }
            for (int i = 0; i < subs.Count; i++)
            {
                for (int m = 0; m < 20; m++)
                {
                    string expected = i % 2 == 0 ? Arr("message", "fan", "m" + m) : Arr("pmessage", "f*", "fan", "m" + m);
                    Assert.Equal(expected, subs[i].ReadReply());
                }
            }
            Assert.Equal(Arr("fan", ":20"), pub.Call("PUBSUB", "NUMSUB", "fan"));
        }
        finally
        {
            foreach (RawClient s in subs)
            {
                s.Dispose();
            }
        }
    }

    /// <summary>
    /// A message published after the subscriber's SUBSCRIBE ran must arrive after its confirmation, even though
    /// the confirmation is sent by the subscriber's connection and the message is pushed from the publisher's.
    /// </summary>
    [Fact]
    public async Task MessageNeverOvertakesRepliesProducedBeforeIt()
    {
        await using var server = TestServer.Start();
        using var pub = server.Raw();
        for (int i = 0; i < 150; i++)
        {
            using var sub = server.Raw();
            string channel = "race" + i;
            sub.SendCommand("SUBSCRIBE", channel);
            // Publish as soon as the subscription exists, racing the subscriber's own reply send.
            while (pub.Call("PUBLISH", channel, "m") != ":1\r\n")
            {
            }
            Assert.Equal(Arr("subscribe", channel, ":1"), sub.ReadReply());
            Assert.Equal(Arr("message", channel, "m"), sub.ReadReply());
        }
    }

    /// <summary>A RESP3 client pipelining commands with big replies while messages stream in: every frame intact.</summary>
    [Fact]
    public async Task MessagesNeverInterleaveWithReplies()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        using var setup = server.Raw();
        string big = new('v', 100_000);
        Assert.Equal("+OK\r\n", setup.Call("SET", "big", big));
        Hello3(c);
        c.Call("SUBSCRIBE", "s");
        const int Gets = 60;
        const int Messages = 300;
        var publisher = Task.Run(() =>
        {
            using var p = server.Raw();
            for (int m = 0; m < Messages; m++)
            {
                p.Call("PUBLISH", "s", "n" + m);
            }
        });
        for (int g = 0; g < Gets; g++)
        {
            c.SendCommand("GET", "big");
        }
        int replies = 0;
        int next = 0;
        while (replies < Gets || next < Messages)
        {
            string r = c.ReadReply();
            if (r.StartsWith('>'))
            {
                Assert.Equal(Push("message", "s", "n" + next), r);
                next++;
            }
            else
            {
                Assert.Equal($"$100000\r\n{big}\r\n", r);
                replies++;
            }
        }
        await publisher;
    }

    [Fact]
    public async Task SlowSubscriberOverTheOutputBufferLimitIsClosed()
    {
        await using var server = TestServer.Start();
        using var pub = server.Raw();
        using var sub = server.Raw();
        Assert.Equal("+OK\r\n", pub.Call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0"));
        sub.Call("SUBSCRIBE", "flood");
        string payload = new('x', 64 * 1024);
        // The subscriber never reads: once the socket buffers are full, pushes queue up past the limit.
        int published = 0;
        while (pub.Call("PUBLISH", "flood", payload) == ":1\r\n")
        {
            Assert.True(++published < 4000, "the subscriber was never closed");
        }
        Assert.Equal(Arr("flood", ":0"), pub.Call("PUBSUB", "NUMSUB", "flood"));
    }

    /// <summary>A RESP3 subscriber blocked in BLPOP gets messages while it waits, and the served reply before later messages.</summary>
    [Fact]
    public async Task BlockedResp3SubscriberGetsMessagesAndItsReplyInOrder()
    {
        await using var server = TestServer.Start();
        using var pub = server.Raw();
        for (int i = 0; i < 30; i++)
        {
            // A channel per round: the previous round's client may still be unsubscribing as it disconnects.
            string ch = "ch" + i;
            using var c = server.Raw();
            Hello3(c);
            c.Call("SUBSCRIBE", ch);
            c.SendCommand("BLPOP", "L", "0");
            // Not CLIENT LIST's cmd=blpop: the previous round's served client may still be listed with it.
            await server.WaitForBlockedClientsAsync(1);
            Assert.Equal(":1\r\n", pub.Call("PUBLISH", ch, "during"));
            Assert.Equal(Push("message", ch, "during"), c.ReadReply());
            // RPUSH serves the BLPOP (Redis writes its reply then), the PUBLISH right after comes second.
            pub.Send($"*3\r\n$5\r\nRPUSH\r\n$1\r\nL\r\n$1\r\nv\r\n*3\r\n$7\r\nPUBLISH\r\n${ch.Length}\r\n{ch}\r\n$5\r\nafter\r\n");
            Assert.Equal(":1\r\n:1\r\n", ReadN(pub, 2));
            Assert.Equal("*2\r\n$1\r\nL\r\n$1\r\nv\r\n" + Push("message", ch, "after"), ReadN(c, 2));
        }
    }

    /// <summary>As inside EXEC, where Redis refuses SSUBSCRIBE (but lets SUBSCRIBE through for compatibility).</summary>
    [Fact]
    public async Task SSubscribeIsRefusedWhenBlockingIsDenied()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        long id = long.Parse(c.Call("CLIENT", "ID")[1..^2]);
        lock (server.Server.KeyspaceLock)
        {
            server.Server.Clients.Find(id)!.DenyBlocking = true;
        }
        Assert.Equal("-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n", c.Call("SSUBSCRIBE", "s"));
        Assert.Equal(Arr("subscribe", "ch", ":1"), c.Call("SUBSCRIBE", "ch"));
    }

    /// <summary>COMMAND INFO as Redis 7.0.15 prints it (flags, key positions, categories, key specs, subcommand order).</summary>
    [Fact]
    public async Task CommandInfoMatchesRedis()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(
            "*1\r\n*10\r\n$7\r\npublish\r\n:3\r\n*4\r\n+pubsub\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@pubsub\r\n+@fast\r\n*0\r\n*0\r\n*0\r\n",
            c.Call("COMMAND", "INFO", "publish"));
        Assert.Equal(
            "*1\r\n*10\r\n$10\r\nssubscribe\r\n:-2\r\n*4\r\n+pubsub\r\n+noscript\r\n+loading\r\n+stale\r\n:1\r\n:-1\r\n:1\r\n*2\r\n+@pubsub\r\n+@slow\r\n*0\r\n" +
            "*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+not_key\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
            "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
            c.Call("COMMAND", "INFO", "ssubscribe"));
        Assert.Equal(
            "*1\r\n*10\r\n$6\r\npubsub\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*6\r\n" +
            "*10\r\n$13\r\npubsub|numpat\r\n:2\r\n*3\r\n+pubsub\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@pubsub\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n" +
            "*10\r\n$13\r\npubsub|numsub\r\n:-2\r\n*3\r\n+pubsub\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@pubsub\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n" +
            "*10\r\n$18\r\npubsub|shardnumsub\r\n:-2\r\n*3\r\n+pubsub\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@pubsub\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n" +
            "*10\r\n$15\r\npubsub|channels\r\n:-2\r\n*3\r\n+pubsub\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@pubsub\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n" +
            "*10\r\n$11\r\npubsub|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n" +
            "*10\r\n$20\r\npubsub|shardchannels\r\n:-2\r\n*3\r\n+pubsub\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@pubsub\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n",
            c.Call("COMMAND", "INFO", "pubsub"));
    }

    /// <summary>Subscribers are exempt from the idle timeout (they wait for messages), as in Redis.</summary>
    [Fact]
    public async Task IdleTimeoutSparesSubscribers()
    {
        await using var server = TestServer.Start(cfg => cfg.TimeoutSeconds = 1);
        // Each client's first command right after it connects: a loaded machine can otherwise leave a would-be
        // subscriber idle past the 1 s timeout before it subscribes.
        using var sub = server.Raw();
        sub.Call("PSUBSCRIBE", "*");
        using var shard = server.Raw();
        shard.Call("SSUBSCRIBE", "s");
        using var idle = server.Raw();
        Assert.Equal("+PONG\r\n", idle.Call("PING"));
        Assert.True(idle.WaitForClose(TimeSpan.FromSeconds(10)));
        using var pub = server.Raw();
        Assert.Equal(":1\r\n", pub.Call("PUBLISH", "still", "here"));
        Assert.Equal(Arr("pmessage", "*", "still", "here"), sub.ReadReply());
        Assert.Equal(":1\r\n", pub.Call("SPUBLISH", "s", "x"));
        Assert.Equal(Arr("smessage", "s", "x"), shard.ReadReply());
    }
}
