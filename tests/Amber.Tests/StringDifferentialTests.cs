using Amber.Tests.Infrastructure;
using Amber.Tests.Persistence;

namespace Amber.Tests;

/// <summary>
/// Random sequences of string and bitmap commands sent to Amber and to a real redis-server side by side:
/// every reply must be identical; then the digests, and each server loading each one's dump.rdb and AOF
/// (<see cref="DifferentialServers"/>). Seeds are fixed so a failure reproduces.
/// </summary>
public class StringDifferentialTests
{
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RandomCommandsMatchRealRedis(int seed)
    {
        await using var servers = DifferentialServers.Start();
        RawClient expected = servers.Redis;
        RawClient actual = servers.Amber;
        var random = new Random(seed);
        string[] keys = ["a", "b", "c", "d"];
        for (int i = 0; i < 1500; i++)
        {
            string[] command = Generate(random, keys);
            string want = expected.Call(command);
            string got = actual.Call(command);
            Assert.True(want == got, $"#{i} {string.Join(' ', command)}\nredis: {want}\namber: {got}");
        }
        await servers.SaveAndCrossLoadAsync();
    }

    private static readonly int[] Indexes = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, -1, -2, -3, -8, -9, -16, -100, 100];
    private static readonly string[] Integers =
        ["0", "1", "-1", "2", "-2", "100", "-100", "127", "128", "255", "256", "-128", "-129", "2147483648", "-2147483648",
         "4611686018427387904", "9223372036854775807", "-9223372036854775808", "abc", "1.5"];
    private static readonly string[] Floats =
        ["0.1", "0.2", "-0.3", "1e10", "3.0e3", "10.5", "-1e-5", "5", "123456789.123456789", "1e-17", "7e300", "-7e300",
         "0x10", "1.5e-300", "inf", "abc", "1e5000"];
    private static readonly int[] Widths = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 31, 32, 33, 63, 64];

    private static string Index(Random r) => r.Next(3) == 0 ? r.Next(-40, 41).ToString() : Indexes[r.Next(Indexes.Length)].ToString();

    private static string Value(Random r)
    {
        // ASCII only: RawClient decodes replies as UTF-8, so other bytes would compare loosely.
        const string Alphabet = "abcx\u007f\u0001\u000f0123 ";
        int n = r.Next(0, 13);
        var chars = new char[n];
        for (int i = 0; i < n; i++)
        {
            chars[i] = Alphabet[r.Next(Alphabet.Length)];
        }
        return r.Next(5) == 0 ? r.Next(-1000, 1000).ToString() : new string(chars);
    }

    /// <summary>An absolute time in seconds: far ahead, or past (the key goes), or malformed.</summary>
    private static string AbsoluteSeconds(Random r) => new[] { "4000000000", "4000000100", "1", "0", "-1", "x" }[r.Next(6)];

    private static string BitfieldType(Random r)
    {
        bool signed = r.Next(2) == 0;
        int width = Widths[r.Next(Widths.Length)];
        return (signed ? "i" : "u") + width;
    }

    private static string[] Generate(Random r, string[] keys)
    {
        string k = keys[r.Next(keys.Length)];
        switch (r.Next(22))
        {
            case 0: return ["SET", k, Value(r)];
            case 1: return ["SETRANGE", k, r.Next(0, 20).ToString(), Value(r)];
            case 2: return ["APPEND", k, Value(r)];
            case 3: return ["GETRANGE", k, Index(r), Index(r)];
            case 4: return ["SETBIT", k, r.Next(0, 100).ToString(), r.Next(2).ToString()];
            case 5: return ["GETBIT", k, r.Next(0, 100).ToString()];
            case 6:
                {
                    var c = new List<string> { "BITCOUNT", k };
                    if (r.Next(10) < 7)
                    {
                        c.Add(Index(r));
                        c.Add(Index(r));
                    }
                    if (r.Next(2) == 0)
                    {
                        c.Add(r.Next(3) switch { 0 => "BIT", 1 => "byte", _ => "bit" });
                    }
                    return [.. c];
                }
            case 7:
                {
                    var c = new List<string> { "BITPOS", k, r.Next(2).ToString() };
                    int m = r.Next(4);
                    if (m >= 1)
                    {
                        c.Add(Index(r));
                    }
                    if (m >= 2)
                    {
                        c.Add(Index(r));
                    }
                    if (m >= 3)
                    {
                        c.Add(r.Next(2) == 0 ? "BIT" : "byte");
                    }
                    return [.. c];
                }
            case 8:
                {
                    string op = new[] { "and", "or", "xor", "not" }[r.Next(4)];
                    int n = op == "not" ? 1 : r.Next(1, 4);
                    var c = new List<string> { "BITOP", op, keys[r.Next(keys.Length)] };
                    for (int i = 0; i < n; i++)
                    {
                        c.Add(keys[r.Next(keys.Length)]);
                    }
                    return [.. c];
                }
            case 9:
            case 10:
                {
                    var c = new List<string> { r.Next(5) == 0 ? "BITFIELD_RO" : "BITFIELD", k };
                    for (int i = r.Next(1, 5); i > 0; i--)
                    {
                        string offset = r.Next(2) == 0 ? "#" + r.Next(0, 6) : r.Next(0, 81).ToString();
                        switch (r.Next(4))
                        {
                            case 0: c.AddRange(["GET", BitfieldType(r), offset]); break;
                            case 1: c.AddRange(["SET", BitfieldType(r), offset, Integers[r.Next(Integers.Length)]]); break;
                            case 2: c.AddRange(["INCRBY", BitfieldType(r), offset, Integers[r.Next(Integers.Length)]]); break;
                            default: c.AddRange(["OVERFLOW", new[] { "WRAP", "SAT", "FAIL" }[r.Next(3)]]); break;
                        }
                    }
                    return [.. c];
                }
            case 11: return ["INCRBYFLOAT", k, Floats[r.Next(Floats.Length)]];
            case 12: return [new[] { "INCRBY", "DECRBY" }[r.Next(2)], k, Integers[r.Next(Integers.Length)]];
            case 13:
                {
                    var c = new List<string> { "LCS", k, keys[r.Next(keys.Length)] };
                    int mode = r.Next(3);
                    if (mode == 0)
                    {
                        c.Add("IDX");
                    }
                    else if (mode == 1)
                    {
                        c.Add("LEN");
                    }
                    if (r.Next(3) == 0)
                    {
                        c.AddRange(["MINMATCHLEN", r.Next(0, 4).ToString()]);
                    }
                    if (r.Next(3) == 0)
                    {
                        c.Add("WITHMATCHLEN");
                    }
                    return [.. c];
                }
            case 14: return ["GET", k];
            case 15: return ["STRLEN", k];
            case 16: return ["GETSET", k, Value(r)];
            case 17:
                {
                    // SET's options; times are absolute so that both servers keep the same expiry.
                    var c = new List<string> { "SET", k, Value(r) };
                    if (r.Next(3) == 0)
                    {
                        c.Add(r.Next(2) == 0 ? "NX" : "XX");
                    }
                    if (r.Next(3) == 0)
                    {
                        c.Add("GET");
                    }
                    switch (r.Next(5))
                    {
                        case 0: c.AddRange(["EXAT", AbsoluteSeconds(r)]); break;
                        case 1: c.AddRange(["PXAT", AbsoluteSeconds(r) + "250"]); break;
                        case 2: c.Add("KEEPTTL"); break;
                    }
                    return [.. c];
                }
            case 18:
                return r.Next(3) switch
                {
                    0 => ["GETEX", k, "EXAT", AbsoluteSeconds(r)],
                    1 => ["GETEX", k, "PERSIST"],
                    _ => ["GETEX", k],
                };
            case 19: return [new[] { "GETDEL", "SETNX", "EXPIRETIME", "PEXPIRETIME" }[r.Next(4)], k, .. r.Next(2) == 0 ? (string[])[] : [Value(r)]];
            case 20: return [r.Next(2) == 0 ? "MSETNX" : "MSET", k, Value(r), keys[r.Next(keys.Length)], Value(r)];
            default: return ["MGET", .. keys];
        }
    }
}
