using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Amber.Tests.Infrastructure;

/// <summary>
/// Recorded sessions: files in tests/Amber.Tests/Scripts hold commands with the exact replies Redis 7.0.15 gave
/// (one "command TAB reply" per line). Tests replay them against Amber; an interop test replays them against a
/// real redis-server so the recording cannot drift from Redis.
/// </summary>
public static class RedisScript
{
    public readonly record struct Step(int Line, string Command, string[] Args, string Expected);

    public static string PathOf(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(here)!)!, "Scripts", name);

    public static List<Step> Load(string name)
    {
        var steps = new List<Step>();
        string[] lines = File.ReadAllLines(PathOf(name));
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            int tab = line.IndexOf('\t');
            string command = line[..tab];
            string expected = line[(tab + 1)..].Replace("\\r", "\r").Replace("\\n", "\n");
            steps.Add(new Step(i + 1, command, Split(command), expected));
        }
        return steps;
    }

    /// <summary>Splits a command line on spaces; double quotes group (and may be empty), as redis-cli does.</summary>
    public static string[] Split(string line)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        bool inQuotes = false, hasToken = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
                hasToken = true;
            }
            else if (c == ' ' && !inQuotes)
            {
                if (hasToken)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    hasToken = false;
                }
            }
            else
            {
                current.Append(c);
                hasToken = true;
            }
        }
        if (hasToken)
        {
            args.Add(current.ToString());
        }
        return [.. args];
    }

    /// <summary>Replays a script over one connection and asserts every reply byte for byte.</summary>
    public static void Replay(RawClient client, string name)
    {
        foreach (Step step in Load(name))
        {
            string reply = client.Call(step.Args);
            Assert.True(step.Expected == reply, $"{name}:{step.Line} `{step.Command}`: expected {Escape(step.Expected)} got {Escape(reply)}");
        }
    }

    private static string Escape(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n");

    /// <summary>
    /// Starts Debian's redis-server on a free loopback port (no persistence), runs <paramref name="body"/> with its port,
    /// and stops it. Skips (or fails when interop is required) if redis-server is missing.
    /// </summary>
    public static void WithRealRedis(Action<int> body)
    {
        string server = Interop.RequireTool("redis-server");
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        var psi = new ProcessStartInfo(server, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --daemonize no --logfile \"\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process p = Process.Start(psi)!;
        try
        {
            long deadline = Environment.TickCount64 + 10000;
            while (true)
            {
                try
                {
                    using var c = new RawClient(port);
                    if (c.Call("PING") == "+PONG\r\n")
                    {
                        break;
                    }
                }
                catch (SocketException) when (Environment.TickCount64 < deadline)
                {
                    Thread.Yield();
                }
            }
            body(port);
        }
        finally
        {
            p.Kill();
            p.WaitForExit(10000);
        }
    }
}
