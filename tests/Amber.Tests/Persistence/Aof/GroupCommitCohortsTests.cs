using System.Diagnostics;
using Amber.Persistence.Aof;

namespace Amber.Tests.Persistence.Aof;

/// <summary>
/// The choice between one and two cohorts under appendfsync always, driven by a fake clock: releases at a given rate
/// in each way, and the climber must keep or switch accordingly.
/// </summary>
public sealed class GroupCommitCohortsTests
{
    private long _now = 1;

    private GroupCommitCohorts New() => new(() => _now);

    /// <summary>One epoch of releases of <paramref name="perRelease"/> of 50 clients, <paramref name="micros"/> apart.</summary>
    private void Epoch(GroupCommitCohorts cohorts, int perRelease, double micros)
    {
        long step = (long)(micros * Stopwatch.Frequency / 1e6);
        long end = _now + GroupCommitCohorts.EpochMs * Stopwatch.Frequency / 1000;
        while (_now < end)
        {
            _now += step;
            cohorts.Released(perRelease, 50);
        }
    }

    /// <summary>Runs epochs until a probe is over, the rate of each way given (requests per second).</summary>
    private void ProbeCycle(GroupCommitCohorts cohorts, double oneCohortRate, double twoCohortRate)
    {
        for (int i = 0; i < GroupCommitCohorts.EpochsBetweenProbes + 2; i++)
        {
            bool two = cohorts.TwoCohorts;
            int perRelease = two ? 25 : 50;
            Epoch(cohorts, perRelease, perRelease / (two ? twoCohortRate : oneCohortRate) * 1e6);
        }
    }

    [Fact]
    public void StartsWithOneCohortAndHoldsForEveryWaiter()
    {
        GroupCommitCohorts cohorts = New();
        cohorts.Released(50, 50);
        Assert.False(cohorts.TwoCohorts);
        Assert.Equal(50, cohorts.HoldTarget);
        Assert.Equal(int.MaxValue, cohorts.RoundLimit);
    }

    [Fact]
    public void SwitchesToTwoCohortsWhenTheProbeReleasesFasterAndBackWhenThatTurns()
    {
        GroupCommitCohorts cohorts = New();
        cohorts.Released(50, 50);
        ProbeCycle(cohorts, oneCohortRate: 40_000, twoCohortRate: 60_000);
        Assert.True(cohorts.TwoCohorts);
        Assert.Equal(1, cohorts.Switches);
        cohorts.Released(25, 50);
        Assert.Equal(25, cohorts.HoldTarget);
        Assert.Equal(25, cohorts.RoundLimit);

        // The disk got faster: one cohort wins now.
        ProbeCycle(cohorts, oneCohortRate: 70_000, twoCohortRate: 45_000);
        Assert.False(cohorts.TwoCohorts);
        Assert.Equal(2, cohorts.Switches);
    }

    [Fact]
    public void KeepsItsWayWhenTheProbeIsNotClearlyFaster()
    {
        GroupCommitCohorts cohorts = New();
        cohorts.Released(50, 50);
        for (int cycle = 0; cycle < 3; cycle++)
        {
            ProbeCycle(cohorts, oneCohortRate: 50_000, twoCohortRate: 52_000);
            Assert.False(cohorts.TwoCohorts);
        }
        Assert.Equal(0, cohorts.Switches);
    }

    [Fact]
    public void NeverSplitsFewerThanFourClients()
    {
        GroupCommitCohorts cohorts = New();
        for (int i = 0; i < 20 * (GroupCommitCohorts.EpochsBetweenProbes + 2); i++)
        {
            _now += Stopwatch.Frequency / 100;
            cohorts.Released(3, 3);
            Assert.False(cohorts.TwoCohorts);
            Assert.Equal(int.MaxValue, cohorts.RoundLimit);
            Assert.Equal(3, cohorts.HoldTarget);
        }
    }
}
