using System.Globalization;
using System.Runtime.InteropServices;

namespace Amber.Diagnostics;

/// <summary>Facts about the process and the machine for INFO, read from /proc where Linux offers them.</summary>
internal static class ProcessMetrics
{
    private static readonly Lazy<string> OsLine = new(ReadOs);
    private static readonly Lazy<long> SystemMemory = new(ReadSystemMemory);

    /// <summary>"Linux 6.1.0 x86_64": sysname, release and machine, as Redis prints uname.</summary>
    public static string Os => OsLine.Value;

    public static long TotalSystemMemory => SystemMemory.Value;

    /// <summary>Resident set size in bytes (second field of /proc/self/statm times the page size).</summary>
    public static long ResidentSetBytes()
    {
        try
        {
            string statm = File.ReadAllText("/proc/self/statm");
            string[] parts = statm.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 1 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long pages))
            {
                return pages * Environment.SystemPageSize;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Environment.WorkingSet;
    }

    private static string ReadOs()
    {
        string release = "";
        try
        {
            release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        string sysname = OperatingSystem.IsLinux() ? "Linux" : OperatingSystem.IsMacOS() ? "Darwin" : RuntimeInformation.OSDescription;
        string machine = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "x86_64",
            Architecture.Arm64 => "aarch64",
            Architecture.X86 => "i686",
            Architecture.Arm => "armv7l",
            var other => other.ToString().ToLowerInvariant(),
        };
        return release.Length > 0 ? $"{sysname} {release} {machine}" : $"{sysname} {machine}";
    }

    private static long ReadSystemMemory()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>Redis's bytesToHuman: 1023B, 1.00K, 2.50M, ...</summary>
    public static string BytesToHuman(long n)
    {
        double d = n;
        return n switch
        {
            < 1024 => n.ToString(CultureInfo.InvariantCulture) + "B",
            < 1024 * 1024 => (d / 1024).ToString("F2", CultureInfo.InvariantCulture) + "K",
            < 1024L * 1024 * 1024 => (d / (1024 * 1024)).ToString("F2", CultureInfo.InvariantCulture) + "M",
            < 1024L * 1024 * 1024 * 1024 => (d / (1024L * 1024 * 1024)).ToString("F2", CultureInfo.InvariantCulture) + "G",
            < 1024L * 1024 * 1024 * 1024 * 1024 => (d / (1024L * 1024 * 1024 * 1024)).ToString("F2", CultureInfo.InvariantCulture) + "T",
            _ => (d / (1024L * 1024 * 1024 * 1024 * 1024)).ToString("F2", CultureInfo.InvariantCulture) + "P",
        };
    }
}
