using System.Text.RegularExpressions;
using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>CLIENT subcommands, byte for byte against Redis 7.0.15's replies.</summary>
public class ClientCommandTests
{
    private static readonly Regex ClientLine = new(
        @"^id=(\d+) addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:(\d+) fd=\d+ name=(\S*) age=\d+ idle=\d+ flags=(\w+) db=(\d+) sub=0 psub=0 ssub=0 multi=-1 " +
        @"qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=0 rbs=\d+ rbp=\d+ obl=\d+ oll=0 omem=0 tot-mem=\d+ events=r cmd=(\S+) user=default redir=-1 resp=([23])$");

    private static string BulkText(string reply)
    {
        Assert.StartsWith("$", reply);
        int nl = reply.IndexOf("\r\n", StringComparison.Ordinal);
        return reply[(nl + 2)..^2];
    }

    [Fact]
    public async Task IdIsUniqueAndIncreasing()
    {
        await using var server = TestServer.Start();
        using var a = server.Raw();
        using var b = server.Raw();
        long ida = long.Parse(a.Call("CLIENT", "ID")[1..^2]);
        long idb = long.Parse(b.Call("CLIENT", "ID")[1..^2]);
        Assert.True(idb > ida);
        Assert.Equal("-ERR wrong number of arguments for 'client|id' command\r\n", a.Call("CLIENT", "ID", "x"));
    }

