using System.Collections;
using System.Runtime.InteropServices;

namespace Amber.Hosting;

/// <summary>
/// .NET's tiered compilation starts counting calls toward optimized code only after 100 ms in which no method was
/// compiled for the first time (TC_CallCountingDelayMs). A server that loads a dataset as it starts keeps compiling
/// new methods for a while, so much of its load ran in unoptimized code: 2M keys from a hybrid AOF loaded in 1.65-1.75 s
/// against 1.40-1.47 s with the delay at 0, and steady-state throughput was the same either way (docs/benchmarks.md,
/// session 7). The runtime reads that setting only from the environment, as it starts, so on Linux amber-server sets
/// it to 0 and replaces itself once (execve of the same executable with the same arguments: same process id, same
/// open standard streams) before doing anything else. An operator's own value of the variable wins and skips this.
/// </summary>
public static partial class JitTiering
{
    public const string DelayVariable = "DOTNET_TC_CallCountingDelayMs";

    /// <summary>Re-executes the process with the delay at 0, unless already set; returns only when it did not.</summary>
    public static void RestartWithoutCallCountingDelay()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(DelayVariable) != null)
        {
            return;
        }
        string[] arguments;
        try
        {
            // NUL-terminated arguments; an empty argument is an empty string between two NULs.
            string cmdline = File.ReadAllText("/proc/self/cmdline");
            if (cmdline.Length == 0 || cmdline[^1] != '\0')
            {
                return;
            }
            arguments = cmdline[..^1].Split('\0');
        }
        catch (IOException)
        {
            return;
        }
        var environment = new List<string>();
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            environment.Add($"{variable.Key}={variable.Value}");
        }
        environment.Add(DelayVariable + "=0");
        IntPtr[] argv = ToNative(arguments);
        IntPtr[] envp = ToNative(environment);
        Execve("/proc/self/exe", argv, envp);
        // Only on failure: go on as we are.
        Free(argv);
        Free(envp);
    }

    private static IntPtr[] ToNative(IReadOnlyList<string> strings)
    {
        var native = new IntPtr[strings.Count + 1];
        for (int i = 0; i < strings.Count; i++)
        {
            native[i] = Marshal.StringToCoTaskMemUTF8(strings[i]);
        }
        return native;
    }

    private static void Free(IntPtr[] native)
    {
        foreach (IntPtr p in native)
        {
            Marshal.FreeCoTaskMem(p);
        }
    }

    [LibraryImport("libc", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, IntPtr[] argv, IntPtr[] envp);
}
