using Amber.Tests.Infrastructure;
using Amber.Tests.Persistence;
using Amber.Tests.Persistence.Aof;

namespace Amber.Tests;

/// <summary>
/// Random sequences of hash, list, set and sorted-set commands (some in transactions) sent to Amber and to a real
/// redis-server side by side, with small compact-encoding limits so keys convert back and forth: every reply must be
/// the same, and so must every key's OBJECT ENCODING after each step. Replies whose order Redis leaves to its hash
/// tables (SMEMBERS, HGETALL ...) are compared as sorted multisets, and random picks by what is deterministic about
/// them (how many, or the whole collection when the count covers it). Halfway, a BGREWRITEAOF runs while the commands
/// go on. At the end, DEBUG DIGEST must agree; each server must load each one's dump.rdb and AOF as Redis loads its
/// own; redis-check-rdb and redis-check-aof must accept Amber's. Seeds are fixed so a failure reproduces.
/// </summary>
public class CollectionDifferentialTests
{
    private static readonly string[] Limits =
    [
        "hash-max-listpack-entries", "6", "hash-max-listpack-value", "8", "set-max-intset-entries", "6",
        "zset-max-listpack-entries", "6", "zset-max-listpack-value", "8", "list-max-listpack-size", "4",
    ];

    // Lex ranges go to "zlex" alone, whose members all have score 0: with mixed scores Redis leaves their result
    // unspecified (its skiplist answer depends on the random levels of its nodes).
    private static readonly string[] Keys = ["h1", "h2", "l1", "l2", "s1", "s2", "z1", "z2", "zlex"];

    /// <summary>A string set at the start and never written: the WRONGTYPE case of the lex ranges.</summary>
    private const string StringKey = "str";

    [SkippableTheory]
    [InlineData(1, 2, true)]
    [InlineData(2, 2, true)]
    [InlineData(3, 2, true)]
    [InlineData(4, 3, true)]
    [InlineData(5, 3, true)]
    [InlineData(6, 2, false)]
    public async Task RandomCommandsMatchRealRedis(int seed, int protocol, bool smallLimits)
    {
        await using var servers = DifferentialServers.Start();
        RawClient expected = servers.Redis;
        RawClient actual = servers.Amber;
        expected.Call("HELLO", protocol.ToString());
        actual.Call("HELLO", protocol.ToString());
        // With Redis's default limits (128 entries, 64 bytes) the compact forms hold the bigger collections instead.
        for (int i = 0; i < (smallLimits ? Limits.Length : 0); i += 2)
        {
            Assert.Equal(expected.Call("CONFIG", "SET", Limits[i], Limits[i + 1]), actual.Call("CONFIG", "SET", Limits[i], Limits[i + 1]));
        }
        var random = new Random(seed);
        Assert.Equal(expected.Call("SET", StringKey, "x"), actual.Call("SET", StringKey, "x"));
        var queued = new List<string[]>();
        const int Steps = 2500;
        for (int i = 0; i < Steps; i++)
        {
            if (i == Steps / 2)
            {
                // The rest runs while the rewrite snapshots the keys: the AOF Redis loads at the end is its base
                // (an RDB preamble) and the writes made since.
                Assert.StartsWith("+Background append only file rewriting", actual.Call("BGREWRITEAOF"));
                Assert.StartsWith("+Background append only file rewriting", expected.Call("BGREWRITEAOF"));
            }
            foreach (string[] command in random.Next(25) == 0 ? Transaction(random) : [Generate(random)])
            {
                string want = Canonical(command, expected.Call(command), queued);
                string got = Canonical(command, actual.Call(command), queued);
                if (want != got)
                {
                    // Only now: inside MULTI these calls would be queued.
                    Assert.Fail($"#{i} {string.Join(' ', command)}\nredis: {want}\namber: {got}\nredis's keys after it:\n{Describe(expected)}");
                }
                TrackTransaction(command, queued);
            }
            foreach (string key in Keys)
            {
                string wantEncoding = expected.Call("OBJECT", "ENCODING", key);
                string gotEncoding = actual.Call("OBJECT", "ENCODING", key);
                Assert.True(wantEncoding == gotEncoding, $"#{i}\nOBJECT ENCODING {key}: redis {wantEncoding} amber {gotEncoding}");
            }
        }

        foreach (RawClient side in (RawClient[])[expected, actual])
        {
            AofRewriteTests.WaitForRewriteIdle(side);
            string persistence = side.Call("INFO", "persistence");
            Assert.Contains("aof_rewrites:1\r\n", persistence);
            Assert.Contains("aof_last_bgrewrite_status:ok", persistence);
        }
        Assert.NotEqual("+0000000000000000000000000000000000000000\r\n", expected.Call("DEBUG", "DIGEST"));
        foreach (string key in Keys)
        {
            Assert.Equal(expected.Call("DEBUG", "DIGEST-VALUE", key), actual.Call("DEBUG", "DIGEST-VALUE", key));
        }
        await servers.SaveAndCrossLoadAsync();
        (int code, string output) = Interop.Run(Interop.RequireTool("redis-check-rdb"), Path.Combine(servers.AmberDirectory, "dump.rdb"));
        Assert.True(code == 0 && output.Contains("RDB looks OK!"), output);
        (code, output) = Interop.Run(Interop.RequireTool("redis-check-aof"), Path.Combine(servers.AmberDirectory, "appendonlydir", "appendonly.aof.manifest"));
        Assert.True(code == 0 && output.Contains("All AOF files and manifest are valid"), output);
    }

