using System.Diagnostics;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Debian's redis-cli in subscribe mode against Amber (RESP2 arrays and RESP3 pushes).</summary>
public class PubSubRedisCliTests
{
    [SkippableTheory]
    [InlineData("", "subscribe", "news", "message\nnews\nhello\n")]
    [InlineData("-3 ", "psubscribe", "n*", "pmessage\nn*\nnews\nhello\n")]
    public async Task RedisCliReceivesPublishedMessage(string protocolFlag, string command, string channel, string expectedMessage)
    {
        string cli = Interop.RequireTool("redis-cli");
        await using var server = TestServer.Start();
        var psi = new ProcessStartInfo(cli, $"{protocolFlag}-p {server.Port} {command} {channel}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        try
        {
            var output = new System.Text.StringBuilder();
            async Task<string> Line() => await process.StandardOutput.ReadLineAsync() ?? throw new EndOfStreamException(output.ToString());
            for (int i = 0; i < 3; i++)
            {
                output.Append(await Line().WaitAsync(TimeSpan.FromSeconds(10))).Append('\n');
            }
            Assert.Equal($"{command}\n{channel}\n1\n", output.ToString());
            using var pub = server.Raw();
            Assert.Equal(":1\r\n", pub.Call("PUBLISH", "news", "hello"));
            output.Clear();
            int lines = expectedMessage.Count(c => c == '\n');
            for (int i = 0; i < lines; i++)
            {
                output.Append(await Line().WaitAsync(TimeSpan.FromSeconds(10))).Append('\n');
            }
            Assert.Equal(expectedMessage, output.ToString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
