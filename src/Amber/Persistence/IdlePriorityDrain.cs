using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Amber.Keyspace;

namespace Amber.Persistence;

/// <summary>
/// Drains a background save's snapshot (BGSAVE, BGREWRITEAOF) on a thread in Linux's SCHED_IDLE class while it keeps
/// up, and on the save's own thread, at nice 10, while it does not.
/// <para>
/// Why idle: at nice 10 the save thread still counts as work for its CPU, so when a client or the event thread wakes,
/// the scheduler queues it on the other CPU, behind whatever runs there; on two CPUs the event thread and a local load
/// generator then share one and preempt each other (10k times in 3 s of BGSAVE, against a few hundred without), which
/// raised the request p99 by half while a BGSAVE ran. A CPU running only SCHED_IDLE threads counts as idle: waking
/// threads go there and take it at once (docs/benchmarks.md, "Session 8: the save drains at idle priority").
/// </para>
/// <para>
/// Why two threads: an idle thread may get almost no CPU on a busy machine, while requests keep capturing what they
/// change whether or not the drain keeps up, and an unprivileged thread cannot leave SCHED_IDLE (that needs
/// CAP_SYS_NICE). So the idle thread is a disposable one: when the bytes waiting for it pass twice the snapshot's
/// pending limit, it stops at the next chunk boundary and the save thread goes on at nice 10 until the waiting bytes
/// are back under half the limit, then starts a new idle thread. When it releases nothing for
/// <see cref="StarvedAfter"/> with work waiting, no CPU is idle: the save thread drains at nice 10 for at least as
/// long again before it tries an idle thread once more, twice as long after each starvation in a row.
/// </para>
/// </summary>
internal static class IdlePriorityDrain
{
    /// <summary>How long the idle thread may go without releasing a chunk while one is waiting.</summary>
    internal static readonly TimeSpan StarvedAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the save thread looks at the idle thread's progress.</summary>
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest stay at nice 10 after starving is the starvation limit times 2^(this - 1).</summary>
    private const int MaxStarvedBackOff = 5;

    private static long s_handOvers;

    /// <summary>Times an idle drain handed over to a save thread, in this process (tests, diagnostics).</summary>
    internal static long HandOvers => Interlocked.Read(ref s_handOvers);

    private enum Outcome
    {
        Complete,
        Refused,

        /// <summary>Too many bytes waiting: the save thread drains them, then an idle thread takes over again.</summary>
        Behind,

        /// <summary>No progress with work waiting: no CPU is idle, the save thread drains a while (backing off).</summary>
        Starved,
    }

    /// <summary>
    /// Writes the snapshot's whole stream through <paramref name="write"/>; returns when it is complete. Runs on the
    /// save's own thread, whose priority it lowers (<see cref="BackgroundThreadPriority"/>). Throws what the drain
    /// throws.
    /// </summary>
    public static void Run(KeyspaceSnapshot snapshot, Action<ReadOnlySpan<byte>> write) => Run(snapshot, write, StarvedAfter);

    /// <summary><see cref="Run(KeyspaceSnapshot, Action{ReadOnlySpan{byte}})"/> with another starvation limit (tests).</summary>
    internal static void Run(KeyspaceSnapshot snapshot, Action<ReadOnlySpan<byte>> write, TimeSpan starvedAfter)
    {
        using BackgroundThreadPriority.Scope lowered = BackgroundThreadPriority.Lower();
        if (!OperatingSystem.IsLinux())
        {
            snapshot.WriteTo(write);
            return;
        }
        SnapshotBuffer output = snapshot.Output;
        int starvedInARow = 0;
        while (true)
        {
            Outcome outcome = DrainOnIdleThread(snapshot, write, starvedAfter);
            if (outcome == Outcome.Complete)
            {
                return;
            }
            if (outcome == Outcome.Refused)
            {
                snapshot.WriteTo(write);
                return;
            }
            // Starved: no CPU was idle. Stay at nice 10 a while before trying idle again, twice as long each time in a
            // row (up to 16 times the starvation limit), so a busy machine drains mostly here instead of alternating.
            starvedInARow = outcome == Outcome.Starved ? Math.Min(starvedInARow + 1, MaxStarvedBackOff) : 0;
            long atLeastUntil = Stopwatch.GetTimestamp() +
                (starvedInARow == 0 ? 0 : (long)(starvedAfter.TotalSeconds * Stopwatch.Frequency) << (starvedInARow - 1));
            if (snapshot.WriteTo(write, () => output.PendingBytes < output.PendingLimit / 2 && Stopwatch.GetTimestamp() >= atLeastUntil))
            {
                return;
            }
        }
    }

    private static Outcome DrainOnIdleThread(KeyspaceSnapshot snapshot, Action<ReadOnlySpan<byte>> write, TimeSpan starvedAfter)
    {
        int handOver = 0;
        Outcome outcome = Outcome.Refused;
        Outcome handOverReason = Outcome.Behind;
        ExceptionDispatchInfo? failure = null;
        using var finished = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            try
            {
                // Lowered first as well, so that where SCHED_IDLE is refused it still runs no higher than nice 10.
                using BackgroundThreadPriority.Scope lowered = BackgroundThreadPriority.Lower();
                if (BackgroundThreadPriority.TryIdleCurrentThread())
                {
                    outcome = snapshot.WriteTo(write, () => Volatile.Read(ref handOver) != 0) ? Outcome.Complete : handOverReason;
                }
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                finished.Set();
            }
        })
        { IsBackground = true, Name = "amber-save-idle" };
        thread.Start();

        SnapshotBuffer output = snapshot.Output;
        long released = output.ReleasedChunks;
        long lastProgress = Stopwatch.GetTimestamp();
        while (!finished.Wait(CheckInterval))
        {
            long now = Stopwatch.GetTimestamp();
            if (output.ReleasedChunks != released || !output.HasChunkWaiting)
            {
                released = output.ReleasedChunks;
                lastProgress = now;
            }
            bool behind = output.PendingBytes > 2 * output.PendingLimit;
            if (behind || Stopwatch.GetElapsedTime(lastProgress, now) > starvedAfter)
            {
                handOverReason = behind ? Outcome.Behind : Outcome.Starved;
                Volatile.Write(ref handOver, 1);
                Interlocked.Increment(ref s_handOvers);
                finished.Wait();
                break;
            }
        }
        thread.Join();
        failure?.Throw();
        return outcome;
    }
}
