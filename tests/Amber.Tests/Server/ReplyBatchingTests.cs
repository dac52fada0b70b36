using System.Diagnostics;
using Amber.Server;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Server;

public class ReplyBatchingTests
{
    [Fact]
    public void OnlyABatchWhileAnotherConnectionIsBusyWaits()
    {
        var batching = new ReplyBatching();
        object a = new(), b = new();
        long t = Stopwatch.GetTimestamp();
        long recent = ReplyBatching.RecentTicks;
        Assert.False(batching.OthersBusy(a, t));
        // A lone client's next batch, however soon, is answered at once.
        Assert.False(batching.OthersBusy(a, t + recent / 4));
        // Another connection's batch right after it waits for the end of the turn.
        Assert.True(batching.OthersBusy(b, t + recent / 2));
        // Long after the last batch nobody else is busy.
        Assert.False(batching.OthersBusy(a, t + 3 * recent));
    }

    [Fact]
    public async Task ConcurrentClientsGetTheirOwnRepliesInOrderAndSomeWaitForTheTurnEnd()
    {
        await using var server = TestServer.Start();
        long before = ReplyBatching.Shared.WaitedBatches;
        const int Clients = 20;
        const int Rounds = 300;
        var tasks = new Task[Clients];
        for (int c = 0; c < Clients; c++)
        {
            int id = c;
            tasks[c] = Task.Run(() =>
            {
                using var client = new RawClient(server.Port);
                for (int i = 1; i <= Rounds; i++)
                {
                    Assert.Equal($":{i}\r\n", client.Call("INCR", "counter:" + id));
                    Assert.Equal($"${i.ToString().Length}\r\n{i}\r\n", client.Call("GET", "counter:" + id));
                }
            });
        }
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        // Where the test host runs socket completions on the event thread (sockets.runsettings), busy clients wait.
        if (Amber.Hosting.EventThreadQueue.Shared != null && Environment.GetEnvironmentVariable(Amber.Hosting.SocketScheduling.InlineCompletionsVariable) == "1")
        {
            Assert.True(ReplyBatching.Shared.WaitedBatches > before, "no batch waited for the end of a turn");
        }
    }
}
