using System.Net;
using System.Net.Sockets;
using Amber.Config;
using Amber.Diagnostics;
using Amber.Server;
using StackExchange.Redis;

namespace Amber.Tests.Infrastructure;

/// <summary>
/// An Amber server running in this process on an ephemeral loopback port, with its own temp directory.
/// Tests talk to it over real sockets: StackExchange.Redis via <see cref="Connect"/>, raw bytes via <see cref="RawClient"/>.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly AmberServer _server;
    private readonly List<IDisposable> _owned = [];

    private readonly bool _ownsDirectory;

    private TestServer(AmberServer server, string dir, bool ownsDirectory)
    {
        _server = server;
        Directory = dir;
        _ownsDirectory = ownsDirectory;
        Port = server.BoundPorts[0];
    }

    public int Port { get; }
    public string Directory { get; }
    internal AmberServer Server => _server;

    /// <summary>Starts a server; <paramref name="configure"/> adjusts settings before start.</summary>
    internal static TestServer Start(Action<ServerConfig>? configure = null, TestServerOptions? options = null)
    {
        options ??= TestServerOptions.Default;
        bool ownsDirectory = options.Directory == null;
        string dir = options.Directory ?? Path.Combine(Path.GetTempPath(), "amber-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        var config = new ServerConfig { Port = 0, Bind = ["127.0.0.1"], Dir = dir };
        configure?.Invoke(config);
        var server = new AmberServer(config, new ServerLog(options.Log ?? TextWriter.Null));
        if (options.FileSystem != null)
        {
            server.FileSystem = options.FileSystem;
        }
        server.Start();
        if (options.WaitForLoad)
        {
            // A dump.rdb in the directory is loaded at start; most tests want the dataset ready.
            Assert.True(server.StartupLoad.Wait(TimeSpan.FromSeconds(60)), "the startup load did not finish");
        }
        return new TestServer(server, dir, ownsDirectory);
    }

    public static TestServer Start() => Start(null);

    public ConnectionMultiplexer Connect(bool allowAdmin = true, RedisProtocol protocol = RedisProtocol.Resp2)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { new IPEndPoint(IPAddress.Loopback, Port) },
            AllowAdmin = allowAdmin,
            Protocol = protocol,
            ConnectTimeout = 10000,
            SyncTimeout = 10000,
            AbortOnConnectFail = true,
        };
        var mux = ConnectionMultiplexer.Connect(options);
        _owned.Add(mux);
        return mux;
    }

    public IDatabase Db(int db = 0) => Connect().GetDatabase(db);

    /// <summary>Polls (never sleeps as synchronisation) until exactly <paramref name="count"/> clients are blocked.</summary>
    public async Task WaitForBlockedClientsAsync(int count)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (_server.Blocking.BlockedCount != count)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"expected {count} blocked clients, have {_server.Blocking.BlockedCount}");
            await Task.Delay(2);
        }
    }

    public RawClient Raw()
    {
        var client = new RawClient(Port);
        _owned.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IDisposable d in _owned)
        {
            d.Dispose();
        }
        await _server.StopAsync();
        if (!_ownsDirectory)
        {
            return;
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>How <see cref="TestServer.Start(Action{ServerConfig}?, TestServerOptions?)"/> sets a server up beyond its config.</summary>
internal sealed record TestServerOptions
{
    public static readonly TestServerOptions Default = new();

    /// <summary>Use (and keep) this directory instead of a fresh temp one: a restart test starts a second server on it.</summary>
    public string? Directory { get; init; }

    /// <summary>The persistence file system (a fault-injecting one); the real one when null.</summary>
    public Amber.Persistence.Storage.IFileSystem? FileSystem { get; init; }

    /// <summary>Where the server logs (a <see cref="LogCapture"/> to assert on lines); nowhere when null.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Whether Start waits until a dump.rdb present at start is loaded (false to watch the load).</summary>
    public bool WaitForLoad { get; init; } = true;
}

/// <summary>A thread-safe log sink for tests that look for log lines.</summary>
public sealed class LogCapture : TextWriter
{
    private readonly System.Text.StringBuilder _text = new();

    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_text)
        {
            _text.Append(value).Append('\n');
        }
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}

/// <summary>A plain TCP client for exact protocol bytes: send anything, read replies as RESP text.</summary>
public sealed class RawClient : IDisposable
{
    private readonly Socket _socket;
    private readonly SocketLineReader _reader;

    public RawClient(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10000 };
        _socket.Connect(IPAddress.Loopback, port);
        _reader = new SocketLineReader(_socket);
    }

    public void Send(string text) => Send(System.Text.Encoding.UTF8.GetBytes(text));

    public void Send(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            int n = _socket.Send(bytes);
            bytes = bytes[n..];
        }
    }

    /// <summary>Sends a command as a RESP array of bulk strings.</summary>
    public void SendCommand(params string[] args)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
        {
            sb.Append('$').Append(System.Text.Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }
        Send(sb.ToString());
    }

    /// <summary>Sends a command and returns its whole reply as raw RESP text.</summary>
    public string Call(params string[] args)
    {
        SendCommand(args);
        return ReadReply();
    }

    /// <summary>Reads exactly one complete RESP reply (any type, nested) and returns its raw text.</summary>
    public string ReadReply()
    {
        var sb = new System.Text.StringBuilder();
        ReadValue(sb);
        return sb.ToString();
    }

    private void ReadValue(System.Text.StringBuilder sb)
    {
        string line = ReadLine();
        sb.Append(line).Append("\r\n");
        char type = line[0];
        switch (type)
        {
            case '$' or '=' or '!':
                {
                    int len = int.Parse(line.AsSpan(1));
                    if (len >= 0)
                    {
                        sb.Append(System.Text.Encoding.UTF8.GetString(ReadExact(len + 2)));
                    }
                    break;
                }
            case '*' or '~' or '>':
                {
                    int n = int.Parse(line.AsSpan(1));
                    for (int i = 0; i < n; i++)
                    {
                        ReadValue(sb);
                    }
                    break;
                }
            case '%' or '|':
                {
                    int n = int.Parse(line.AsSpan(1));
                    for (int i = 0; i < n * 2; i++)
                    {
                        ReadValue(sb);
                    }
                    break;
                }
        }
    }

    public string ReadLine() => _reader.ReadLine();

    private byte[] ReadExact(int count) => _reader.ReadExact(count);

    /// <summary>True if reply data is buffered or arrives within <paramref name="within"/> (nothing is consumed).</summary>
    public bool Poll(TimeSpan within) => _reader.HasBuffered || _socket.Poll((int)within.TotalMicroseconds, SelectMode.SelectRead);

    /// <summary>True once the server has closed the connection (reads return 0), polling up to the timeout.</summary>
    public bool WaitForClose(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var scratch = new byte[1024];
        while (Environment.TickCount64 < deadline)
        {
            if (_socket.Poll(100_000, SelectMode.SelectRead))
            {
                try
                {
                    if (_socket.Receive(scratch) == 0)
                    {
                        return true;
                    }
                }
                catch (SocketException)
                {
                    return true;
                }
            }
        }
        return false;
    }

    public void Dispose() => _socket.Dispose();
}
