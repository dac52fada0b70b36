using System.Diagnostics;

namespace Amber.Tests;

/// <summary>The real amber-server executable: a bad configuration stops startup with Redis's message and exit code 1.</summary>
public sealed class ServerProcessTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "amber-proc-" + Guid.NewGuid().ToString("N"));

    public ServerProcessTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs amber-server.dll (copied next to the tests by the project reference) with dotnet; returns exit code, stdout and stderr.</summary>
    private static (int ExitCode, string Stdout, string Stderr) RunServer(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "amber-server.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("amber-server did not exit on a bad configuration");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void UnknownDirectiveExitsWithRedisMessage()
    {
        string conf = Path.Combine(_dir, "bad.conf");
        File.WriteAllText(conf, "port 0\nfoo bar\n");
        var (code, _, stderr) = RunServer(conf);
        Assert.Equal(1, code);
        Assert.Equal("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments\n", stderr);
    }

    [Fact]
    public void BadValueOnTheCommandLineExitsWithRedisMessage()
    {
        var (code, _, stderr) = RunServer("--port", "0", "--appendonly", "maybe");
        Assert.Equal(1, code);
        Assert.Equal("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'appendonly \"maybe\"'\nargument must be 'yes' or 'no'\n", stderr);
    }

    [Fact]
    public void MissingConfigFileExits()
    {
        string conf = Path.Combine(_dir, "missing.conf");
        var (code, _, stderr) = RunServer(conf);
        Assert.Equal(1, code);
        Assert.Equal($"Fatal error, can't open config file '{conf}': No such file or directory\n", stderr);
    }
}
