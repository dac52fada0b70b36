using Amber.Server;

namespace Amber.Tests.Server;

public class CommandClockTests
{
    [Fact]
    public void UnixTimeIsAWallClockReadingBetweenTheClientsReadingsAroundIt()
    {
        var clock = new CommandClock();
        for (int i = 0; i < 2000; i++)
        {
            long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            clock.BeginBatch();
            long inBatch = clock.UnixMs(clock.CommandStart());
            clock.EndBatch();
            long outside = clock.UnixMs(clock.CommandStart());
            long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Assert.InRange(inBatch, before, after);
            Assert.InRange(outside, inBatch, after);
        }
    }

    [Fact]
    public void ABatchOlderThanAMillisecondReadsTheWallClockAgain()
    {
        var clock = new CommandClock();
        clock.BeginBatch();
        long atStart = clock.UnixMs(clock.CommandStart());
        Thread.Sleep(5);
        long later = clock.UnixMs(clock.CommandEnd());
        Assert.True(later >= atStart + 4, $"{later} should be about 5 ms after {atStart}");
        clock.EndBatch();
    }

    [Fact]
    public void InABatchACommandStartsWhenThePreviousOneEndedAndOutsideItReadsAfresh()
    {
        var clock = new CommandClock();
        clock.BeginBatch();
        long firstStart = clock.CommandStart();
        Assert.Equal(firstStart, clock.CommandStart());
        long firstEnd = clock.CommandEnd();
        Assert.True(firstEnd >= firstStart);
        Assert.Equal(firstEnd, clock.CommandStart());
        clock.EndBatch();

        long outside = clock.CommandStart();
        Assert.True(outside >= firstEnd);
        Thread.Sleep(2);
        Assert.True(clock.CommandStart() > outside, "outside a batch every start is a new reading");
    }
}
