using Amber.Tests.Infrastructure;
using StackExchange.Redis;

namespace Amber.Tests;

public class CommandIntrospectionTests
{
    // Replies captured from redis-server 7.0.15.
    private const string GetInfo =
        "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
        "*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
        "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

    private const string CommandCountInfo =
        "*10\r\n$13\r\ncommand|count\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n";

    private const string InfoTimeLastsaveMonitorDebug =
        "*5\r\n*10\r\n$4\r\ninfo\r\n:-1\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@dangerous\r\n*3\r\n$23\r\nnondeterministic_output\r\n" +
        "$25\r\nrequest_policy:all_shards\r\n$23\r\nresponse_policy:special\r\n*0\r\n*0\r\n*10\r\n$4\r\ntime\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n" +
        ":0\r\n:0\r\n:0\r\n*1\r\n+@fast\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n*10\r\n$8\r\nlastsave\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n" +
        ":0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@fast\r\n+@dangerous\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n*10\r\n$7\r\nmonitor\r\n:1\r\n" +
        "*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n*10\r\n$5\r\ndebug\r\n:-2\r\n" +
        "*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n";

    [Fact]
    public async Task InfoEntriesMatchRedis()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("*1\r\n" + GetInfo, c.Call("COMMAND", "INFO", "get"));
        Assert.Equal("*1\r\n" + GetInfo, c.Call("command", "info", "GET"));
        Assert.Equal("*1\r\n" + CommandCountInfo, c.Call("COMMAND", "INFO", "command|count"));
        Assert.Equal(InfoTimeLastsaveMonitorDebug, c.Call("COMMAND", "INFO", "info", "time", "lastsave", "monitor", "debug"));
        Assert.Equal("*4\r\n$-1\r\n" + GetInfo + "$-1\r\n$-1\r\n", c.Call("COMMAND", "INFO", "nosuch", "get", "get|x", "command|nosuch"));
    }

    [Fact]
    public async Task ContainerEntriesNestTheirSubcommands()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        string reply = c.Call("COMMAND", "INFO", "slowlog");
        Assert.StartsWith("*1\r\n*10\r\n$7\r\nslowlog\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*4\r\n*10\r\n", reply);
        Assert.Contains("$11\r\nslowlog|get\r\n:-2\r\n*3\r\n+admin\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n" +
            "*2\r\n$24\r\nrequest_policy:all_nodes\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n", reply);
    }

    [Fact]
    public async Task AllAndCount()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        int count = server.Server.Commands.All.Count;
        Assert.Equal($":{count}\r\n", c.Call("COMMAND", "COUNT"));
        Assert.StartsWith($"*{count}\r\n*10\r\n", c.Call("COMMAND"));
        Assert.StartsWith($"*{count}\r\n*10\r\n", c.Call("COMMAND", "INFO"));
        Assert.Equal("-ERR wrong number of arguments for 'command|count' command\r\n", c.Call("COMMAND", "COUNT", "x"));
        Assert.Equal("-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n", c.Call("COMMAND", "foo"));

        var mux = server.Connect();
        IServer s = mux.GetServer(mux.GetEndPoints()[0]);
        Assert.Equal(count, await s.CommandCountAsync());
    }

    [Fact]
    public async Task Resp3UsesSetsAndMaps()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        InfoTests.UseResp3(server, c);
        Assert.Equal(
            "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n" +
            "~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n" +
            "$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n_\r\n",
            c.Call("COMMAND", "INFO", "get", "nosuch"));
        Assert.Equal("*1\r\n*2\r\n$1\r\na\r\n~2\r\n+RO\r\n+access\r\n", c.Call("COMMAND", "GETKEYSANDFLAGS", "get", "a"));
        Assert.Matches(@"^%1\r\n\$3\r\nget\r\n%[0-9]+\r\n\$7\r\nsummary\r\n", c.Call("COMMAND", "DOCS", "get"));
    }

    [Fact]
    public async Task Docs()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Matches(@"^\*2\r\n\$3\r\nget\r\n\*[0-9]+\r\n\$7\r\nsummary\r\n\$[0-9]+\r\n[^\r]+\r\n\$5\r\nsince\r\n\$5\r\n1\.0\.0\r\n\$5\r\ngroup\r\n\$6\r\nstring\r\n",
            c.Call("COMMAND", "DOCS", "get", "nosuch"));
        Assert.Equal("*0\r\n", c.Call("COMMAND", "DOCS", "nosuch"));
        Assert.Equal("*2\r\n$13\r\ncommand|count\r\n*8\r\n$7\r\nsummary\r\n$29\r\nCounts the server's commands.\r\n$5\r\nsince\r\n$6\r\n2.8.13\r\n" +
            "$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n", c.Call("COMMAND", "DOCS", "command|count"));
        string container = c.Call("COMMAND", "DOCS", "latency");
        Assert.Contains("$11\r\nsubcommands\r\n*14\r\n$14\r\nlatency|doctor\r\n", container);
        int count = server.Server.Commands.All.Count;
        Assert.StartsWith($"*{count * 2}\r\n", c.Call("COMMAND", "DOCS"));
    }

    [Fact]
    public async Task DocsArgumentsAndDocFlagsMatchRedisShapes()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        // The arguments part of redis-server 7.0.15's COMMAND DOCS command|list.
        Assert.EndsWith(
            "$9\r\narguments\r\n*1\r\n*10\r\n$4\r\nname\r\n$8\r\nfilterby\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\ntoken\r\n$8\r\nFILTERBY\r\n" +
            "$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*3\r\n*6\r\n$4\r\nname\r\n$11\r\nmodule-name\r\n$4\r\ntype\r\n$6\r\nstring\r\n" +
            "$5\r\ntoken\r\n$6\r\nMODULE\r\n*6\r\n$4\r\nname\r\n$8\r\ncategory\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$6\r\nACLCAT\r\n" +
            "*6\r\n$4\r\nname\r\n$7\r\npattern\r\n$4\r\ntype\r\n$7\r\npattern\r\n$5\r\ntoken\r\n$7\r\nPATTERN\r\n",
            c.Call("COMMAND", "DOCS", "command|list"));
        Assert.EndsWith("$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$7\r\nsection\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n*2\r\n+optional\r\n+multiple\r\n",
            c.Call("COMMAND", "DOCS", "info"));
        Assert.EndsWith("$10\r\ncomplexity\r\n$22\r\nDepends on subcommand.\r\n$9\r\ndoc_flags\r\n*1\r\n+syscmd\r\n", c.Call("COMMAND", "DOCS", "debug"));
        InfoTests.UseResp3(server, c);
        Assert.EndsWith("$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$7\r\nsection\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n~2\r\n+optional\r\n+multiple\r\n",
            c.Call("COMMAND", "DOCS", "info"));
    }

    [Fact]
    public async Task ListWithFilters()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        string all = c.Call("COMMAND", "LIST");
        Assert.Contains("$3\r\nget\r\n", all);
        Assert.Contains("$13\r\ncommand|count\r\n", all);
        Assert.Equal("*2\r\n$11\r\nslowlog|get\r\n$11\r\nslowlog|len\r\n", c.Call("COMMAND", "LIST", "FILTERBY", "PATTERN", "SLOWLOG|?E?"));
        Assert.Equal("*1\r\n$4\r\ntime\r\n", c.Call("COMMAND", "LIST", "filterby", "pattern", "t[i]m?"));
        string dangerous = c.Call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "dangerous");
        Assert.Contains("$4\r\ninfo\r\n", dangerous);
        Assert.Contains("$11\r\nslowlog|len\r\n", dangerous);
        Assert.DoesNotContain("$3\r\nget\r\n", dangerous);
        Assert.Equal("*0\r\n", c.Call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"));
        Assert.Equal("*0\r\n", c.Call("COMMAND", "LIST", "FILTERBY", "MODULE", "foo"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("COMMAND", "LIST", "FILTERBY", "foo", "bar"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("COMMAND", "LIST", "foo"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("COMMAND", "LIST", "FILTERBY"));
        Assert.Equal("-ERR syntax error\r\n", c.Call("COMMAND", "LIST", "FILTERBY", "PATTERN", "a", "b"));
    }

    [Fact]
    public async Task GetKeys()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        Assert.Equal("*1\r\n$1\r\na\r\n", c.Call("COMMAND", "GETKEYS", "get", "a"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", c.Call("COMMAND", "GETKEYS", "DEL", "a", "b", "c"));
        Assert.Equal("*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n", c.Call("COMMAND", "GETKEYSANDFLAGS", "get", "a"));
        Assert.Equal("-ERR Invalid command specified\r\n", c.Call("COMMAND", "GETKEYS", "nosuch", "a"));
        Assert.Equal("-ERR Invalid command specified\r\n", c.Call("COMMAND", "GETKEYS", "slowlog", "nosuch"));
        Assert.Equal("-ERR The command has no key arguments\r\n", c.Call("COMMAND", "GETKEYS", "info", "x"));
        Assert.Equal("-ERR The command has no key arguments\r\n", c.Call("COMMAND", "GETKEYS", "slowlog", "get"));
        Assert.Equal("-ERR Invalid number of arguments specified for command\r\n", c.Call("COMMAND", "GETKEYS", "set", "a"));
        Assert.Equal("-ERR Invalid number of arguments specified for command\r\n", c.Call("COMMAND", "GETKEYS", "get", "a", "b"));
        Assert.Equal("-ERR wrong number of arguments for 'command|getkeys' command\r\n", c.Call("COMMAND", "GETKEYS", "get"));
        Assert.Equal("-ERR wrong number of arguments for 'command|getkeysandflags' command\r\n", c.Call("COMMAND", "GETKEYSANDFLAGS"));

        var mux = server.Connect();
        IServer s = mux.GetServer(mux.GetEndPoints()[0]);
        RedisKey[] keys = await s.CommandGetKeysAsync(["del", "x", "y"]);
        Assert.Equal(["x", "y"], keys.Select(k => k.ToString()));
    }

    [Fact]
    public async Task Help()
    {
        await using var server = TestServer.Start();
        using var c = server.Raw();
        string help = c.Call("COMMAND", "HELP");
        Assert.StartsWith("*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+(no subcommand)\r\n", help);
        Assert.EndsWith("+GETKEYSANDFLAGS <full-command>\r\n+    Return the keys and the access flags from a full Redis command.\r\n+HELP\r\n+    Prints this help.\r\n", help);
    }
}
