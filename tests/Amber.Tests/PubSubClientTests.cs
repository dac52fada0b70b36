using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

/// <summary>StackExchange.Redis's ISubscriber against Amber, over RESP2 (a dedicated subscription connection) and RESP3 (pushes on the interactive connection).</summary>
public class PubSubClientTests
{
    public static TheoryData<RedisProtocol> Protocols => new() { RedisProtocol.Resp2, RedisProtocol.Resp3 };

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task SubscribePublishAndUnsubscribe(RedisProtocol protocol)
    {
        await using var server = TestServer.Start();
        ISubscriber sub = server.Connect(protocol: protocol).GetSubscriber();
        ISubscriber pub = server.Connect(protocol: protocol).GetSubscriber();
        var got = new TaskCompletionSource<(string Channel, string Message)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await sub.SubscribeAsync(RedisChannel.Literal("orders"), (ch, msg) => got.TrySetResult((ch.ToString(), msg.ToString())));

        Assert.Equal(1, await pub.PublishAsync(RedisChannel.Literal("orders"), "first"));
        Assert.Equal(("orders", "first"), await got.Task.WaitAsync(Wait));

        using var raw = server.Raw();
        Assert.Equal("*2\r\n$6\r\norders\r\n:1\r\n", raw.Call("PUBSUB", "NUMSUB", "orders"));
        await sub.UnsubscribeAsync(RedisChannel.Literal("orders"));
        Assert.Equal("*2\r\n$6\r\norders\r\n:0\r\n", raw.Call("PUBSUB", "NUMSUB", "orders"));
        Assert.Equal(0, await pub.PublishAsync(RedisChannel.Literal("orders"), "nobody"));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task PatternSubscriptionReceivesMatchingChannels(RedisProtocol protocol)
    {
        await using var server = TestServer.Start();
        ISubscriber sub = server.Connect(protocol: protocol).GetSubscriber();
        IDatabase pubDb = server.Db();
        ChannelMessageQueue queue = await sub.SubscribeAsync(RedisChannel.Pattern("news.*"));

        Assert.Equal(1, await pubDb.PublishAsync(RedisChannel.Literal("news.tech"), "a"));
        Assert.Equal(0, await pubDb.PublishAsync(RedisChannel.Literal("weather"), "b"));
        Assert.Equal(1, await pubDb.PublishAsync(RedisChannel.Literal("news.sport"), "c"));
        ChannelMessage first = await queue.ReadAsync().AsTask().WaitAsync(Wait);
        ChannelMessage second = await queue.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(("news.tech", "a"), (first.Channel.ToString(), first.Message.ToString()));
        Assert.Equal(("news.sport", "c"), (second.Channel.ToString(), second.Message.ToString()));
        Assert.Equal("news.*", first.SubscriptionChannel.ToString());

        using var raw = server.Raw();
        Assert.Equal(":1\r\n", raw.Call("PUBSUB", "NUMPAT"));
        await queue.UnsubscribeAsync();
        Assert.Equal(":0\r\n", raw.Call("PUBSUB", "NUMPAT"));
    }

    /// <summary>Messages arrive in publish order while the same connection (in RESP3) carries ordinary replies.</summary>
    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task MessagesInOrderWhileCommandsRunOnTheSameMultiplexer(RedisProtocol protocol)
    {
        await using var server = TestServer.Start();
        ConnectionMultiplexer mux = server.Connect(protocol: protocol);
        ChannelMessageQueue queue = await mux.GetSubscriber().SubscribeAsync(RedisChannel.Literal("seq"));
        IDatabase db = mux.GetDatabase();
        IDatabase pubDb = server.Connect(protocol: protocol).GetDatabase();
        const int Count = 200;
        Task publisher = Task.Run(async () =>
        {
            for (int i = 0; i < Count; i++)
            {
                Assert.Equal(1, await pubDb.PublishAsync(RedisChannel.Literal("seq"), i));
            }
        });
        for (int i = 0; i < 50; i++)
        {
            await db.StringSetAsync("k" + i, i);
            Assert.Equal(i, (int)await db.StringGetAsync("k" + i));
        }
        await publisher;
        for (int i = 0; i < Count; i++)
        {
            ChannelMessage m = await queue.ReadAsync().AsTask().WaitAsync(Wait);
            Assert.Equal(i, (int)m.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task ManySubscribersOnSeveralMultiplexers(RedisProtocol protocol)
    {
        await using var server = TestServer.Start();
        var queues = new List<ChannelMessageQueue>();
        for (int i = 0; i < 5; i++)
        {
            ISubscriber sub = server.Connect(protocol: protocol).GetSubscriber();
            queues.Add(await sub.SubscribeAsync(RedisChannel.Literal("all")));
            queues.Add(await sub.SubscribeAsync(RedisChannel.Pattern("a*")));
        }
        IDatabase pubDb = server.Db();
        Assert.Equal(10, await pubDb.PublishAsync(RedisChannel.Literal("all"), "hi"));
        foreach (ChannelMessageQueue q in queues)
        {
            Assert.Equal("hi", (await q.ReadAsync().AsTask().WaitAsync(Wait)).Message.ToString());
        }
    }
}
