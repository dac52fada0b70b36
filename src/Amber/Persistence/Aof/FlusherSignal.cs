using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Amber.Persistence.Aof;

/// <summary>
/// Wakes the AOF flusher thread; its wait can time out after a few microseconds, where .NET's waits count in
/// milliseconds. The group commit's hold (<see cref="AofWriter"/>) sleeps here until the clients it waits for are
/// back or a fraction of an fsync has passed, instead of spinning on a core the event thread needs. On Linux x64 it
/// is a futex; elsewhere an <see cref="AutoResetEvent"/> whose timeouts round up to whole milliseconds.
/// One thread waits; any thread sets. A set wakes the next wait at once if nobody waits yet.
/// </summary>
internal sealed partial class FlusherSignal : IDisposable
{
    private const long SysFutex = 202;
    private const int FutexWaitPrivate = 128;
    private const int FutexWakePrivate = 129;

    // The futex word (1: set), in memory the collector never moves (the kernel keys a futex by its address).
    private readonly int[] _word = GC.AllocateArray<int>(1, pinned: true);
    private readonly AutoResetEvent? _fallback;
    private int _sleeping;

    public FlusherSignal()
    {
        if (!TryFutex(FutexWakePrivate, 1, 0))
        {
            _fallback = new AutoResetEvent(false);
        }
    }

    /// <summary>Whether waits use the futex (microsecond timeouts); false on the fallback.</summary>
    internal bool UsesFutex => _fallback == null;

    /// <summary>Wakes the waiting thread, or the next wait. Costs a system call only when the thread sleeps.</summary>
    public void Set()
    {
        if (Interlocked.Exchange(ref _word[0], 1) != 0)
        {
            return;
        }
        if (_fallback != null)
        {
            _fallback.Set();
        }
        else if (Volatile.Read(ref _sleeping) != 0)
        {
            TryFutex(FutexWakePrivate, 1, 0);
        }
    }

    /// <summary>Waits until set (true, and consumes it) or until <paramref name="timeoutMicros"/> have passed (false).</summary>
    public bool Wait(long timeoutMicros)
    {
        if (Interlocked.Exchange(ref _word[0], 0) != 0)
        {
            return true;
        }
        if (timeoutMicros <= 0)
        {
            return false;
        }
        if (_fallback != null)
        {
            _fallback.WaitOne((int)Math.Min(int.MaxValue, (timeoutMicros + 999) / 1000));
            return Interlocked.Exchange(ref _word[0], 0) != 0;
        }
        long deadline = Stopwatch.GetTimestamp() + (long)(timeoutMicros * (Stopwatch.Frequency / 1e6));
        // A setter that finds _sleeping 0 has set the word before this reads it below (both are full fences).
        Interlocked.Exchange(ref _sleeping, 1);
        try
        {
            while (true)
            {
                if (Interlocked.Exchange(ref _word[0], 0) != 0)
                {
                    return true;
                }
                long remaining = deadline - Stopwatch.GetTimestamp();
                if (remaining <= 0)
                {
                    return false;
                }
                // Sleeps only while the word is still 0: a set in between makes this return at once.
                TryFutex(FutexWaitPrivate, 0, (long)(remaining * (1e9 / Stopwatch.Frequency)) + 1);
            }
        }
        finally
        {
            Volatile.Write(ref _sleeping, 0);
        }
    }

    public void Dispose() => _fallback?.Dispose();

    private bool TryFutex(int op, int value, long timeoutNanos)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return false;
        }
        try
        {
            if (op != FutexWaitPrivate)
            {
                return Futex(SysFutex, ref _word[0], op, value, 0, 0, 0) >= 0;
            }
            var timeout = new Timespec { Seconds = timeoutNanos / 1_000_000_000, Nanoseconds = timeoutNanos % 1_000_000_000 };
            return Futex(SysFutex, ref _word[0], op, value, ref timeout, 0, 0) >= 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Futex(long number, ref int word, int op, int value, nint timeout, nint word2, int value3);

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Futex(long number, ref int word, int op, int value, ref Timespec timeout, nint word2, int value3);
}
