using System.Buffers.Text;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Amber.Hosting;

/// <summary>
/// Whether the thread that made it has lately had to wait for a CPU: more than 10% of about 10 ms spent runnable but
/// not running (Linux's per-thread run delay, /proc/thread-self/schedstat), until a later window says otherwise.
/// <see cref="TurnPoll"/> asks before it polls: polling spends the thread's fair share of a CPU it shares with another
/// busy thread, so requests would then wait behind that thread's time slice. Measured on the event thread during
/// LRANGE_100 at pipeline 1: 15–24 µs of run delay per millisecond on a quiet machine, 240–350 µs with a CPU-bound
/// process beside it. Over windows of 1 ms instead of 10, a quiet machine's bursts crossed the 10% often enough to
/// stop most polls. A verdict held for 100 ms instead of one window cost 2–4% at pipeline 1 on a paravirtualized VM
/// whose quiet bursts crossed the 10% now and then (docs/benchmarks.md, session 11); beside a CPU-bound process every
/// window is contended anyway.
/// </summary>
internal sealed class CpuContention : IDisposable
{
    private static readonly long s_window = Stopwatch.Frequency / 100;

    private readonly SafeFileHandle _schedstat;
    private readonly byte[] _text = new byte[96];
    private long _checkedAt;
    private long _runDelayNs = -1;
    private long _contendedUntil = long.MinValue;

    private CpuContention(SafeFileHandle schedstat) => _schedstat = schedstat;

    /// <summary>A watch on the calling thread, or null where Linux does not report run delays.</summary>
    public static CpuContention? ForCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            var watch = new CpuContention(File.OpenHandle("/proc/thread-self/schedstat"));
            if (watch.ReadRunDelay() >= 0)
            {
                return watch;
            }
            watch.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>Whether the thread waited for a CPU lately; <paramref name="now"/> is Stopwatch ticks.</summary>
    public bool IsContended(long now)
    {
        if (now - _checkedAt >= s_window)
        {
            Check(now);
        }
        return now < _contendedUntil;
    }

    public void Dispose() => _schedstat.Dispose();

    private void Check(long now)
    {
        long runDelay = ReadRunDelay();
        long elapsed = now - _checkedAt;
        // A reading long after the previous one says nothing about the last window: it only starts a new one.
        if (runDelay >= 0 && _runDelayNs >= 0 && elapsed <= 10 * s_window)
        {
            long waited = (runDelay - _runDelayNs) * Stopwatch.Frequency / 1_000_000_000;
            if (waited * 10 > elapsed)
            {
                _contendedUntil = now + s_window;
            }
        }
        _checkedAt = now;
        _runDelayNs = runDelay;
    }

    // The file reads "<ns on a CPU> <ns waiting for one> <time slices>".
    private long ReadRunDelay()
    {
        int length;
        try
        {
            length = RandomAccess.Read(_schedstat, _text, 0);
        }
        catch (IOException)
        {
            return -1;
        }
        ReadOnlySpan<byte> text = _text.AsSpan(0, length);
        int space = text.IndexOf((byte)' ');
        return space > 0 && Utf8Parser.TryParse(text[(space + 1)..], out long runDelay, out _) ? runDelay : -1;
    }
}