    /// <summary>
    /// MULTI, one to three commands (now and then one with a wrong arity, which aborts the EXEC), then EXEC or DISCARD;
    /// half the time after WATCH of a key and maybe a command that changes it.
    /// </summary>
    private static List<string[]> Transaction(Random r)
    {
        var steps = new List<string[]>();
        if (r.Next(2) == 0)
        {
            string watched = Keys[r.Next(Keys.Length)];
            steps.Add(["WATCH", watched]);
            // Writes of any type (a WRONGTYPE one changes nothing, so the EXEC goes on), a read, or another key.
            string[][] between =
            [
                ["DEL", watched], ["HSET", watched, "f", "v"], ["LPUSH", watched, "x"], ["SADD", watched, "7"],
                ["ZADD", watched, "0", "m"], ["EXISTS", watched], Generate(r),
            ];
            if (r.Next(4) != 0)
            {
                steps.Add(between[r.Next(between.Length)]);
            }
        }
        steps.Add(["MULTI"]);
        for (int n = r.Next(1, 4); n > 0; n--)
        {
            string[] command = Generate(r);
            while (command[0] == "DUMP")
            {
                // Binary: RawClient hands bulk strings over as UTF-8 text, so EXEC's items could not be told apart.
                command = Generate(r);
            }
            steps.Add(r.Next(12) == 0 ? [command[0]] : command);
        }
        steps.Add(r.Next(6) == 0 ? ["DISCARD"] : ["EXEC"]);
        return steps;
    }

    /// <summary>The commands queued since MULTI, which EXEC's reply answers in order.</summary>
    private static void TrackTransaction(string[] command, List<string[]> queued)
    {
        switch (command[0])
        {
            case "MULTI" or "EXEC" or "DISCARD":
                queued.Clear();
                break;
            case "WATCH":
                break;
            default:
                queued.Add(command);
                break;
        }
    }

    /// <summary>Every key's contents, for a failure's message.</summary>
    private static string Describe(RawClient client)
    {
        var text = new System.Text.StringBuilder();
        foreach (string key in Keys)
        {
            string contents = client.Call("TYPE", key) switch
            {
                "+hash\r\n" => client.Call("HGETALL", key),
                "+list\r\n" => client.Call("LRANGE", key, "0", "-1"),
                "+set\r\n" => client.Call("SMEMBERS", key),
                "+zset\r\n" => client.Call("ZRANGE", key, "0", "-1", "WITHSCORES"),
                _ => "none",
            };
            text.Append(key).Append(": ").AppendLine(contents.Replace("\r\n", " "));
        }
        return text.ToString();
    }

    private static readonly string[] Members =
        ["a", "b", "c", "d", "e", "f", "g", "1", "2", "3", "10", "-5", "007", "3.0", "longer-than-eight", "x y", ""];

    private static readonly string[] Numbers =
        ["0", "1", "-1", "2", "10", "1.5", "-2.25", "1e3", "0.1", "inf", "-inf", "+inf", "abc", "9223372036854775807",
         "-9223372036854775808", "1e400", "3"];

