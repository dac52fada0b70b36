using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Debian's redis-cli on the connection commands: RESP3 handshake, AUTH, CLIENT LIST parsing.</summary>
public class RedisCliClientTests
{
    [SkippableFact]
    public async Task RedisCliResp3AndClientCommands()
    {
        string cli = Interop.RequireTool("redis-cli");
        await using var server = TestServer.Start();
        string hello = Interop.Run(cli, $"-p {server.Port} -3 hello 3 setname bee").Output;
        Assert.StartsWith("server redis\nversion 7.0.15\nproto 3\n", hello.Replace("\r", ""));
        string info = Interop.Run(cli, $"-p {server.Port} -3 client info").Output;
        Assert.Contains(" cmd=client|info ", info);
        Assert.Contains(" resp=3", info);
        string list = Interop.Run(cli, $"-p {server.Port} client list").Output;
        Assert.StartsWith("id=", list);
        Assert.Contains(" cmd=client|list ", list);
    }

    [SkippableFact]
    public async Task RedisCliAuthenticatesWithPassword()
    {
        string cli = Interop.RequireTool("redis-cli");
        await using var server = TestServer.Start(cfg => cfg.RequirePass = "secret");
        Assert.Contains("NOAUTH", Interop.Run(cli, $"-p {server.Port} ping").Output);
        Assert.Equal("PONG", Interop.Run(cli, $"-p {server.Port} -a secret --no-auth-warning ping").Output.Trim());
        Assert.Contains("WRONGPASS", Interop.Run(cli, $"-p {server.Port} -a wrong --no-auth-warning ping").Output);
        await using var open = TestServer.Start();
        // Without requirepass, redis-cli -a reports the AUTH error and goes on.
        string output = Interop.Run(cli, $"-p {open.Port} -a x --no-auth-warning ping").Output;
        Assert.Contains("AUTH failed: ERR AUTH <password> called without any password configured", output);
        Assert.Contains("PONG", output);
    }
}
