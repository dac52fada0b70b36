using Amber.Tests.Infrastructure;

namespace Amber.Tests;

/// <summary>INCR DECR INCRBY DECRBY INCRBYFLOAT. Expected texts were taken from redis-server 7.0.15 on x86-64.</summary>
public class CounterCommandTests
{
    private const string NotInteger = "-ERR value is not an integer or out of range\r\n";
    private const string NotFloat = "-ERR value is not a valid float\r\n";
    private const string Overflow = "-ERR increment or decrement would overflow\r\n";

    [Fact]
    public async Task IntegerCounters()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal(":1\r\n", c.Call("INCR", "n"));
        Assert.Equal(":0\r\n", c.Call("DECR", "n"));
        Assert.Equal(":-1\r\n", c.Call("DECR", "n"));
        Assert.Equal(":9\r\n", c.Call("INCRBY", "n", "10"));
        Assert.Equal(":4\r\n", c.Call("DECRBY", "n", "5"));
        Assert.Equal(":-6\r\n", c.Call("DECRBY", "n", "10"));
        Assert.Equal("$2\r\n-6\r\n", c.Call("GET", "n"));
        Assert.Equal(":-1\r\n", c.Call("DECR", "fresh"));

        var db = server.Db();
        Assert.Equal(1, await db.StringIncrementAsync("se"));
        Assert.Equal(11, await db.StringIncrementAsync("se", 10));
        Assert.Equal(8, await db.StringDecrementAsync("se", 3));
        Assert.Equal(2.5, await db.StringIncrementAsync("sf", 2.5));
    }

    [Theory]
    [InlineData("9223372036854775807", "INCR", null, Overflow)]
    [InlineData("-9223372036854775808", "DECR", null, Overflow)]
    [InlineData("-9223372036854775808", "DECRBY", "1", Overflow)]
    [InlineData("1", "INCRBY", "9223372036854775807", Overflow)]
    [InlineData("0", "INCRBY", "9223372036854775807", ":9223372036854775807\r\n")]
    [InlineData("-1", "INCRBY", "-9223372036854775808", Overflow)]
    [InlineData("0", "DECRBY", "-9223372036854775808", "-ERR decrement would overflow\r\n")]
    [InlineData("0", "DECRBY", "9223372036854775807", ":-9223372036854775807\r\n")]
    [InlineData(" 1", "INCR", null, NotInteger)]
    [InlineData("01", "INCR", null, NotInteger)]
    [InlineData("+1", "INCR", null, NotInteger)]
    [InlineData("-0", "INCR", null, NotInteger)]
    [InlineData("1.0", "INCR", null, NotInteger)]
    [InlineData("abc", "INCR", null, NotInteger)]
    [InlineData("9223372036854775808", "INCR", null, NotInteger)]
    [InlineData("5", "INCRBY", "abc", NotInteger)]
    [InlineData("5", "INCRBY", "1.5", NotInteger)]
    [InlineData("5", "DECRBY", "", NotInteger)]
    public async Task IntegerEdgeCases(string initial, string command, string? argument, string expected)
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("SET", "n", initial);
        string reply = argument == null ? c.Call(command, "n") : c.Call(command, "n", argument);
        Assert.Equal(expected, reply);
        if (expected[0] == '-')
        {
            Assert.Equal($"${System.Text.Encoding.UTF8.GetByteCount(initial)}\r\n{initial}\r\n", c.Call("GET", "n"));
        }
    }

    [Fact]
    public async Task WrongTypeAndArgumentErrorOrder()
    {
        await using var server = TestServer.Start();
        StringCommandTests.AddNonString(server, "h");
        var c = server.Raw();
        const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        Assert.Equal(WrongType, c.Call("INCR", "h"));
        Assert.Equal(WrongType, c.Call("DECRBY", "h", "1"));
        // INCRBY/DECRBY parse their argument first; INCRBYFLOAT looks the key up first.
        Assert.Equal(NotInteger, c.Call("INCRBY", "h", "a"));
        Assert.Equal("-ERR decrement would overflow\r\n", c.Call("DECRBY", "h", "-9223372036854775808"));
        Assert.Equal(WrongType, c.Call("INCRBYFLOAT", "h", "1"));
        Assert.Equal(WrongType, c.Call("INCRBYFLOAT", "h", "a"));
    }

    [Fact]
    public async Task CountersKeepTheTimeToLive()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        c.Call("SET", "n", "1", "EX", "100");
        c.Call("INCR", "n");
        c.Call("INCRBYFLOAT", "n", "1.5");
        var e = StringCommandTests.Entry(server, "n")!;
        Assert.True(e.HasExpiry);
        Assert.True(e.IsString);
        Assert.Equal("3.5"u8.ToArray(), e.StringValue.ToArray());
    }

    [Theory]
    // Values that a double would print differently: Redis adds in 80-bit long double and prints %.17Lf.
    [InlineData(null, "10.5", "10.5")]
    [InlineData(null, "0.1", "0.1")]
    [InlineData("0.1", "0.2", "0.3")]
    [InlineData(null, "3.0e3", "3000")]
    [InlineData("5", "0.1", "5.1")]
    [InlineData(null, "-5", "-5")]
    [InlineData("-5", "5", "0")]
    [InlineData(null, "-0", "0")]
    [InlineData(null, "1.23456789012345678901234567890", "1.23456789012345679")]
    [InlineData(null, "5.0000000000000000001", "5")]
    [InlineData("9223372036854775807", "1", "9223372036854775808")]
    [InlineData(null, "18446744073709551615", "18446744073709551615")]
    [InlineData(null, "18446744073709551617", "18446744073709551616")]
    [InlineData(null, "0.00000000000000001", "0.00000000000000001")]
    [InlineData(null, "0.000000000000000005", "0")]
    [InlineData(null, "0.000000000000000015", "0.00000000000000002")]
    [InlineData(null, "-0.000000000000000001", "0")]
    // Ties at the 17th decimal go to even, as glibc's printf does.
    [InlineData(null, "0.000003814697265625", "0.00000381469726562")]
    [InlineData(null, "0.000011444091796875", "0.00001144409179688")]
    // Hexadecimal and other strtold forms.
    [InlineData(null, "0x10", "16")]
    [InlineData("7", "0x1p-2", "7.25")]
    [InlineData(null, "0X.8P1", "1")]
    [InlineData(null, "+1.5", "1.5")]
    [InlineData(null, ".5", "0.5")]
    [InlineData(null, "5.", "5")]
    [InlineData("1e5", "0", "100000")]
    [InlineData(null, "0e99999999999999999999999", "0")]
    [InlineData(null, "1e-4940", "0")]
    // The edges of the long double range: denormals down to 2^-16445, and the largest finite value.
    [InlineData(null, "3.6451995318824746025e-4951", "0")]
    [InlineData(null, "1.8225997659412373013e-4951", "0")]
    [InlineData(null, "0x1p-16445", "0")]
    [InlineData(null, "0x1.8p-16446", "0")]
    [InlineData(null, "0x1.p1", "2")]
    [InlineData(null, "1.e1", "10")]
    [InlineData(null, "-0x1p-2", "-0.25")]
    [InlineData(null, "00000000000000000000000000000000000000000000000000000001.5", "1.5")]
    [InlineData(null, "0x0000000000000000000000000000000000000000000001.8", "1.5")]
    [InlineData(null, "0x123456789abcdef0123456789abcdef0123456789abcdef", "27898229935051914144115073748287594952159058802373558272")]
    public async Task IncrByFloatFormatsLikeRedis(string? initial, string increment, string expected)
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        if (initial != null)
        {
            c.Call("SET", "f", initial);
        }
        string reply = c.Call("INCRBYFLOAT", "f", increment);
        Assert.Equal($"${expected.Length}\r\n{expected}\r\n", reply);
        Assert.Equal($"${expected.Length}\r\n{expected}\r\n", c.Call("GET", "f"));
    }

    [Fact]
    public async Task IncrByFloatHugeValuesPrintEveryDigit()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal(
            "$301\r\n1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144\r\n",
            c.Call("INCRBYFLOAT", "big", "1e300"));
        AssertDigits(c.Call("INCRBYFLOAT", "max", "1.18973149535723176502e+4932"), 4933, "39319dad6400899a3385cef1c62991c21106f7f12a7dea6f3849a857ad9131a6");
        c.Call("SET", "f", "1e309");
        AssertDigits(c.Call("INCRBYFLOAT", "f", "0"), 309, "d188bd80421b1d12a4ecd28cf4d1bb55c568bdfba0c4d53234671a7a3feadbc9");
    }

    private static void AssertDigits(string reply, int length, string sha256)
    {
        string prefix = $"${length}\r\n";
        Assert.StartsWith(prefix, reply);
        string digits = reply[prefix.Length..^2];
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(digits)));
        Assert.Equal(sha256, hash);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("")]
    [InlineData("nan")]
    [InlineData("0x")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("1e4933")]
    [InlineData("1.18973149535723176509e+4932")]
    [InlineData("1e-5000")]
    [InlineData("1e-99999999999999999999999")]
    [InlineData("1e99999999999999999999999")]
    [InlineData("infinit")]
    [InlineData("1.8225997659412373012e-4951")]
    [InlineData("1e-4951")]
    [InlineData("0x1p-16446")]
    [InlineData("0x1p16384")]
    [InlineData("0x1.ffffffffffffffffp16383")]
    [InlineData("0x.p1")]
    [InlineData("+.e1")]
    [InlineData("1\0")]
    [InlineData("0x1p")]
    public async Task IncrByFloatRejectsWhatStrtoldRejects(string increment)
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal(NotFloat, c.Call("INCRBYFLOAT", "f", increment));
        c.Call("SET", "bad", increment.Length == 0 ? "x" : increment);
        Assert.Equal(NotFloat, c.Call("INCRBYFLOAT", "bad", "1"));
    }

    [Theory]
    [InlineData("inf")]
    [InlineData("-INF")]
    [InlineData("infinity")]
    [InlineData("+Infinity")]
    public async Task IncrByFloatRefusesInfinity(string increment)
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        Assert.Equal("-ERR increment would produce NaN or Infinity\r\n", c.Call("INCRBYFLOAT", "f", increment));
        Assert.Equal("$-1\r\n", c.Call("GET", "f"));
    }

    [Fact]
    public async Task RepeatedSmallIncrementsStayExact()
    {
        await using var server = TestServer.Start();
        var c = server.Raw();
        string last = "";
        for (int i = 0; i < 10; i++)
        {
            last = c.Call("INCRBYFLOAT", "f", "0.1");
        }
        Assert.Equal("$1\r\n1\r\n", last);
    }
}