    private static readonly string[] ScoreBounds = ["-inf", "+inf", "0", "1", "(1", "2", "(2", "10", "(10", "-1", "1.5", "x"];

    private static readonly string[] LexBounds = ["-", "+", "[a", "(a", "[c", "(c", "[e", "[1", "(3", "a", "[", "(z"];

    // The extremes of a long too: Redis clamps them, and negating LONG_MIN overflows.
    private static readonly long[] Indexes = [0, 1, 2, 3, 5, -1, -2, -3, -6, 10, -10, 100, long.MinValue, long.MaxValue];

    /// <summary>
    /// An expiry at an absolute time (so EXPIRETIME agrees to the millisecond), sometimes past (the key goes), with the
    /// NX/XX/GT/LT conditions.
    /// </summary>
    private static string[] Expiry(Random r, string key)
    {
        string seconds = new[] { "4000000000", "4000000100", "3999999900", "1", "-5" }[r.Next(5)];
        var c = new List<string>();
        switch (r.Next(3))
        {
            case 0: c.AddRange(["EXPIREAT", key, seconds]); break;
            case 1: c.AddRange(["PEXPIREAT", key, seconds + "123"]); break;
            default: c.AddRange(seconds.StartsWith('-') ? ["EXPIRE", key, seconds] : ["PEXPIREAT", key, seconds + "000"]); break;
        }
        if (r.Next(2) == 0)
        {
            c.Add(new[] { "NX", "XX", "GT", "LT", "nx", "bogus" }[r.Next(6)]);
        }
        return [.. c];
    }

    /// <summary>A few of the members above, or one of 400 more so that collections also grow past a few nodes.</summary>
    private static string Member(Random r) => r.Next(4) == 0 ? "m" + r.Next(400) : Members[r.Next(Members.Length)];

    /// <summary>How many elements one write adds: a few, sometimes dozens.</summary>
    private static int Additions(Random r, int few) => r.Next(10) == 0 ? r.Next(10, 40) : r.Next(1, few);

    private static string Number(Random r) => Numbers[r.Next(Numbers.Length)];

    private static string Index(Random r) => Indexes[r.Next(Indexes.Length)].ToString();

    /// <summary>A count past the largest collection these commands can build (about 720 members): the whole of it.</summary>
    private const string AllOfIt = "1000";

    private static string BlockTimeout(Random r) => r.Next(10) == 0 ? "-1" : "0.01";

    private static string Count(Random r) => r.Next(7) switch
    {
        0 => "0",
        1 => "-1",
        2 => "x",
        3 => r.Next(2) == 0 ? long.MinValue.ToString() : long.MaxValue.ToString(),
        _ => r.Next(1, 5).ToString(),
    };

    /// <summary>A small signed count (LREM's, LPOS's RANK), now and then LONG_MIN, which has no positive counterpart.</summary>
    private static string SignedCount(Random r) => r.Next(12) == 0 ? long.MinValue.ToString() : r.Next(-3, 4).ToString();

    /// <summary>
    /// Mostly a key of the command's own type (prefix), sometimes another (the WRONGTYPE paths); never zlex, which only
    /// the sorted-set commands name, and only writes of score 0.
    /// </summary>
    private static string Key(Random r, char type) =>
        r.Next(8) == 0 ? Keys[r.Next(Keys.Length - 1)] : $"{type}{r.Next(1, 3)}";

    private static string[] Generate(Random r) => r.Next(9) switch
    {
        0 or 1 => Hash(r),
        2 or 3 => List(r),
        4 or 5 => Set(r),
        6 or 7 => SortedSet(r),
        _ => Generic(r),
    };

