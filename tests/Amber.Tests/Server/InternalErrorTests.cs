using Amber.Commands;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Server;

/// <summary>
/// A command whose handler throws (a defect in Amber, never the client's doing) answers an error in place of whatever
/// it had written, logs the exception, and the connection and the server go on.
/// </summary>
public sealed class InternalErrorTests
{
    private const string Name = "amber-test-throw";
    private const string Reply = "-ERR internal error in 'amber-test-throw', see the server log\r\n";

    private static TestServer StartWithThrowingCommand(LogCapture log)
    {
        TestServer server = TestServer.Start(null, new TestServerOptions { Log = log });
        server.Server.Commands.Add(new CommandSpec(Name, 1, CommandFlags.None, 0, 0, 0, "slow", static ctx =>
        {
            // A partial reply first: it must not reach the client.
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteBulkString("half"u8);
            throw new InvalidOperationException("thrown on purpose");
        }));
        return server;
    }

    [Fact]
    public async Task TheClientGetsAnErrorTheLogGetsTheExceptionAndServiceGoesOn()
    {
        var log = new LogCapture();
        await using TestServer server = StartWithThrowingCommand(log);
        using RawClient client = server.Raw();
        using RawClient other = server.Raw();

        Assert.Equal(Reply, client.Call(Name));
        Assert.Equal("+PONG\r\n", client.Call("PING"));
        Assert.Equal("+OK\r\n", other.Call("SET", "k", "v"));
        Assert.Equal("$1\r\nv\r\n", client.Call("GET", "k"));
        string text = log.ToString();
        Assert.Contains($"Internal error in '{Name}' from client id=", text);
        Assert.Contains("thrown on purpose", text);
    }

    [Fact]
    public async Task InsideExecTheFailingCommandGetsTheErrorAndTheOthersRun()
    {
        await using TestServer server = StartWithThrowingCommand(new LogCapture());
        using RawClient client = server.Raw();

        Assert.Equal("+OK\r\n", client.Call("MULTI"));
        Assert.Equal("+QUEUED\r\n", client.Call("SET", "k", "v"));
        Assert.Equal("+QUEUED\r\n", client.Call(Name));
        Assert.Equal("+QUEUED\r\n", client.Call("GET", "k"));
        Assert.Equal("*3\r\n+OK\r\n" + Reply + "$1\r\nv\r\n", client.Call("EXEC"));
    }
}
