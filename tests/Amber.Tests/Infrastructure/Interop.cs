namespace Amber.Tests.Infrastructure;

/// <summary>
/// Locates Debian's Redis tools for interoperability tests. Missing tools make a test skip with the reason,
/// unless AMBER_REQUIRE_INTEROP=1 (set by .ci/run), where they make it fail.
/// </summary>
public static class Interop
{
    public static bool Required => Environment.GetEnvironmentVariable("AMBER_REQUIRE_INTEROP") == "1";

    /// <summary>
    /// Returns the full path of a tool, or skips/fails the current test when it is not installed (from
    /// <paramref name="packages"/>, which the reason names).
    /// </summary>
    public static string RequireTool(string name, string packages = "redis-server redis-tools")
    {
        string? path = Find(name);
        if (path != null)
        {
            return path;
        }
        string reason = $"{name} is not installed (apt-get install -y {packages})";
        if (Required)
        {
            Assert.Fail(reason + " and AMBER_REQUIRE_INTEROP=1");
        }
        Skip.If(true, reason);
        return "";
    }

    public static string? Find(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            string candidate = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Runs a tool to completion and returns (exit code, stdout + stderr).</summary>
    public static (int ExitCode, string Output) Run(string tool, string arguments, string? stdin = null, int timeoutMs = 60000)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin != null,
            UseShellExecute = false,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        if (stdin != null)
        {
            try
            {
                // Bytes to the pipe itself, so that nothing stays buffered in the writer to fail again on dispose.
                p.StandardInput.BaseStream.Write(System.Text.Encoding.UTF8.GetBytes(stdin));
                p.StandardInput.BaseStream.Flush();
            }
            catch (IOException)
            {
                // The tool exited without reading its input (e.g. redis-check-aof refusing to fix a middle file
                // before it asks): the pipe is broken, and its exit code and output still tell what happened.
            }
            try
            {
                p.StandardInput.Close();
            }
            catch (IOException)
            {
            }
        }
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {arguments} did not finish in {timeoutMs} ms");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
