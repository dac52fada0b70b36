using System.Diagnostics;

namespace Amber.Server;

/// <summary>
/// The clock readings a command needs (its start and end for the statistics and the slow log, and the Unix time its
/// expiry checks use), read once per batch of requests instead of three times per command (the coarse tick count
/// for idle time aside): within a batch (<see cref="BeginBatch"/>) a command starts when the previous one ended, and
/// its Unix time is the one read when the batch began, as long as that is less than a millisecond old. On this
/// machine a read costs 23–27 ns, which at pipeline 16 was about a tenth of a command's time (docs/benchmarks.md).
/// Used under the keyspace lock only.
/// </summary>
/// <remarks>
/// The Unix time is a real wall-clock reading, never derived from the monotonic clock: a derived time drifts from
/// the wall clock by microseconds, enough to land on the other side of a millisecond from what a client reads.
/// </remarks>
internal sealed class CommandClock
{
    private static readonly long OneMillisecond = Stopwatch.Frequency / 1000;

    /// <summary>The latest reading while a batch runs; 0 outside one.</summary>
    private long _latest;
    private long _batchStart;
    private long _batchUnixMs;

    public void BeginBatch()
    {
        _latest = _batchStart = Stopwatch.GetTimestamp();
        _batchUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    public void EndBatch() => _latest = _batchStart = 0;

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

    /// <summary>Unix time in ms for a command starting at <paramref name="start"/> (from <see cref="CommandStart"/>).</summary>
    public long UnixMs(long start) =>
        _batchStart != 0 && start - _batchStart < OneMillisecond ? _batchUnixMs : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