    /// <summary>Key commands over whatever the keys hold; DUMP compares the serialized value byte for byte.</summary>
    private static string[] Generic(Random r)
    {
        string k = Keys[r.Next(Keys.Length)];
        // Never a copy or a rename into zlex: it would bring other scores there.
        string target = Keys[r.Next(Keys.Length - 1)];
        switch (r.Next(11))
        {
            case 0:
            case 1: return ["DUMP", k];
            case 8: return Databases(r, k, target);
            case 9: return r.Next(2) == 0 ? ["KEYS", new[] { "*", "?1", "z*", "*l*" }[r.Next(4)]] : ["SCAN", "0", "COUNT", "1000"];
            case 7:
                {
                    // One call with a count past any size here covers the whole collection (or keyspace), in one reply.
                    var c = new List<string> { new[] { "HSCAN", "SSCAN", "ZSCAN" }[r.Next(3)], k, "0", "COUNT", "1000" };
                    if (r.Next(2) == 0)
                    {
                        c.AddRange(["MATCH", new[] { "*", "a*", "[a-c]", "?", "1*", "*e*" }[r.Next(6)]]);
                    }
                    return [.. c];
                }
            case 2: return r.Next(2) == 0 ? ["COPY", k, target] : ["COPY", k, target, "REPLACE"];
            case 3: return [r.Next(2) == 0 ? "RENAME" : "RENAMENX", k, target];
            case 4: return Expiry(r, k);
            case 5: return [new[] { "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME" }[r.Next(4)], k];
            case 6: return r.Next(3) == 0 ? Expiry(r, k) : ["PERSIST", k];
            default: return ["EXISTS", k, target];
        }
    }

    /// <summary>Two databases: keys move, copy and swap between them (zlex only ever meets another zlex).</summary>
    private static string[] Databases(Random r, string k, string target) => r.Next(9) switch
    {
        0 or 1 => ["SELECT", r.Next(2).ToString()],
        2 => ["MOVE", k, r.Next(3).ToString()],
        3 => ["COPY", k, target, "DB", r.Next(2).ToString(), "REPLACE"],
        4 => ["SWAPDB", "0", "1"],
        5 => ["DBSIZE"],
        6 => ["RANDOMKEY"],
        7 => r.Next(10) == 0 ? ["FLUSHDB"] : ["EXISTS", k],
        _ => ["TYPE", k],
    };

    private static string[] Hash(Random r)
    {
        string k = Key(r, 'h');
        switch (r.Next(16))
        {
            case 0:
            case 1:
                {
                    var c = new List<string> { r.Next(4) == 0 ? "HMSET" : "HSET", k };
                    for (int n = Additions(r, 4); n > 0; n--)
                    {
                        c.AddRange([Member(r), r.Next(3) == 0 ? Number(r) : Member(r)]);
                    }
                    return [.. c];
                }
            case 2: return ["HSETNX", k, Member(r), Member(r)];
            case 3: return ["HGET", k, Member(r)];
            case 4: return ["HMGET", k, Member(r), Member(r)];
            case 5: return ["HDEL", k, Member(r), Member(r)];
            case 6: return [r.Next(2) == 0 ? "HEXISTS" : "HSTRLEN", k, Member(r)];
            case 7: return ["HLEN", k];
            case 8: return [r.Next(2) == 0 ? "HKEYS" : "HVALS", k];
            case 9: return ["HGETALL", k];
            case 10: return ["HINCRBY", k, Member(r), Number(r)];
            case 11: return ["HINCRBYFLOAT", k, Member(r), Number(r)];
            case 12: return ["HRANDFIELD", k];
            case 13: return ["HRANDFIELD", k, r.Next(2) == 0 ? AllOfIt : "-3"];
            case 14: return ["HRANDFIELD", k, r.Next(2) == 0 ? AllOfIt : "-3", "WITHVALUES"];
            default: return [r.Next(2) == 0 ? "TYPE" : "DEL", k];
        }
    }

