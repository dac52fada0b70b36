using System.Diagnostics;

namespace Amber.Server;

/// <summary>
/// The clock readings a command needs (its start and end for the statistics and the slow log, and the Unix time
/// its expiry checks use) for one read per command instead of four: within a batch (<see cref="BeginBatch"/>) a
/// command starts when the previous one ended, and Unix time is derived from that same reading and a wall-clock
/// reading at most 100 ms old. On this machine a read costs 23–27 ns, which at pipeline 16 was about a tenth of a
/// command's time (docs/benchmarks.md). Used under the keyspace lock only.
/// </summary>
internal sealed class CommandClock
{
    private static readonly long ResyncTicks = Stopwatch.Frequency / 10;

    /// <summary>The latest reading while a batch runs; 0 outside one.</summary>
    private long _latest;
    private long _wallBaseTicks;

    /// <summary>Unix time at <see cref="_wallBaseTicks"/> in 100 ns units: whole milliseconds would put the derived time
    /// up to a millisecond behind the wall clock.</summary>
    private long _wallBaseUnix100Ns;

    public void BeginBatch() => _latest = Stopwatch.GetTimestamp();

    public void EndBatch() => _latest = 0;

    /// <summary>When a command starts: the batch's latest reading (the previous command's end), else a fresh one.</summary>
    public long CommandStart() => _latest != 0 ? _latest : Stopwatch.GetTimestamp();

    /// <summary>When a command ends; within a batch also the next command's start.</summary>
    public long CommandEnd()
    {
        long now = Stopwatch.GetTimestamp();
        if (_latest != 0)
        {
            _latest = now;
        }
        return now;
    }

    /// <summary>Unix time in ms at <paramref name="timestamp"/> (a Stopwatch reading).</summary>
    public long UnixMs(long timestamp)
    {
        long sinceBase = timestamp - _wallBaseTicks;
        if (_wallBaseTicks == 0 || sinceBase > ResyncTicks || sinceBase < -ResyncTicks)
        {
            // The wall clock may be set or slewed: follow it at most 100 ms late.
            _wallBaseTicks = Stopwatch.GetTimestamp();
            _wallBaseUnix100Ns = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
            sinceBase = timestamp - _wallBaseTicks;
        }
        long unix100Ns = _wallBaseUnix100Ns + (long)(sinceBase * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency));
        return Math.DivRem(unix100Ns, TimeSpan.TicksPerMillisecond).Quotient;
    }
}
