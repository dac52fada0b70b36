using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Amber.Hosting;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Hosting;

[Collection(nameof(CpuContentionTests))]
public class TurnPollTests
{
    [SkippableFact]
    public async Task APollEndsWhenAWatchedSocketGetsData()
    {
        using var w = Watched.Create(Stopwatch.Frequency * 30);
        await SendWhilePolling(w.Poll, w.Sender);
        Assert.Equal((1, 1), (w.Poll.Polls, w.Poll.Hits));
    }

    [SkippableFact]
    public void APollWithNothingToFindTakesTheWindow()
    {
        TimeSpan window = TimeSpan.FromMilliseconds(30);
        using var w = Watched.Create((long)(window.TotalSeconds * Stopwatch.Frequency));
        var watch = Stopwatch.StartNew();
        w.Poll.Poll();
        Assert.True(watch.Elapsed >= window, $"a poll with nothing to find ended after {watch.Elapsed}");
        Assert.Equal((1, 0), (w.Poll.Polls, w.Poll.Hits));
    }

    [SkippableFact]
    public async Task WhenFewPollsAreNeededOnlyOneTurnIn32PollsUntilOneIsNeededAgain()
    {
        using var w = Watched.Create(Stopwatch.Frequency * 30);
        (TurnPoll poll, Socket sender, Socket receiver) = (w.Poll, w.Sender, w.Receiver);
        // A request already there: each poll ends at once and was not needed.
        sender.Send([1]);
        int polled = 0;
        while (polled < 1000 && poll.Polls == polled)
        {
            poll.Poll();
            polled++;
        }
        Assert.True(polled > 10 && polled < 1000, $"polling stopped after {polled} unneeded polls");
        // That turn was the first of 31 that skip the poll; the 32nd polls.
        for (int i = 0; i < 30; i++)
        {
            poll.Poll();
        }
        Assert.Equal(polled - 1, poll.Polls);
        poll.Poll();
        Assert.Equal(polled, poll.Polls);
        Assert.Equal(1, receiver.Receive(new byte[8]));
        // A probe that sees a request come brings polling back on every turn.
        for (int i = 0; i < 31; i++)
        {
            poll.Poll();
        }
        Assert.Equal(polled, poll.Polls);
        await SendWhilePolling(poll, sender);
        Assert.Equal((polled + 1, 1), (poll.Polls, poll.Hits));
        Assert.Equal(1, receiver.Receive(new byte[8]));
        await SendWhilePolling(poll, sender);
        Assert.Equal((polled + 2, 2), (poll.Polls, poll.Hits));
    }

    /// <summary>Starts a poll on another thread, sends a byte once it is polling, and waits for it to end.</summary>
    private static async Task SendWhilePolling(TurnPoll poll, Socket sender)
    {
        long polls = poll.Polls;
        var watch = Stopwatch.StartNew();
        Task polling = Task.Run(poll.Poll);
        while (poll.Polls == polls)
        {
            Assert.False(polling.IsCompleted, "the poll ended without counting itself");
            await Task.Delay(1);
        }
        await Task.Delay(20);
        sender.Send([1]);
        await polling.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"the poll took {watch.Elapsed}");
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
        // One thread drives four connections, request and reply in step: the requests come together, so their replies
        // go out in one batched turn, and the thread answers them while the event thread polls. (More client threads
        // would compete with the event thread for the CPU, and it does not poll then.)
        var clients = new RawClient[4];
        for (int c = 0; c < clients.Length; c++)
        {
            clients[c] = new RawClient(server.Port);
        }
        try
        {
            var watch = Stopwatch.StartNew();
            for (int i = 1; watch.Elapsed < TimeSpan.FromSeconds(30) && (after.polls == before.polls || after.hits == before.hits); i++)
            {
                for (int c = 0; c < clients.Length; c++)
                {
                    clients[c].SendCommand("INCR", "poll:" + c);
                }
                for (int c = 0; c < clients.Length; c++)
                {
                    Assert.Equal($":{i}\r\n", clients[c].ReadReply());
                }
                if (i % 1000 == 0)
                {
                    after = Counters(info);
                }
            }
        }
        finally
        {
            foreach (RawClient client in clients)
            {
                client.Dispose();
            }
        }
        Assert.True(after.polls > before.polls, "the event thread never polled after a batched turn");
        Assert.True(after.hits > before.hits, "no poll saw a request come");
    }

    private static (long Polls, long Hits) Counters(RawClient client)
    {
        string stats = client.Call("INFO", "stats");
        return (long.Parse(Regex.Match(stats, @"event_loop_polls:(\d+)").Groups[1].Value),
            long.Parse(Regex.Match(stats, @"event_loop_poll_hits:(\d+)").Groups[1].Value));
    }

    /// <summary>A poller of its own watching one end of a loopback connection; skips the test where epoll is missing.</summary>
    private sealed class Watched : IDisposable
    {
        private Watched(TurnPoll poll, Socket sender, Socket receiver) => (Poll, Sender, Receiver) = (poll, sender, receiver);

        public TurnPoll Poll { get; }

        public Socket Sender { get; }

        public Socket Receiver { get; }

        public static Watched Create(long windowTicks)
        {
            TurnPoll? poll = TurnPoll.Create(windowTicks);
            Skip.If(poll == null, "epoll is Linux's");
            (Socket sender, Socket receiver) = Pair();
            poll.Watch(receiver);
            return new Watched(poll, sender, receiver);
        }

        public void Dispose()
        {
            Sender.Dispose();
            Receiver.Dispose();
            Poll.Dispose();
        }
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
