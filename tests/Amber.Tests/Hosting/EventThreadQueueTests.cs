using Amber.Hosting;

namespace Amber.Tests.Hosting;

public sealed class EventThreadQueueTests
{
    /// <summary>Posted work runs on the socket event thread, not on a pool thread, and none is lost.</summary>
    [Fact]
    public async Task PostedWorkRunsOnTheEventThreadAndNoneIsLost()
    {
        EventThreadQueue queue = EventThreadQueue.Shared ?? throw new InvalidOperationException("no event-thread queue");
        const int Items = 2000;
        var ran = new List<int>();
        var onPool = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Posted from several threads at once, as the AOF flusher and its retries may.
        await Parallel.ForAsync(0, 4, (t, _) =>
        {
            for (int i = t; i < Items; i += 4)
            {
                queue.Post(state =>
                {
                    if (Thread.CurrentThread.IsThreadPoolThread)
                    {
                        Interlocked.Increment(ref onPool);
                    }
                    lock (ran)
                    {
                        ran.Add((int)state!);
                        if (ran.Count == Items)
                        {
                            done.TrySetResult();
                        }
                    }
                }, i);
            }
            return ValueTask.CompletedTask;
        });
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, onPool);
        ran.Sort();
        Assert.Equal(Enumerable.Range(0, Items), ran);
    }
}
