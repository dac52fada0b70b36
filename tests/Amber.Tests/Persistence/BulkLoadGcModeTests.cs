using System.Runtime;
using Amber.Persistence;

namespace Amber.Tests.Persistence;

public sealed class BulkLoadGcModeTests
{
    [Fact]
    public void BatchModeHoldsWhileAnyLoadRunsAndTheModeIsRestoredAfter()
    {
        Assert.True(SpinWait.SpinUntil(() => GCSettings.LatencyMode == GCLatencyMode.Interactive, TimeSpan.FromSeconds(30)),
            "another test's load did not end");
        var outer = new BulkLoadGcMode();
        Assert.Equal(GCLatencyMode.Batch, GCSettings.LatencyMode);
        var inner = new BulkLoadGcMode();
        outer.Dispose();
        outer.Dispose();
        // Overlapping loads: the first to end must not turn concurrent collections back on under the other.
        Assert.Equal(GCLatencyMode.Batch, GCSettings.LatencyMode);
        inner.Dispose();
        // Other tests may be loading files at the same time; once they are done too, the mode is back.
        Assert.True(SpinWait.SpinUntil(() => GCSettings.LatencyMode == GCLatencyMode.Interactive, TimeSpan.FromSeconds(30)));
    }
}
