using System.Text;
using Amber.Propagation;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Propagation;

/// <summary>A sink that keeps every byte it is given (called under the keyspace lock; read from the test thread).</summary>
internal sealed class CapturingSink : IPropagationSink
{
    private readonly MemoryStream _bytes = new();
    private int _appends;

    public int Appends
    {
        get
        {
            lock (_bytes)
            {
                return _appends;
            }
        }
    }

    public void Append(ReadOnlySpan<byte> respCommand)
    {
        lock (_bytes)
        {
            _bytes.Write(respCommand);
            _appends++;
        }
    }

    public byte[] Bytes
    {
        get
        {
            lock (_bytes)
            {
                return _bytes.ToArray();
            }
        }
    }

    /// <summary>The commands received so far, parsed.</summary>
    public List<string[]> Commands => RespStream.Parse(Bytes);

    /// <summary>Registers a new sink on the server, under the keyspace lock as the stream requires.</summary>
    internal static CapturingSink Attach(TestServer server)
    {
        var sink = new CapturingSink();
        lock (server.Server.KeyspaceLock)
        {
            server.Server.Propagation.AddSink(sink);
        }
        return sink;
    }
}

/// <summary>Parses and prints streams of RESP commands (an AOF's incr file, a sink's capture).</summary>
internal static class RespStream
{
    /// <summary>Parses back-to-back multibulk commands; arguments as Latin-1 strings (one char per byte).</summary>
    public static List<string[]> Parse(byte[] data)
    {
        var commands = new List<string[]>();
        int i = 0;
        while (i < data.Length)
        {
            Assert.True(data[i] == (byte)'*', $"expected '*' at offset {i}");
            int count = ReadNumber(data, ref i);
            var args = new string[count];
            for (int a = 0; a < count; a++)
            {
                Assert.True(data[i] == (byte)'$', $"expected '$' at offset {i}");
                int length = ReadNumber(data, ref i);
                args[a] = Encoding.Latin1.GetString(data, i, length);
                Assert.True(data[i + length] == (byte)'\r' && data[i + length + 1] == (byte)'\n', $"bulk not terminated at {i + length}");
                i += length + 2;
            }
            commands.Add(args);
        }
        return commands;
    }

    /// <summary>The canonical RESP form of commands: what Redis writes to its AOF.</summary>
    public static byte[] Encode(IEnumerable<string[]> commands)
    {
        var sb = new StringBuilder();
        foreach (string[] args in commands)
        {
            sb.Append('*').Append(args.Length).Append("\r\n");
            foreach (string a in args)
            {
                sb.Append('$').Append(a.Length).Append("\r\n").Append(a).Append("\r\n");
            }
        }
        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    /// <summary>One line per command; bytes outside printable ASCII as \xNN (DUMP payloads).</summary>
    public static string Show(string[] command)
    {
        var sb = new StringBuilder();
        foreach (string arg in command)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }
            foreach (char c in arg)
            {
                if (c is >= ' ' and < (char)0x7f)
                {
                    sb.Append(c);
                }
                else
                {
                    sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        return sb.ToString();
    }

    public static string Show(IEnumerable<string[]> commands) => string.Join("\n", commands.Select(Show));

    private static int ReadNumber(byte[] data, ref int i)
    {
        int end = Array.IndexOf(data, (byte)'\r', i);
        int n = int.Parse(Encoding.ASCII.GetString(data, i + 1, end - i - 1));
        i = end + 2;
        return n;
    }
}
