using System.Net;
using System.Net.Sockets;
using System.Text;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence;

/// <summary>
/// A RESP2 client that keeps bulk strings as bytes (DUMP payloads are binary; RawClient decodes text).
/// Replies: byte[] (bulk), null (nil), string (simple), RespError, long, object?[] (array).
/// </summary>
public sealed class BinaryRespClient : IDisposable
{
    private readonly Socket _socket;
    private readonly SocketLineReader _reader;

    public BinaryRespClient(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 30000 };
        _socket.Connect(IPAddress.Loopback, port);
        _reader = new SocketLineReader(_socket);
    }

    public sealed record RespError(string Message);

    public object? Call(params object[] args)
    {
        var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes($"*{args.Length}\r\n"));
        foreach (object a in args)
        {
            byte[] bytes = a switch
            {
                byte[] b => b,
                string s => Encoding.UTF8.GetBytes(s),
                _ => Encoding.ASCII.GetBytes(Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture)!),
            };
            ms.Write(Encoding.ASCII.GetBytes($"${bytes.Length}\r\n"));
            ms.Write(bytes);
            ms.Write("\r\n"u8);
        }
        ReadOnlySpan<byte> data = ms.GetBuffer().AsSpan(0, (int)ms.Length);
        while (data.Length > 0)
        {
            data = data[_socket.Send(data)..];
        }
        return Read();
    }

    /// <summary>Calls and expects a bulk reply.</summary>
    public byte[] Bulk(params object[] args)
    {
        object? reply = Call(args);
        return reply as byte[] ?? throw new InvalidOperationException($"expected bulk, got {Describe(reply)}");
    }

    /// <summary>Calls and expects a status (+OK) or bulk reply, returned as text.</summary>
    public string Text(params object[] args)
    {
        object? reply = Call(args);
        return reply switch
        {
            string s => s,
            byte[] b => Encoding.UTF8.GetString(b),
            long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"unexpected reply {Describe(reply)}"),
        };
    }

    public static string Describe(object? reply) => reply switch
    {
        null => "(nil)",
        byte[] b => "bulk " + Convert.ToHexString(b),
        RespError e => "error " + e.Message,
        object?[] a => "array[" + a.Length + "]",
        _ => reply.ToString() ?? "",
    };

    private object? Read()
    {
        string line = _reader.ReadLine();
        switch (line[0])
        {
            case '+':
                return line[1..];
            case '-':
                return new RespError(line[1..]);
            case ':':
                return long.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            case '$':
                {
                    int len = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                    if (len < 0)
                    {
                        return null;
                    }
                    byte[] bytes = _reader.ReadExact(len + 2);
                    return bytes.AsSpan(0, len).ToArray();
                }
            case '*':
                {
                    int n = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                    if (n < 0)
                    {
                        return null;
                    }
                    var items = new object?[n];
                    for (int i = 0; i < n; i++)
                    {
                        items[i] = Read();
                    }
                    return items;
                }
            default:
                throw new InvalidOperationException("unexpected RESP line " + line);
        }
    }

    public void Dispose() => _socket.Dispose();
}