    private static string[] List(Random r)
    {
        string k = Key(r, 'l');
        string other = Key(r, 'l');
        string End() => r.Next(2) == 0 ? "LEFT" : "RIGHT";
        switch (r.Next(21))
        {
            case 0:
            case 1:
            case 2:
                {
                    var c = new List<string> { new[] { "LPUSH", "RPUSH", "LPUSHX", "RPUSHX" }[r.Next(4)], k };
                    for (int n = Additions(r, 5); n > 0; n--)
                    {
                        c.Add(Member(r));
                    }
                    return [.. c];
                }
            case 3: return r.Next(2) == 0 ? [r.Next(2) == 0 ? "LPOP" : "RPOP", k] : [r.Next(2) == 0 ? "LPOP" : "RPOP", k, Count(r)];
            case 4: return ["LLEN", k];
            case 5:
            case 6: return ["LRANGE", k, Index(r), Index(r)];
            case 7: return ["LINDEX", k, Index(r)];
            case 8: return ["LSET", k, Index(r), Member(r)];
            case 9: return ["LREM", k, SignedCount(r), Member(r)];
            case 10: return ["LTRIM", k, Index(r), Index(r)];
            case 11: return ["LINSERT", k, r.Next(2) == 0 ? "BEFORE" : "AFTER", Member(r), Member(r)];
            case 12:
            case 13:
                {
                    var c = new List<string> { "LPOS", k, Member(r) };
                    if (r.Next(2) == 0)
                    {
                        c.AddRange(["RANK", r.Next(4) == 0 ? "0" : SignedCount(r)]);
                    }
                    if (r.Next(2) == 0)
                    {
                        c.AddRange(["COUNT", r.Next(-1, 4).ToString()]);
                    }
                    if (r.Next(3) == 0)
                    {
                        c.AddRange(["MAXLEN", r.Next(-1, 5).ToString()]);
                    }
                    return [.. c];
                }
            case 14: return ["LMOVE", k, other, End(), End()];
            case 15: return ["RPOPLPUSH", k, other];
            case 16:
                {
                    var c = new List<string> { "LMPOP", r.Next(4) == 0 ? "0" : "2", k, other, End() };
                    if (r.Next(2) == 0)
                    {
                        c.AddRange(["COUNT", Count(r)]);
                    }
                    return [.. c];
                }
            case 17: return ["SORT", k, "ALPHA"];
            // Blocking forms with a short timeout: served at once when there is an element, else nil after 10 ms.
            case 18:
                return r.Next(4) switch
                {
                    0 => [r.Next(2) == 0 ? "BLPOP" : "BRPOP", k, other, BlockTimeout(r)],
                    1 => ["BLMOVE", k, other, End(), End(), BlockTimeout(r)],
                    2 => ["BRPOPLPUSH", k, other, BlockTimeout(r)],
                    _ => ["BLMPOP", BlockTimeout(r), "2", k, other, End(), "COUNT", r.Next(1, 4).ToString()],
                };
            default: return [r.Next(2) == 0 ? "TYPE" : "DEL", k];
        }
    }

    private static string[] Set(Random r)
    {
        string k = Key(r, 's');
        string other = Key(r, 's');
        switch (r.Next(18))
        {
            case 0:
            case 1:
            case 2:
                {
                    var c = new List<string> { "SADD", k };
                    for (int n = Additions(r, 5); n > 0; n--)
                    {
                        c.Add(r.Next(2) == 0 ? r.Next(-3, 300).ToString() : Member(r));
                    }
                    return [.. c];
                }
            case 3: return ["SREM", k, Member(r), r.Next(-3, 12).ToString()];
            case 4: return ["SMEMBERS", k];
            case 5: return ["SISMEMBER", k, Member(r)];
            case 6: return ["SMISMEMBER", k, Member(r), r.Next(0, 5).ToString()];
            case 7: return ["SCARD", k];
            case 8: return ["SMOVE", k, other, r.Next(2) == 0 ? Member(r) : r.Next(-3, 12).ToString()];
            case 9: return [new[] { "SINTER", "SUNION", "SDIFF" }[r.Next(3)], k, other];
            case 10: return [new[] { "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE" }[r.Next(3)], Key(r, 's'), k, other];
            case 11: return r.Next(2) == 0 ? ["SINTERCARD", "2", k, other] : ["SINTERCARD", "2", k, other, "LIMIT", r.Next(0, 3).ToString()];
            case 12: return ["SRANDMEMBER", k];
            case 13: return ["SRANDMEMBER", k, r.Next(3) switch { 0 => AllOfIt, 1 => "-4", _ => "0" }];
            // SPOP only in forms whose outcome is certain: the whole set, or nothing.
            case 14: return ["SPOP", k, r.Next(2) == 0 ? AllOfIt : "0"];
            // Not a numeric SORT: Redis 7.0 checks errno after strtod without clearing it, so after any out-of-range
            // number earlier on the connection (ZUNION ... WEIGHTS 1e400) it refuses "SORT s" of plain integers.
            case 15: return ["SORT", k, "ALPHA"];
            default: return [r.Next(2) == 0 ? "TYPE" : "DEL", k];
        }
    }

