using System.Runtime.InteropServices;
using Amber.Diagnostics;

namespace Amber.Hosting;

/// <summary>
/// Keeps maxclients within the process's open-files limit, as Redis's adjustOpenFilesLimit does: every client holds a
/// descriptor, and a server that runs out of them can no longer accept, open files or even keep .NET's own socket
/// engine going (it failed fast). So the limit must hold maxclients plus the server's own descriptors; clients past
/// maxclients are then turned away with "max number of clients reached" while the server keeps working.
/// <para>
/// The soft limit is raised toward the hard one when that helps; when it cannot hold them all, maxclients is reduced
/// at start (with Redis's log lines) and CONFIG SET maxclients fails with Redis's error. Unlike Redis, Amber does not
/// try to raise the hard limit even when it may (root): the operator's `ulimit -Hn` stands.
/// </para>
/// <para>
/// Only the amber-server executable calls <see cref="Initialize"/> (an in-process test server shares its process's
/// descriptors with the tests); until then the checks pass everything.
/// </para>
/// </summary>
internal static class OpenFilesLimit
{
    // Beyond what it holds before the first client (~40, mostly the .NET runtime's), the server opens ~25 more as it
    // runs (AOF and RDB files, its event loop, per-thread /proc files), and keeps room for more: Redis reserves 32.
    private const int MinReserved = 64;

    private static int s_reserved = -1;

    /// <summary>
    /// Counts the descriptors the server holds before its first client, then fits <paramref name="maxClients"/> to the
    /// limit; returns the maxclients to run with.
    /// </summary>
    public static int Initialize(int maxClients, ServerLog log)
    {
        if (!OperatingSystem.IsLinux())
        {
            return maxClients;
        }
        s_reserved = MinReserved + Directory.GetFileSystemEntries("/proc/self/fd").Length;
        int fits = Fit(maxClients, log, out string? reason, out ulong limit);
        if (fits == maxClients)
        {
            return maxClients;
        }
        ulong wanted = (ulong)maxClients + (ulong)s_reserved;
        log.Warning($"You requested maxclients of {maxClients} requiring at least {wanted} max file descriptors.");
        log.Warning($"Server can't set maximum open files to {wanted} because of OS error: {reason}.");
        log.Warning($"Current maximum open files is {limit}. maxclients has been reduced to {fits} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.");
        return fits;
    }

    /// <summary>
    /// The error CONFIG SET maxclients gives when the limit cannot hold <paramref name="maxClients"/> (after raising
    /// the soft limit as far as it goes), else null.
    /// </summary>
    public static string? Check(int maxClients, ServerLog log)
    {
        if (s_reserved < 0)
        {
            return null;
        }
        int fits = Fit(maxClients, log, out _, out _);
        return fits == maxClients ? null : $"The operating system is not able to handle the specified number of clients, try with {fits}";
    }

    // The largest maxclients up to the one asked for that the (possibly raised) soft limit holds, at least 1; why the
    // limit could not be raised enough, and the limit.
    private static int Fit(int maxClients, ServerLog log, out string? reason, out ulong current)
    {
        reason = null;
        current = 0;
        ulong wanted = (ulong)maxClients + (ulong)s_reserved;
        if (Linux.GetResourceLimit(Linux.RlimitNoFile, out Linux.ResourceLimit limit) != 0)
        {
            reason = Marshal.GetLastPInvokeErrorMessage();
            log.Warning($"Unable to obtain the current NOFILE limit ({reason}), assuming 1024 and setting the max clients configuration accordingly.");
            limit = new Linux.ResourceLimit { Current = 1024, Maximum = 1024 };
        }
        current = limit.Current;
        if (current >= wanted)
        {
            return maxClients;
        }
        ulong raised = Math.Min(wanted, limit.Maximum);
        if (raised > current)
        {
            if (Linux.SetResourceLimit(Linux.RlimitNoFile, new Linux.ResourceLimit { Current = raised, Maximum = limit.Maximum }) == 0)
            {
                log.Notice($"Increased maximum number of open files to {raised} (it was originally set to {current}).");
                current = raised;
            }
            else
            {
                reason = Marshal.GetLastPInvokeErrorMessage();
            }
        }
        if (current >= wanted)
        {
            return maxClients;
        }
        reason ??= "Operation not permitted";
        return (int)Math.Max(1, (long)Math.Min(current, int.MaxValue) - s_reserved);
    }
}
