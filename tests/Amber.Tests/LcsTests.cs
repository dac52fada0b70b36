using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>LCS. The scripted replies were recorded from redis-server 7.0.15.</summary>
public class LcsTests
{
    private static readonly (string[] Command, string Reply)[] Script =
    [
        (["set", "l1", "ohmytext"], "+OK\r\n"),
        (["set", "l2", "mynewtext"], "+OK\r\n"),
        (["lcs", "l1", "l2"], "$6\r\nmytext\r\n"),
        (["lcs", "l1", "l2", "len"], ":6\r\n"),
        (["lcs", "l1", "l2", "idx"], "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
        (["lcs", "l1", "l2", "idx", "minmatchlen", "4"], "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"),
        (["lcs", "l1", "l2", "idx", "minmatchlen", "4", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"),
        (["lcs", "l1", "l2", "idx", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"),
        (["lcs", "l1", "l2", "IDX", "MINMATCHLEN", "-5"], "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
        (["lcs", "l1", "l2", "idx", "minmatchlen"], "-ERR syntax error\r\n"),
        (["lcs", "l1", "l2", "idx", "minmatchlen", "abc"], "-ERR value is not an integer or out of range\r\n"),
        (["lcs", "l1", "nope"], "$0\r\n\r\n"),
        (["lcs", "l1", "nope", "idx"], "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"),
        (["lcs", "nope", "nope2", "len"], ":0\r\n"),
        (["lcs", "l1", "l2", "len", "len"], ":6\r\n"),
        (["lcs", "l1", "l1", "idx", "withmatchlen"], "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n:8\r\n$3\r\nlen\r\n:8\r\n"),
        (["lcs", "l1", "l2", "minmatchlen", "2"], "$6\r\nmytext\r\n"),
        (["lcs", "l1", "l2", "withmatchlen"], "$6\r\nmytext\r\n"),
    ];

    [Fact]
    public async Task ScriptMatchesRedis()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        foreach (var (command, reply) in Script)
        {
            Assert.Equal((string.Join(' ', command), reply), (string.Join(' ', command), c.Call(command)));
        }
    }

    [Fact]
    public async Task NonStringKeys()
    {
        await using var server = TestServer.Start();
        StringCommandTests.AddNonString(server, "h");
        var c = server.Raw();
        const string Error = "-ERR The specified keys must contain string values\r\n";
        Assert.Equal(Error, c.Call("LCS", "h", "nope"));
        Assert.Equal(Error, c.Call("LCS", "nope", "h", "IDX", "LEN"));
    }

    [Fact]
    public async Task TableLargerThanProtoMaxBulkLenIsRefused()
    {
        await using var server = TestServer.Start(cfg => cfg.ProtoMaxBulkLen = 1048576);
        var c = server.Raw();
        c.Call("SET", "a", new string('a', 600));
        c.Call("SET", "b", new string('b', 600));
        Assert.Equal("-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n", c.Call("LCS", "a", "b"));
        c.Call("SET", "b", new string('a', 400));
        Assert.Equal(":400\r\n", c.Call("LCS", "a", "b", "LEN"));
    }

    [Fact]
    public async Task LongerStrings()
    {
        await using var server = TestServer.Start();
        var db = server.Db();
        string a = string.Concat(Enumerable.Repeat("ACCGGTCGAGTGCGCGGAAGCCGGCCGAA", 20));
        string b = string.Concat(Enumerable.Repeat("GTCGTTCGGAATGCCGTTGCTCTGTAAA", 20));
        await db.StringSetAsync("a", a);
        await db.StringSetAsync("b", b);
        string lcs = (string)(await db.ExecuteAsync("LCS", "a", "b"))!;
        Assert.Equal(lcs.Length, (long)(await db.ExecuteAsync("LCS", "a", "b", "LEN")));
        Assert.True(IsSubsequence(lcs, a) && IsSubsequence(lcs, b));
    }

    private static bool IsSubsequence(string s, string of)
    {
        int i = 0;
        foreach (char ch in of)
        {
            if (i < s.Length && s[i] == ch)
            {
                i++;
            }
        }
        return i == s.Length;
    }
}
