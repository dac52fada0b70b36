using System.Text;
using Amber.Persistence.Aof;
using Amber.Protocol;

namespace Amber.Tests.Persistence.Aof;

public class AofCommandReaderTests
{
    private const string Two = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$3\r\nxyz\r\n";

    private static List<string> ReadAll(byte[] data, out AofReadStatus end, out AofCommandReader reader, int chunk = 0)
    {
        Stream s = chunk > 0 ? new TrickleStream(data, chunk) : new MemoryStream(data);
        reader = new AofCommandReader(s);
        var args = new ArgList();
        var commands = new List<string>();
        while ((end = reader.Read(args)) == AofReadStatus.Command)
        {
            var parts = new List<string>();
            for (int i = 0; i < args.Count; i++)
            {
                parts.Add(Encoding.UTF8.GetString(args[i]));
            }
            commands.Add(string.Join(' ', parts));
        }
        return commands;
    }

    [Fact]
    public void ReadsCommandsAndSkipsAnnotations()
    {
        byte[] data = Encoding.UTF8.GetBytes("#TS:1700000000\r\n" + Two + "#TS:1700000001\r\n");
        List<string> commands = ReadAll(data, out AofReadStatus end, out AofCommandReader r, chunk: 3);
        Assert.Equal(["SELECT 0", "set a xyz"], commands);
        Assert.Equal(AofReadStatus.EndOfFile, end);
        Assert.Equal(data.Length, r.Position);
    }

    [Fact]
    public void EveryCutInsideACommandIsATornTailAtThatCommand()
    {
        byte[] full = Encoding.UTF8.GetBytes(Two);
        int firstEnd = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n".Length;
        for (int cut = 1; cut < full.Length; cut++)
        {
            List<string> commands = ReadAll(full[..cut], out AofReadStatus end, out AofCommandReader r, chunk: 5);
            if (cut == firstEnd)
            {
                Assert.Equal(AofReadStatus.EndOfFile, end);
                continue;
            }
            Assert.Equal(AofReadStatus.Truncated, end);
            Assert.Equal(cut < firstEnd ? 0 : 1, commands.Count);
            Assert.Equal(cut < firstEnd ? 0 : firstEnd, r.Position);
        }
    }

    [Fact]
    public void ZeroPaddingAfterTheLastCommandIsATornTail()
    {
        byte[] data = [.. Encoding.UTF8.GetBytes(Two), .. new byte[70_000]];
        List<string> commands = ReadAll(data, out AofReadStatus end, out AofCommandReader r);
        Assert.Equal(2, commands.Count);
        Assert.Equal(AofReadStatus.Truncated, end);
        Assert.Equal(Two.Length, r.Position);

        // Zeros replacing the end of a command (its blocks were allocated, not written) are a torn tail too.
        byte[] cutByZeros = Encoding.UTF8.GetBytes(Two);
        Array.Clear(cutByZeros, Two.Length - 6, 6);
        ReadAll(cutByZeros, out end, out r);
        Assert.Equal(AofReadStatus.Truncated, end);
    }

    [Fact]
    public void ZerosFollowedByDataAreDamage()
    {
        byte[] data = [.. Encoding.UTF8.GetBytes(Two), 0, 0, 0, .. Encoding.UTF8.GetBytes(Two)];
        ReadAll(data, out AofReadStatus end, out AofCommandReader r);
        Assert.Equal(AofReadStatus.BadFormat, end);
        Assert.Equal(Two.Length, r.ErrorOffset);
    }

    [Theory]
    [InlineData("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\nxyz\r\n", 23, "Expected '*'")]
    [InlineData("*1\r\n+PING\r\n", 4, "Expected prefix '$'")]
    [InlineData("*0\r\n", 0, "Invalid multibulk length")]
    [InlineData("*1\r\n$4\r\nPINGxx*1\r\n", 12, "Expected \\r\\n")]
    [InlineData("*a\r\n", 0, "Invalid multibulk length")]
    public void DamageIsReportedWithItsOffset(string text, long offset, string message)
    {
        ReadAll(Encoding.UTF8.GetBytes(text), out AofReadStatus end, out AofCommandReader r);
        Assert.Equal(AofReadStatus.BadFormat, end);
        Assert.Equal(offset, r.ErrorOffset);
        Assert.Contains(message, r.Error);
    }

    [Fact]
    public void ReadsBulksLargerThanTheBuffer()
    {
        string big = new('v', 300_000);
        byte[] data = Encoding.UTF8.GetBytes($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${big.Length}\r\n{big}\r\n" + Two);
        List<string> commands = ReadAll(data, out AofReadStatus end, out _, chunk: 7000);
        Assert.Equal(3, commands.Count);
        Assert.Equal("SET k " + big, commands[0]);
        Assert.Equal(AofReadStatus.EndOfFile, end);
    }

    /// <summary>A stream that returns at most a few bytes per read, to split every structure.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }
}
