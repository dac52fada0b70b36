using Amber.Hosting;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Hosting;

public class EventThreadSliceTests
{
    [SkippableFact]
    public void TheThreadThatAppliesItGetsTheShortSlice()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && EventThreadSlice.CurrentSlice() != 0, "needs Linux with sched_getattr");
        ulong before = 0, after = 0;
        var thread = new Thread(() =>
        {
            // A new thread inherits its creator's slice, which may be the short one if it served requests.
            EventThreadSlice.ResetCurrentThread();
            before = EventThreadSlice.CurrentSlice();
            EventThreadSlice.ApplyToCurrentThread();
            after = EventThreadSlice.CurrentSlice();
        });
        thread.Start();
        thread.Join();
        Assert.NotEqual(EventThreadSlice.SliceNanoseconds, before);
        Assert.Equal(EventThreadSlice.SliceNanoseconds, after);
    }

    [SkippableFact]
    public void ABackgroundThreadThatLowersItsPriorityDropsTheShortSlice()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && EventThreadSlice.CurrentSlice() != 0, "needs Linux with sched_getattr");
        ulong lowered = 0;
        var thread = new Thread(() =>
        {
            EventThreadSlice.ApplyToCurrentThread();
            using (Amber.Persistence.BackgroundThreadPriority.Lower())
            {
                lowered = EventThreadSlice.CurrentSlice();
            }
        });
        thread.Start();
        thread.Join();
        Assert.NotEqual(0UL, lowered);
        Assert.NotEqual(EventThreadSlice.SliceNanoseconds, lowered);
    }

    [SkippableFact]
    public async Task TheThreadThatServesRequestsRunsWithTheShortSlice()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && EventThreadSlice.CurrentSlice() != 0, "needs Linux with sched_getattr");
        await using TestServer server = TestServer.Start();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("+PONG\r\n", server.Raw().Call("PING"));
        }
        // Requests run on the socket event thread, or on whichever thread a receive completed at once: any of them.
        var slices = new List<string>();
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                string? line = File.ReadLines(Path.Combine(task, "sched")).FirstOrDefault(l => l.StartsWith("se.slice", StringComparison.Ordinal));
                slices.Add(line?.Split(':')[1].Trim() ?? "none");
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        Assert.Contains(EventThreadSlice.SliceNanoseconds.ToString(System.Globalization.CultureInfo.InvariantCulture), slices);
    }
}
