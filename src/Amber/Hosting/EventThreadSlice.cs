using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Amber.Hosting;

/// <summary>
/// Asks Linux for a short time slice (<see cref="SliceNanoseconds"/>) on the thread that serves the sockets. Since
/// Linux 6.6 the fair scheduler (EEVDF) lets a task that wakes up preempt the running one only when its deadline is
/// earlier, and a task with a shorter requested slice gets earlier deadlines: a client's request then runs as soon as
/// it arrives instead of waiting out the slice (1.4 ms by default on a 2-CPU machine) of whatever else holds the CPU:
/// the save thread of a BGSAVE, the JIT compiler or a background GC. The thread asks for nothing more than its share.
/// Best effort: ignored on older kernels and elsewhere than Linux. AMBER_EVENT_SLICE_US sets another slice (the
/// kernel keeps it between 100 µs and 100 ms); 0 turns this off.
/// </summary>
internal static partial class EventThreadSlice
{
    public const ulong SliceNanoseconds = 100_000;

    /// <summary>The slice in microseconds instead of the default; 0 leaves the thread's scheduling alone.</summary>
    public const string SliceVariable = "AMBER_EVENT_SLICE_US";

    private const int SchedAttrSize = 56;
    private const int SchedOther = 0;
    private const long SysSchedSetattr = 314;
    private const long SysSchedGetattr = 315;

    private static readonly ulong s_slice = ConfiguredSlice();

    [ThreadStatic]
    private static bool t_applied;

    /// <summary>Applies the short slice to the calling thread, once per thread.</summary>
    public static void ApplyToCurrentThread()
    {
        if (t_applied)
        {
            return;
        }
        t_applied = true;
        if (s_slice != 0)
        {
            _ = TrySetSlice(s_slice);
        }
    }

    private static ulong ConfiguredSlice() =>
        ulong.TryParse(Environment.GetEnvironmentVariable(SliceVariable), out ulong micros) ? micros * 1000 : SliceNanoseconds;

    /// <summary>
    /// Gives the calling thread the scheduler's default slice again. A new thread inherits its creator's slice, so a
    /// background thread started from a request (the save thread of a BGSAVE) calls this on its way to a lower priority.
    /// </summary>
    public static void ResetCurrentThread()
    {
        t_applied = false;
        if (s_slice != 0)
        {
            _ = TrySetSlice(0);
        }
    }

    /// <summary>The calling thread's requested slice in nanoseconds (tests); 0 when unknown.</summary>
    internal static ulong CurrentSlice()
    {
        byte[] attr = new byte[SchedAttrSize];
        return GetAttr(attr) ? BinaryPrimitives.ReadUInt64LittleEndian(attr.AsSpan(24)) : 0;
    }

    /// <summary>0 asks for the default slice. False where sched_getattr is not available (<see cref="GetAttr"/>).</summary>
    private static bool TrySetSlice(ulong nanoseconds)
    {
        // Read, change the slice only, write back: sched_setattr also sets the policy and the nice value.
        byte[] attr = new byte[SchedAttrSize];
        if (!GetAttr(attr) || BinaryPrimitives.ReadUInt32LittleEndian(attr.AsSpan(4)) != SchedOther)
        {
            return false;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(attr, SchedAttrSize);
        BinaryPrimitives.WriteUInt64LittleEndian(attr.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(attr.AsSpan(24), nanoseconds);
        try
        {
            return Syscall(SysSchedSetattr, 0, attr, 0, 0) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static bool GetAttr(byte[] attr)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return false;
        }
        try
        {
            return Syscall(SysSchedGetattr, 0, attr, SchedAttrSize, 0) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number, long a1, byte[] a2, long a3, long a4);
}
