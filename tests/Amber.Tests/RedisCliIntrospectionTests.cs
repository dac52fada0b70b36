using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Debian's redis-cli 7.0 against INFO, COMMAND and its interactive start-up (COMMAND DOCS hints).</summary>
public class RedisCliIntrospectionTests
{
    [SkippableFact]
    public async Task InfoAndCommandCount()
    {
        string cli = Interop.RequireTool("redis-cli");
        await using var server = TestServer.Start();
        (int code, string output) = Interop.Run(cli, $"-p {server.Port} --no-raw info server");
        Assert.Equal(0, code);
        Assert.StartsWith("# Server\r\nredis_version:7.0.15\r\n", output);
        Assert.Contains($"\r\ntcp_port:{server.Port}\r\n", output);

        output = Interop.Run(cli, $"-p {server.Port} info keyspace").Output;
        Assert.Equal("# Keyspace\r\n", output);
        Interop.Run(cli, $"-p {server.Port} set k v");
        Assert.Equal("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n", Interop.Run(cli, $"-p {server.Port} info keyspace").Output);

        Assert.Equal($"(integer) {server.Server.Commands.All.Count}\n", Interop.Run(cli, $"-p {server.Port} --no-raw command count").Output);
        Assert.Equal("k\n", Interop.Run(cli, $"-p {server.Port} command getkeys get k").Output);
        Assert.StartsWith("1)  1) \"get\"\n    2) (integer) 2\n    3) 1) readonly\n       2) fast\n", Interop.Run(cli, $"-p {server.Port} --no-raw command info get").Output);
    }

    [SkippableFact]
    public async Task InteractiveStartupUsesCommandDocs()
    {
        string cli = Interop.RequireTool("redis-cli");
        string script = Interop.RequireTool("script");
        await using var server = TestServer.Start();
        // script(1) gives redis-cli a terminal, so it starts interactively and loads help from COMMAND DOCS.
        var psi = new System.Diagnostics.ProcessStartInfo(script, ["-qfec", $"{cli} -p {server.Port}", "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["TERM"] = "dumb";
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Write("set k v\nhelp get\nhelp command list\ninfo keyspace\nquit\n");
        p.StandardInput.Flush();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("interactive redis-cli did not exit");
        }
        string output = await stdout + await stderr;
        Assert.Contains("OK", output);
        // Our own summary proves redis-cli read COMMAND DOCS rather than falling back to its built-in table.
        Assert.Contains("Returns the string value of a key.", output);
        Assert.Contains("[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]", output); // from DOCS arguments
        Assert.Contains("db0:keys=1,expires=0,avg_ttl=0", output);
        Assert.DoesNotContain("(error)", output);
    }
}
