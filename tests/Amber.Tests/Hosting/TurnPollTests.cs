using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Amber.Hosting;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Hosting;

public class TurnPollTests
{
    [SkippableFact]
    public void APollEndsAtOnceWhenAWatchedSocketHasData()
    {
        using TurnPoll? poll = TurnPoll.Create(Stopwatch.Frequency * 10);
        Skip.If(poll == null, "epoll is Linux's");
        (Socket sender, Socket receiver) = Pair();
        using (sender)
        using (receiver)
        {
            poll.Watch(receiver);
            sender.Send([1]);
            var watch = Stopwatch.StartNew();
            poll.Poll();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the poll took {watch.Elapsed} with data waiting");
            Assert.Equal((1, 1), (poll.Polls, poll.Hits));
        }
    }

    [SkippableFact]
    public void FruitlessPollsTakeTheWindowAndMakeTheNextOnesWaitLonger()
    {
        TimeSpan window = TimeSpan.FromMilliseconds(30);
        using TurnPoll? poll = TurnPoll.Create((long)(window.TotalSeconds * Stopwatch.Frequency));
        Skip.If(poll == null, "epoll is Linux's");
        (Socket sender, Socket receiver) = Pair();
        using (sender)
        using (receiver)
        {
            poll.Watch(receiver);
            var watch = Stopwatch.StartNew();
            poll.Poll();
            Assert.True(watch.Elapsed >= window, $"a poll with nothing to find ended after {watch.Elapsed}");
            // Backoff: after one fruitless poll the next turn does not poll, after two the next two do not.
            poll.Poll();
            Assert.Equal((1, 0), (poll.Polls, poll.Hits));
            poll.Poll();
            Assert.Equal((2, 0), (poll.Polls, poll.Hits));
            poll.Poll();
            poll.Poll();
            Assert.Equal(2, poll.Polls);
            // A poll that finds a request ends the backoff: the turn after it polls again.
            sender.Send([1]);
            poll.Poll();
            Assert.Equal((3, 1), (poll.Polls, poll.Hits));
            poll.Poll();
            Assert.Equal((4, 2), (poll.Polls, poll.Hits));
        }
    }

    [Fact]
    public async Task BusyClientsMakeTheEventThreadPollAndItsPollsFindRequests()
    {
        await using var server = TestServer.Start();
        // Only where socket completions run on the event thread (sockets.runsettings) and epoll exists.
        if (TurnPoll.Shared == null || Environment.GetEnvironmentVariable(SocketScheduling.InlineCompletionsVariable) != "1")
        {
            return;
        }
        using var info = new RawClient(server.Port);
        (long polls, long hits) before = Counters(info);
        (long polls, long hits) after = before;
        for (int burst = 0; burst < 20 && (after.polls == before.polls || after.hits == before.hits); burst++)
        {
            var tasks = new Task[8];
            for (int c = 0; c < tasks.Length; c++)
            {
                int id = c;
                tasks[c] = Task.Run(() =>
                {
                    using var client = new RawClient(server.Port);
                    for (int i = 1; i <= 500; i++)
                    {
                        Assert.Equal($":{i}\r\n", client.Call("INCR", $"poll:{burst}:{id}"));
                    }
                });
            }
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
            after = Counters(info);
        }
        Assert.True(after.polls > before.polls, "the event thread never polled after a batched turn");
        Assert.True(after.hits > before.hits, "no poll found a request");
    }

    private static (long Polls, long Hits) Counters(RawClient client)
    {
        string stats = client.Call("INFO", "stats");
        return (long.Parse(Regex.Match(stats, @"event_loop_polls:(\d+)").Groups[1].Value),
            long.Parse(Regex.Match(stats, @"event_loop_poll_hits:(\d+)").Groups[1].Value));
    }

    private static (Socket Sender, Socket Receiver) Pair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        sender.Connect(listener.LocalEndPoint!);
        return (sender, listener.Accept());
    }
}
