using System.Diagnostics;
using Amber.Hosting;

namespace Amber.Tests.Hosting;

[Collection(nameof(CpuContentionTests))]
public class CpuContentionTests
{
    [SkippableFact]
    public void AThreadThatWaitsForACpuIsContendedUntilItNoLongerWaits()
    {
        using CpuContention? contention = CpuContention.ForCurrentThread();
        Skip.If(contention == null, "no per-thread run delay here (Linux's /proc/thread-self/schedstat)");
        // Alone, after several windows of readings: not contended.
        Assert.True(Busy(contention, hogs: 0, until: contended => !contended, after: TimeSpan.FromMilliseconds(50)), "contended on an idle machine");

        // More spinning threads than CPUs: this thread now waits for one, too.
        Assert.True(Busy(contention, hogs: Environment.ProcessorCount + 1, until: contended => contended, after: TimeSpan.Zero), "never contended beside busy threads");

        Assert.True(Busy(contention, hogs: 0, until: contended => !contended, after: TimeSpan.Zero), "still contended after the busy threads stopped");
    }

    /// <summary>
    /// Keeps this thread busy (beside <paramref name="hogs"/> spinning threads) and asks every 100 µs, until
    /// <paramref name="until"/> holds after <paramref name="after"/> (true) or 20 s pass (false).
    /// </summary>
    private static bool Busy(CpuContention contention, int hogs, Func<bool, bool> until, TimeSpan after)
    {
        using var stop = new CancellationTokenSource();
        var threads = new Thread[hogs];
        for (int i = 0; i < hogs; i++)
        {
            threads[i] = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Thread.SpinWait(100);
                }
            })
            { IsBackground = true };
            threads[i].Start();
        }
        try
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                long next = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10_000;
                while (Stopwatch.GetTimestamp() < next)
                {
                    Thread.SpinWait(10);
                }
                if (until(contention.IsContended(Stopwatch.GetTimestamp())) && watch.Elapsed >= after)
                {
                    return true;
                }
            }
            return false;
        }
        finally
        {
            stop.Cancel();
            foreach (Thread thread in threads)
            {
                thread.Join();
            }
        }
    }
}

/// <summary>These tests read how long threads wait for a CPU, so they run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(CpuContentionTests), DisableParallelization = true)]
public sealed class CpuContentionCollection;
