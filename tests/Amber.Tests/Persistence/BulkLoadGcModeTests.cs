using System.Runtime;
using Amber.Persistence;

namespace Amber.Tests.Persistence;

public sealed class BulkLoadGcModeTests
{
    private static void WaitUntilNoLoadRuns() =>
        Assert.True(SpinWait.SpinUntil(() => GCSettings.LatencyMode == GCLatencyMode.Interactive, TimeSpan.FromSeconds(30)),
            "another test's load did not end");

    [Fact]
    public void BatchModeHoldsWhileAnyLoadRunsAndTheModeIsRestoredAfter()
    {
        WaitUntilNoLoadRuns();
        var outer = new BulkLoadGcMode();
        Assert.Equal(GCLatencyMode.Batch, GCSettings.LatencyMode);
        var inner = new BulkLoadGcMode();
        outer.Dispose();
        outer.Dispose();
        // Overlapping loads: the first to end must not turn concurrent collections back on under the other.
        Assert.Equal(GCLatencyMode.Batch, GCSettings.LatencyMode);
        inner.Dispose();
        // Other tests may be loading files at the same time; once they are done too, the mode is back.
        WaitUntilNoLoadRuns();
    }

    [Fact]
    public void RegionIsSizedFromTheFileAndCappedByMemory()
    {
        const long mb = 1024 * 1024;
        Assert.Equal(0, BulkLoadGcMode.RegionBytesFor(0, 16_000 * mb));
        // Small files: too short a load for collections to matter.
        Assert.Equal(0, BulkLoadGcMode.RegionBytesFor(10 * mb, 16_000 * mb));
        Assert.Equal(300 * mb, BulkLoadGcMode.RegionBytesFor(100 * mb, 16_000 * mb));
        // Never more than a quarter of the memory the process may use.
        Assert.Equal(1000 * mb, BulkLoadGcMode.RegionBytesFor(2000 * mb, 4000 * mb));
        // ... and none when that quarter is too small to be worth it.
        Assert.Equal(0, BulkLoadGcMode.RegionBytesFor(2000 * mb, 200 * mb));
        Assert.Equal(long.MaxValue / 4, BulkLoadGcMode.RegionBytesFor(long.MaxValue, long.MaxValue));
    }

    [Fact]
    public void LargeLoadRunsInANoGcRegionThatEndsWithIt()
    {
        WaitUntilNoLoadRuns();
        var load = new BulkLoadGcMode(fileBytes: 40L * 1024 * 1024);
        Assert.True(BulkLoadGcMode.InRegion);
        var inner = new BulkLoadGcMode(fileBytes: 40L * 1024 * 1024);
        inner.Dispose();
        // A nested load neither starts a second region nor ends the outer one.
        Assert.True(BulkLoadGcMode.InRegion);
        load.Dispose();
        Assert.False(BulkLoadGcMode.InRegion);
        WaitUntilNoLoadRuns();
    }

    [Fact]
    public void RegionEndedByACollectionStillRestoresTheMode()
    {
        WaitUntilNoLoadRuns();
        var load = new BulkLoadGcMode(fileBytes: 40L * 1024 * 1024);
        Assert.True(BulkLoadGcMode.InRegion);
        // What happens when a load allocates more than estimated: the runtime collects and leaves the region.
        GC.Collect();
        Assert.False(BulkLoadGcMode.InRegion);
        Assert.Equal(GCLatencyMode.Batch, GCSettings.LatencyMode);
        load.Dispose();
        WaitUntilNoLoadRuns();
    }
}