    [Fact]
    public async Task SetNameValidatesAndGetNameReturnsIt()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("$-1\r\n", c.Call("CLIENT", "GETNAME"));
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "SETNAME", "worker-1"));
        Assert.Equal("$8\r\nworker-1\r\n", c.Call("CLIENT", "GETNAME"));
        foreach (string bad in new[] { "a b", "a\nb", "a\rb", "tab\there", "caf\u00e9", "\u0001" })
        {
            Assert.Equal("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", c.Call("CLIENT", "SETNAME", bad));
        }
        Assert.Equal("$8\r\nworker-1\r\n", c.Call("CLIENT", "GETNAME"));
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "SETNAME", "~!"));
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "SETNAME", ""));
        Assert.Equal("$-1\r\n", c.Call("CLIENT", "GETNAME"));
    }

    [Fact]
    public async Task ListAndInfoUseRedisLineFormat()
    {
        await using var server = TestServer.Start();
        using var a = server.Raw();
        using var b = server.Raw();
        Assert.Equal("+OK\r\n", b.Call("CLIENT", "SETNAME", "bee"));
        Assert.Equal("+OK\r\n", b.Call("SELECT", "3"));
        string list = BulkText(a.Call("CLIENT", "LIST"));
        Assert.EndsWith("\n", list);
        string[] lines = list.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Match first = ClientLine.Match(lines[0]);
        Match second = ClientLine.Match(lines[1]);
        Assert.True(first.Success, lines[0]);
        Assert.True(second.Success, lines[1]);
        Assert.Equal(server.Port.ToString(), first.Groups[2].Value);
        Assert.Equal("client|list", first.Groups[6].Value);
        Assert.Equal("bee", second.Groups[3].Value);
        Assert.Equal("N", second.Groups[4].Value);
        Assert.Equal("3", second.Groups[5].Value);
        Assert.Equal("select", second.Groups[6].Value);
        Assert.True(long.Parse(first.Groups[1].Value) < long.Parse(second.Groups[1].Value));

        string info = BulkText(a.Call("CLIENT", "INFO"));
        Assert.Matches(ClientLine, info.TrimEnd('\n'));
        Assert.Contains(" cmd=client|info ", info);
        Assert.Contains(" argv-mem=10 ", info);
    }

    [Fact]
    public async Task ListFiltersByTypeAndId()
    {
        await using var server = TestServer.Start();
        using var a = server.Raw();
        using var b = server.Raw();
        string idb = b.Call("CLIENT", "ID")[1..^2];
        string byId = BulkText(a.Call("CLIENT", "LIST", "ID", idb, "999999"));
        Assert.StartsWith($"id={idb} ", byId);
        Assert.Single(byId.TrimEnd('\n').Split('\n'));
        Assert.Equal("$0\r\n\r\n", a.Call("CLIENT", "LIST", "ID", "0"));
        Assert.Equal(2, BulkText(a.Call("CLIENT", "LIST", "TYPE", "Normal")).TrimEnd('\n').Split('\n').Length);
        foreach (string t in new[] { "master", "replica", "slave", "pubsub" })
        {
            Assert.Equal("$0\r\n\r\n", a.Call("CLIENT", "LIST", "TYPE", t));
        }
        Assert.Equal("-ERR Unknown client type 'foo'\r\n", a.Call("CLIENT", "LIST", "TYPE", "foo"));
        Assert.Equal("-ERR Invalid client ID\r\n", a.Call("CLIENT", "LIST", "ID", "1", "abc"));
        Assert.Equal("-ERR syntax error\r\n", a.Call("CLIENT", "LIST", "ID"));
        Assert.Equal("-ERR syntax error\r\n", a.Call("CLIENT", "LIST", "TYPE"));
        Assert.Equal("-ERR syntax error\r\n", a.Call("CLIENT", "LIST", "foo"));
        Assert.Equal("-ERR syntax error\r\n", a.Call("CLIENT", "LIST", "TYPE", "normal", "ID", "1"));
    }

    [Fact]
    public async Task ListAndInfoAreVerbatimInResp3()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.StartsWith("%7\r\n", c.Call("HELLO", "3"));
        Assert.Equal("=4\r\ntxt:\r\n", c.Call("CLIENT", "LIST", "ID", "999"));
        string info = c.Call("CLIENT", "INFO");
        Assert.StartsWith("=", info);
        Assert.Contains("\r\ntxt:id=", info);
        Assert.EndsWith(" resp=3\n\r\n", info);
        Assert.Equal("_\r\n", c.Call("CLIENT", "GETNAME"));
    }

    [Fact]
    public async Task KillOldFormByAddress()
    {
        await using var server = TestServer.Start();
        using var killer = server.Raw();
        using var victim = server.Raw();
        string victimId = victim.Call("CLIENT", "ID")[1..^2];
        string line = BulkText(killer.Call("CLIENT", "LIST", "ID", victimId));
        string addr = Regex.Match(line, @"addr=(\S+)").Groups[1].Value;
        Assert.Equal("+OK\r\n", killer.Call("CLIENT", "KILL", addr));
        Assert.True(victim.WaitForClose(TimeSpan.FromSeconds(5)));
        Assert.Equal("$0\r\n\r\n", killer.Call("CLIENT", "LIST", "ID", victimId));
        Assert.Equal("-ERR No such client\r\n", killer.Call("CLIENT", "KILL", addr));
        Assert.Equal("-ERR No such client\r\n", killer.Call("CLIENT", "KILL", "SKIPME"));
        Assert.Equal("+PONG\r\n", killer.Call("PING"));
    }

    [Fact]
    public async Task KillOldFormCanKillItselfAfterReplying()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        string id = c.Call("CLIENT", "ID")[1..^2];
        string addr = Regex.Match(BulkText(c.Call("CLIENT", "INFO")), @"addr=(\S+)").Groups[1].Value;
        Assert.Equal(id, Regex.Match(BulkText(c.Call("CLIENT", "INFO")), @"^id=(\d+)").Groups[1].Value);
        c.Send($"CLIENT KILL {addr}\r\nPING\r\n");
        Assert.Equal("+OK\r\n", c.ReadReply());
        Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task KillNewFormFiltersAndCounts()
    {
        await using var server = TestServer.Start();
        using var me = server.Raw();
        using var a = server.Raw();
        using var b = server.Raw();
        string ida = a.Call("CLIENT", "ID")[1..^2];
        Assert.Equal("+PONG\r\n", b.Call("PING"));
        Assert.Equal(":0\r\n", me.Call("CLIENT", "KILL", "ID", "99999"));
        Assert.Equal(":0\r\n", me.Call("CLIENT", "KILL", "ADDR", "1.2.3.4:5"));
        Assert.Equal(":0\r\n", me.Call("CLIENT", "KILL", "TYPE", "pubsub"));
        Assert.Equal(":1\r\n", me.Call("CLIENT", "KILL", "ID", ida));
        Assert.True(a.WaitForClose(TimeSpan.FromSeconds(5)));
        // TYPE normal with the default SKIPME yes kills everyone else.
        Assert.Equal(":1\r\n", me.Call("CLIENT", "KILL", "TYPE", "normal", "USER", "default"));
        Assert.True(b.WaitForClose(TimeSpan.FromSeconds(5)));
        Assert.Equal(":0\r\n", me.Call("CLIENT", "KILL", "LADDR", $"127.0.0.1:{server.Port}"));
        Assert.Equal("+PONG\r\n", me.Call("PING"));
    }

    [Fact]
    public async Task KillSkipMeNoRepliesThenClosesAndSkipsTheRestOfThePipeline()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Send($"CLIENT KILL LADDR 127.0.0.1:{server.Port} SKIPME no\r\nSET after kill\r\n");
        Assert.Equal(":1\r\n", c.ReadReply());
        Assert.True(c.WaitForClose(TimeSpan.FromSeconds(5)));
        using var check = server.Raw();
        Assert.Equal("$-1\r\n", check.Call("GET", "after"));
    }

    [Theory]
    [InlineData(new[] { "ID", "abc" }, "-ERR client-id should be greater than 0\r\n")]
    [InlineData(new[] { "ID", "0" }, "-ERR client-id should be greater than 0\r\n")]
    [InlineData(new[] { "ID", "-1" }, "-ERR client-id should be greater than 0\r\n")]
    [InlineData(new[] { "TYPE", "foo" }, "-ERR Unknown client type 'foo'\r\n")]
    [InlineData(new[] { "USER", "nobody" }, "-ERR No such user 'nobody'\r\n")]
    [InlineData(new[] { "USER", "bob", "ID", "0" }, "-ERR No such user 'bob'\r\n")]
    [InlineData(new[] { "ID", "0", "USER", "bob" }, "-ERR client-id should be greater than 0\r\n")]
    [InlineData(new[] { "SKIPME", "foo" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "foo", "bar" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "ID", "1", "ID" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "MAXAGE", "10" }, "-ERR syntax error\r\n")]
    [InlineData(new[] { "foo" }, "-ERR No such client\r\n")]
    public async Task KillErrors(string[] filters, string expected)
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal(expected, c.Call(["CLIENT", "KILL", .. filters]));
        Assert.Equal("+PONG\r\n", c.Call("PING"));
    }

    [Fact]
    public async Task ReplyOffSilencesUntilOn()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Send("CLIENT REPLY OFF\r\nPING\r\nfoo\r\nGET\r\nSET k v\r\nCLIENT REPLY ON\r\nGET k\r\n");
        Assert.Equal("+OK\r\n", c.ReadReply());
        Assert.Equal("$1\r\nv\r\n", c.ReadReply());
    }

    [Fact]
    public async Task ReplySkipSilencesOnlyTheNextCommand()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Send("CLIENT REPLY SKIP\r\nPING one\r\nPING two\r\n");
        Assert.Equal("$3\r\ntwo\r\n", c.ReadReply());
        // A skipped SKIP re-arms the skip for the command after it.
        c.Send("CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING one\r\nPING two\r\n");
        Assert.Equal("$3\r\ntwo\r\n", c.ReadReply());
        // Errors are skipped too.
        c.Send("CLIENT REPLY SKIP\r\nfoo\r\nPING three\r\n");
        Assert.Equal("$5\r\nthree\r\n", c.ReadReply());
        // ON right after SKIP is not skipped: it cancels the skip.
        c.Send("CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING four\r\n");
        Assert.Equal("+OK\r\n", c.ReadReply());
        Assert.Equal("$4\r\nfour\r\n", c.ReadReply());
        // SKIP does nothing while OFF.
        c.Send("CLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nPING\r\nCLIENT REPLY ON\r\nPING five\r\n");
        Assert.Equal("+OK\r\n", c.ReadReply());
        Assert.Equal("$4\r\nfive\r\n", c.ReadReply());
    }

    [Fact]
    public async Task ReplySkipWorksAcrossSeparateWrites()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        c.Send("CLIENT REPLY SKIP\r\n");
        c.Send("PING one\r\n");
        Assert.Equal("$3\r\ntwo\r\n", c.Call("PING", "two"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("CLIENT", "REPLY", "foo"));
        Assert.Equal("-ERR wrong number of arguments for 'client|reply' command\r\n", c.Call("CLIENT", "REPLY"));
    }

    [Fact]
    public async Task NoEvictSetsFlag()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "NO-EVICT", "on"));
        Assert.Contains(" flags=e ", c.Call("CLIENT", "INFO"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("CLIENT", "NO-EVICT", "maybe"));
        Assert.Equal("+OK\r\n", c.Call("CLIENT", "NO-EVICT", "OFF"));
        Assert.Contains(" flags=N ", c.Call("CLIENT", "INFO"));
    }

    [Fact]
    public async Task UnknownSubcommandsArityAndHelp()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n", c.Call("CLIENT", "SETINFO", "lib-name", "x"));
        Assert.Equal("-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n", c.Call("CLIENT", "foo"));
        Assert.Equal("-ERR wrong number of arguments for 'client' command\r\n", c.Call("CLIENT"));
        Assert.Equal("-ERR wrong number of arguments for 'client|help' command\r\n", c.Call("CLIENT", "HELP", "x"));
        string help = c.Call("CLIENT", "HELP");
        Assert.StartsWith("*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CACHING (YES|NO)\r\n", help);
        Assert.EndsWith("+NO-EVICT (ON|OFF)\r\n+    Protect current client connection from eviction.\r\n+HELP\r\n+    Prints this help.\r\n", help);
        Assert.Equal(":-1\r\n", c.Call("CLIENT", "GETREDIR"));
        Assert.Equal("*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n", c.Call("CLIENT", "TRACKINGINFO"));
        Assert.Equal("-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n", c.Call("CLIENT", "CACHING", "yes"));
    }

    [SkippableFact]
    public async Task Ipv6AddressesAreBracketed()
    {
        Skip.IfNot(System.Net.Sockets.Socket.OSSupportsIPv6, "no IPv6");
        await using var server = TestServer.Start(cfg => cfg.Bind = ["::1"]);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetworkV6, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            socket.Connect(System.Net.IPAddress.IPv6Loopback, server.Port);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new SkipException("cannot connect to [::1]: " + e.Message);
        }
        socket.Send("CLIENT INFO\r\n"u8);
        var buffer = new byte[4096];
        int n = 0;
        while (n == 0 || buffer[n - 1] != (byte)'\n' || buffer[n - 2] != (byte)'\r')
        {
            n += socket.Receive(buffer, n, buffer.Length - n, System.Net.Sockets.SocketFlags.None);
        }
        string info = System.Text.Encoding.ASCII.GetString(buffer, 0, n);
        Assert.Matches(@" addr=\[::1\]:\d+ laddr=\[::1\]:" + server.Port + " ", info);
    }

    [Fact]
    public async Task StackExchangeRedisSeesItsOwnName()
    {
        await using var server = TestServer.Start();
        var mux = server.Connect();
        var db = mux.GetDatabase();
        Assert.Equal("OK", (string?)await db.ExecuteAsync("CLIENT", "SETNAME", "worker"));
        Assert.Equal("worker", (string?)await db.ExecuteAsync("CLIENT", "GETNAME"));
        var clients = await mux.GetServers()[0].ClientListAsync();
        Assert.Contains(clients, c => c.Name == "worker");
    }
}
