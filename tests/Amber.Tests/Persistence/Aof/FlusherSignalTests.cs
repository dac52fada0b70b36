using System.Diagnostics;
using Amber.Persistence.Aof;

namespace Amber.Tests.Persistence.Aof;

/// <summary>The AOF flusher's wake-up: a set is never lost, and a wait times out after its microseconds.</summary>
public sealed class FlusherSignalTests
{
    [Fact]
    public void ASetBeforeTheWaitEndsItAtOnceAndIsConsumed()
    {
        using var signal = new FlusherSignal();
        signal.Set();
        signal.Set();
        Assert.True(signal.Wait(10_000_000));
        Assert.False(signal.Wait(0));
    }

    [Fact]
    public void AWaitTimesOutAfterItsMicrosecondsNotAWholeMillisecondLater()
    {
        using var signal = new FlusherSignal();
        Assert.Equal(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64, signal.UsesFutex);
        var watch = Stopwatch.StartNew();
        Assert.False(signal.Wait(3_000));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(3), $"returned after {watch.Elapsed.TotalMicroseconds} µs");
        if (OperatingSystem.IsLinux())
        {
            // The futex wait keeps microseconds (the fallback rounds up to milliseconds); generous for a busy machine.
            watch.Restart();
            for (int i = 0; i < 20; i++)
            {
                Assert.False(signal.Wait(200));
            }
            Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(19), $"20 waits of 200 µs took {watch.Elapsed.TotalMilliseconds} ms");
        }
    }

    [Fact]
    public void ASetFromAnotherThreadWakesASleepingWait()
    {
        using var signal = new FlusherSignal();
        // Seeded: sets 0-50 µs after the wait starts (racing its way to sleep) and 1-2 ms after (it sleeps by then);
        // none may be lost (the wait would last 10 s).
        var random = new Random(5);
        for (int round = 0; round < 100; round++)
        {
            long delayMicros = round % 4 == 0 ? random.Next(1000, 2000) : random.Next(0, 50);
            var setter = new Thread(() =>
            {
                var spin = Stopwatch.StartNew();
                while (spin.Elapsed.TotalMicroseconds < delayMicros)
                {
                    Thread.SpinWait(20);
                }
                signal.Set();
            });
            var watch = Stopwatch.StartNew();
            setter.Start();
            Assert.True(signal.Wait(10_000_000));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the set was lost (round {round}, {delayMicros} µs)");
            setter.Join();
        }
    }
}
