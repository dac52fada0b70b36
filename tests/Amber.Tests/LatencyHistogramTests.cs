using Amber.Diagnostics;

namespace Amber.Tests;

/// <summary>The histogram must report what Redis's HdrHistogram reports for the same samples.</summary>
public class LatencyHistogramTests
{
    [Theory]
    // Samples in microseconds and the p50 Redis printed in INFO latencystats for them.
    [InlineData(61, 61.183)]
    [InlineData(4, 4.015)]
    [InlineData(120, 120.319)]
    [InlineData(12, 12.031)]
    [InlineData(0, 0.001)]
    public void PercentileMatchesRedis(long micros, double expected)
    {
        var h = new LatencyHistogram();
        h.Record(micros * 1000);
        Assert.Equal(expected, h.ValueAtPercentile(50) / 1000.0, 3);
    }

    [Fact]
    public void PercentilesOverSeveralSamples()
    {
        var h = new LatencyHistogram();
        for (int i = 1; i <= 100; i++)
        {
            h.Record(i * 1000L);
        }
        Assert.Equal(100, h.TotalCount);
        Assert.Equal(50.175, h.ValueAtPercentile(50) / 1000.0, 3);
        Assert.Equal(99.327, h.ValueAtPercentile(99) / 1000.0, 3);
        Assert.Equal(100.351, h.ValueAtPercentile(99.9) / 1000.0, 3);
        h.Reset();
        Assert.Equal(0, h.TotalCount);
    }

    [Fact]
    public void CumulativeLevelsAsLatencyHistogramReplies()
    {
        var h = new LatencyHistogram();
        h.Record(3000);
        h.Record(6000);
        Assert.Equal([(4L, 1L), (8L, 2L)], h.CumulativeByPowerOfTwo());
        h.Record(500);
        h.Record(40_000_000_000); // clamped to one second
        Assert.Equal([(1L, 1L), (4L, 2L), (8L, 3L), (1082130L, 4L)], h.CumulativeByPowerOfTwo());
    }
}

public class CommandStatisticsTests
{
    [Fact]
    public async Task ResetAllClearsCountersAndHistograms()
    {
        await using var server = Infrastructure.TestServer.Start();
        using var c = server.Raw();
        c.Call("GET", "k");
        c.Call("SLOWLOG", "LEN");
        lock (server.Server.KeyspaceLock)
        {
            CommandStatistics.ResetAll(server.Server.Commands);
        }
        Assert.Equal("$16\r\n# Commandstats\r\n\r\n", c.Call("INFO", "commandstats"));
        string latency = c.Call("INFO", "latencystats");
        Assert.Contains("latency_percentiles_usec_info:", latency); // the INFO just before
        Assert.DoesNotContain("latency_percentiles_usec_get:", latency);
        Assert.DoesNotContain("slowlog", latency);
    }
}
