using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>Debian's redis-cli prints the same text for Amber's string replies as for redis-server's.</summary>
public class StringInteropTests
{
    private static readonly string[] Commands =
    [
        "set k hello ex 100", "get k", "append k \" world\"", "getrange k 0 4", "setrange k 6 W", "strlen k",
        "set k v nx get", "set k v2 xx get", "getex k persist", "getdel k", "get k", "mset a 1 b 2", "mget a b nope",
        "msetnx a 3 c 4", "incr a", "incrby a 10", "decrby a 3", "incrbyfloat f 0.1", "incrbyfloat f 0.2",
        "incrbyfloat f 1e300", "setbit bm 7 1", "getbit bm 7", "bitcount bm", "bitpos bm 1", "bitop not nb bm",
        "bitfield bf set i8 0 -5 get i8 0 overflow fail incrby i8 0 -200", "bitfield_ro bf get u4 0",
        "set l1 ohmytext", "set l2 mynewtext", "lcs l1 l2", "lcs l1 l2 len", "lcs l1 l2 idx minmatchlen 2 withmatchlen",
        "set k v ex 0", "set k v foo", "incrbyfloat f inf", "bitpos bm 2", "lcs l1 l2 idx len",
    ];

    [SkippableFact]
    public async Task RedisCliPrintsTheSameAsForRedis()
    {
        string cli = Interop.RequireTool("redis-cli");
        using var redis = RealRedis.Start();
        await using var server = TestServer.Start();
        foreach (string command in Commands)
        {
            string expected = Interop.Run(cli, $"-p {redis.Port} {command}").Output;
            string actual = Interop.Run(cli, $"-p {server.Port} {command}").Output;
            Assert.True(expected == actual, $"{command}\nredis: {expected}\namber: {actual}");
        }
    }
}