    private static string[] SortedSet(Random r)
    {
        // Reads may name any of the three; what writes scores only z1 and z2 (zlex gets score 0 alone).
        string k = r.Next(3) == 0 ? "zlex" : Key(r, 'z');
        string other = r.Next(3) == 0 ? "zlex" : Key(r, 'z');
        string lexKey = r.Next(8) == 0 ? StringKey : "zlex";
        string scored = Key(r, 'z');
        string Score() => r.Next(4) == 0 ? Number(r) : r.Next(-2, 6).ToString();
        switch (r.Next(27))
        {
            case 0:
            case 1:
            case 2:
                {
                    bool lex = r.Next(3) == 0;
                    var c = new List<string> { "ZADD", lex ? lexKey : scored };
                    foreach (string flag in (string[])["NX", "XX", "GT", "LT", "CH", "INCR"])
                    {
                        if (!lex && r.Next(6) == 0)
                        {
                            c.Add(flag);
                        }
                    }
                    for (int n = Additions(r, 4); n > 0; n--)
                    {
                        c.AddRange([lex ? "0" : Score(), Member(r)]);
                    }
                    return [.. c];
                }
            case 3: return ["ZINCRBY", scored, Score(), Member(r)];
            case 4: return ["ZREM", k, Member(r), Member(r)];
            case 5: return r.Next(2) == 0 ? ["ZSCORE", k, Member(r)] : ["ZMSCORE", k, Member(r), Member(r)];
            case 6: return ["ZCARD", k];
            case 7: return ["ZCOUNT", k, ScoreBounds[r.Next(ScoreBounds.Length)], ScoreBounds[r.Next(ScoreBounds.Length)]];
            case 8: return ["ZLEXCOUNT", lexKey, LexBounds[r.Next(LexBounds.Length)], LexBounds[r.Next(LexBounds.Length)]];
            case 9:
            case 10:
                {
                    int mode = r.Next(3);
                    var c = new List<string> { "ZRANGE", mode == 2 ? lexKey : k };
                    c.AddRange(mode switch
                    {
                        0 => [Index(r), Index(r)],
                        1 => [ScoreBounds[r.Next(ScoreBounds.Length)], ScoreBounds[r.Next(ScoreBounds.Length)], "BYSCORE"],
                        _ => [LexBounds[r.Next(LexBounds.Length)], LexBounds[r.Next(LexBounds.Length)], "BYLEX"],
                    });
                    if (r.Next(2) == 0)
                    {
                        c.Add("REV");
                    }
                    if (r.Next(3) == 0)
                    {
                        c.AddRange(["LIMIT", r.Next(-1, 3).ToString(), r.Next(-1, 4).ToString()]);
                    }
                    if (r.Next(2) == 0)
                    {
                        c.Add("WITHSCORES");
                    }
                    return [.. c];
                }
            case 11: return ["ZRANGESTORE", scored, k, ScoreBounds[r.Next(ScoreBounds.Length)], ScoreBounds[r.Next(ScoreBounds.Length)], "BYSCORE"];
            case 12:
                {
                    bool rev = r.Next(2) == 0;
                    string[] bounds = [ScoreBounds[r.Next(ScoreBounds.Length)], ScoreBounds[r.Next(ScoreBounds.Length)]];
                    var c = new List<string> { rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", k, bounds[0], bounds[1] };
                    if (r.Next(2) == 0)
                    {
                        c.Add("WITHSCORES");
                    }
                    if (r.Next(3) == 0)
                    {
                        c.AddRange(["LIMIT", r.Next(0, 3).ToString(), r.Next(-1, 4).ToString()]);
                    }
                    return [.. c];
                }
            case 13: return [r.Next(2) == 0 ? "ZRANGEBYLEX" : "ZREVRANGEBYLEX", lexKey, LexBounds[r.Next(LexBounds.Length)], LexBounds[r.Next(LexBounds.Length)]];
            case 14: return r.Next(2) == 0 ? ["ZREVRANGE", k, Index(r), Index(r)] : ["ZREVRANGE", k, Index(r), Index(r), "WITHSCORES"];
            case 15: return [r.Next(2) == 0 ? "ZRANK" : "ZREVRANK", k, Member(r)];
            case 16:
                return r.Next(3) switch
                {
                    0 => ["ZREMRANGEBYRANK", k, Index(r), Index(r)],
                    1 => ["ZREMRANGEBYSCORE", k, ScoreBounds[r.Next(ScoreBounds.Length)], ScoreBounds[r.Next(ScoreBounds.Length)]],
                    _ => ["ZREMRANGEBYLEX", lexKey, LexBounds[r.Next(LexBounds.Length)], LexBounds[r.Next(LexBounds.Length)]],
                };
            case 17: return r.Next(2) == 0 ? [r.Next(2) == 0 ? "ZPOPMIN" : "ZPOPMAX", k] : [r.Next(2) == 0 ? "ZPOPMIN" : "ZPOPMAX", k, Count(r)];
            case 18:
                {
                    var c = new List<string> { "ZMPOP", "2", k, other, r.Next(2) == 0 ? "MIN" : "MAX" };
                    if (r.Next(2) == 0)
                    {
                        c.AddRange(["COUNT", Count(r)]);
                    }
                    return [.. c];
                }
            case 19:
            case 20:
                {
                    string op = new[] { "ZUNION", "ZINTER", "ZDIFF" }[r.Next(3)];
                    bool store = r.Next(2) == 0;
                    var c = new List<string>();
                    c.AddRange(store ? [op + "STORE", scored, "2", k, other] : [op, "2", k, other]);
                    if (op != "ZDIFF" && r.Next(3) == 0)
                    {
                        c.AddRange(["WEIGHTS", Score(), Score()]);
                    }
                    if (op != "ZDIFF" && r.Next(3) == 0)
                    {
                        c.AddRange(["AGGREGATE", new[] { "SUM", "MIN", "MAX" }[r.Next(3)]]);
                    }
                    if (!store && r.Next(2) == 0)
                    {
                        c.Add("WITHSCORES");
                    }
                    return [.. c];
                }
            case 21: return r.Next(2) == 0 ? ["ZINTERCARD", "2", k, other] : ["ZINTERCARD", "2", k, other, "LIMIT", r.Next(0, 3).ToString()];
            case 22: return ["ZRANDMEMBER", k];
            case 23: return r.Next(2) == 0 ? ["ZRANDMEMBER", k, r.Next(2) == 0 ? AllOfIt : "-3"] : ["ZRANDMEMBER", k, r.Next(2) == 0 ? AllOfIt : "-3", "WITHSCORES"];
            case 24: return ["SORT", k, "BY", "nosort"];
            case 25:
                return r.Next(2) == 0
                    ? [r.Next(2) == 0 ? "BZPOPMIN" : "BZPOPMAX", k, other, BlockTimeout(r)]
                    : ["BZMPOP", BlockTimeout(r), "2", k, other, r.Next(2) == 0 ? "MIN" : "MAX", "COUNT", r.Next(1, 4).ToString()];
            default: return [r.Next(2) == 0 ? "TYPE" : "DEL", k];
        }
    }

    /// <summary>The reply as text, with what Redis leaves to chance or to hash-table order made comparable.</summary>
    private static string Canonical(string[] command, string raw, List<string[]> queued)
    {
        Resp reply = Resp.Parse(raw);
        string name = command[0].ToUpperInvariant();
        if (name == "EXEC" && reply.Items != null && reply.Items.Count == queued.Count)
        {
            var answers = new List<string>();
            for (int i = 0; i < queued.Count; i++)
            {
                answers.Add(Canonical(queued[i], reply.Items[i].Raw(), queued));
            }
            return $"{reply.Text} [{string.Join(", ", answers)}]";
        }
        if (name == "RANDOMKEY")
        {
            return reply.Text.StartsWith('$') && reply.Text != "$-1" ? "one key" : raw;
        }
        if (command.Length < 2)
        {
            return raw;
        }
        if (name is "SRANDMEMBER" or "HRANDFIELD" or "ZRANDMEMBER" && command.Length == 2)
        {
            // One pick: which one is chance, whether there is one is not.
            return reply.Text.StartsWith('$') && reply.Text != "$-1" ? "one pick" : raw;
        }
        if (name is "TTL" or "PTTL" && reply.Text.StartsWith(':') && long.Parse(reply.Text.AsSpan(1)) > 0)
        {
            // Counted from each server's own clock; EXPIRETIME compares the time itself.
            return "a time to live";
        }
        if (name == "DUMP" && reply.Text.StartsWith('$') && reply.Text != "$-1")
        {
            // A set or a hash in a hash table (RDB types 2 and 4) is written in the table's order, and a list (18) is
            // cut into nodes as Redis cuts a list built by tail pushes (RdbValueEncoder.WriteList), where Redis writes
            // the nodes it has: for those the type (the other commands and DEBUG DIGEST compare the elements). Every
            // other encoding must serialize to the same bytes.
            char type = reply.Text[reply.Text.IndexOf('\n') + 1];
            return type switch
            {
                '\u0002' or '\u0004' or '\u0012' => $"RDB type {(int)type}",
                _ => raw,
            };
        }
        if (reply.Items == null)
        {
            return raw;
        }
        if (name is "SCAN" or "HSCAN" or "SSCAN" or "ZSCAN" && reply.Items.Count == 2 && reply.Items[1].Items != null)
        {
            // The cursor as it came; the elements in any order (a hash table's), pairs kept together.
            return $"{reply.Items[0].Text} {reply.Items[1].Sorted(name is "HSCAN" or "ZSCAN" ? 2 : 1)}";
        }
        bool withPairs = command[^1].Equals("WITHVALUES", StringComparison.OrdinalIgnoreCase) ||
            command[^1].Equals("WITHSCORES", StringComparison.OrdinalIgnoreCase);
        switch (name)
        {
            case "SMEMBERS" or "SINTER" or "SUNION" or "SDIFF" or "HKEYS" or "HVALS" or "SPOP" or "KEYS":
                return reply.Sorted(1);
            case "HGETALL":
                return reply.Sorted(2);
            case "SORT" when command.Length > 3 && command[3] == "nosort":
                // A set's own order is its hash table's.
                return reply.Sorted(1);
            case "SRANDMEMBER" or "HRANDFIELD" or "ZRANDMEMBER":
                // A positive count covering the collection returns all of it; a negative one returns that many picks.
                return command[2].StartsWith('-') ? $"{reply.Items.Count} picks" : reply.Sorted(withPairs ? 2 : 1);
            default:
                return raw;
        }
    }

    /// <summary>A parsed reply: a leaf's text, or an aggregate's items.</summary>
    private sealed class Resp
    {
        public string Text = "";
        public List<Resp>? Items;

        public static Resp Parse(string raw)
        {
            int pos = 0;
            return Read(raw, ref pos);
        }

        private static Resp Read(string raw, ref int pos)
        {
            int lineEnd = raw.IndexOf("\r\n", pos, StringComparison.Ordinal);
            string line = raw[pos..lineEnd];
            pos = lineEnd + 2;
            switch (line[0])
            {
                case '$':
                    {
                        int length = int.Parse(line.AsSpan(1));
                        if (length < 0)
                        {
                            return new Resp { Text = line };
                        }
                        // A binary bulk (DUMP) decoded as UTF-8 may be fewer characters than its length in bytes.
                        length = Math.Min(length, raw.Length - pos);
                        var leaf = new Resp { Text = line + "\r\n" + raw.Substring(pos, length) };
                        pos += length + 2;
                        return leaf;
                    }
                case '*' or '~' or '%':
                    {
                        // A RESP3 map's items are its keys and values, in turn.
                        int count = int.Parse(line.AsSpan(1)) * (line[0] == '%' ? 2 : 1);
                        if (count < 0)
                        {
                            return new Resp { Text = line };
                        }
                        var aggregate = new Resp { Text = line, Items = [] };
                        for (int i = 0; i < count; i++)
                        {
                            aggregate.Items.Add(Read(raw, ref pos));
                        }
                        return aggregate;
                    }
                default:
                    return new Resp { Text = line };
            }
        }

        /// <summary>The reply as it came.</summary>
        public string Raw()
        {
            var text = new System.Text.StringBuilder(Text).Append("\r\n");
            foreach (Resp item in Items ?? [])
            {
                text.Append(item.Raw());
            }
            return text.ToString();
        }

        /// <summary>The items in order, taken <paramref name="width"/> at a time (a field with its value).</summary>
        public string Sorted(int width)
        {
            if (Items!.Count > 0 && Items[0].Items != null)
            {
                // RESP3 gives pairs as two-element arrays already.
                width = 1;
            }
            var groups = new List<string>();
            for (int i = 0; i + width <= Items.Count; i += width)
            {
                groups.Add(string.Join(" | ", Items.GetRange(i, width).Select(item => item.Raw())));
            }
            groups.Sort(StringComparer.Ordinal);
            return $"{Text} [{string.Join(", ", groups)}]";
        }
    }
}
