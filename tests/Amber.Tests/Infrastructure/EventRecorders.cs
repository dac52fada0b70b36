using System.Text;
using Amber.Server;

namespace Amber.Tests.Infrastructure;

/// <summary>
/// Collects Amber's keyspace notifications through the notifier's publish seam, as "channel message" lines
/// (pub/sub's PUBLISH plugs into the same seam).
/// </summary>
internal sealed class AmberEventSink
{
    private readonly List<string> _events = [];

    public AmberEventSink(TestServer server, string classes = "KEA")
    {
        AmberServer s = server.Server;
        lock (s.KeyspaceLock)
        {
            s.Config.NotifyKeyspaceEvents = Config.ConfigRegistry.TryParseKeyspaceEvents(classes, out var flags)
                ? flags
                : throw new ArgumentException(classes);
            s.Notifier.Publish = (channel, message) =>
            {
                lock (_events)
                {
                    _events.Add(Encoding.UTF8.GetString(channel) + " " + Encoding.UTF8.GetString(message));
                }
            };
        }
    }

    /// <summary>The events so far, and forgets them.</summary>
    public List<string> Take()
    {
        lock (_events)
        {
            var copy = new List<string>(_events);
            _events.Clear();
            return copy;
        }
    }

    /// <summary>Waits (polling) until an event equal to <paramref name="line"/> arrived; returns every event so far.</summary>
    public List<string> WaitFor(string line, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            lock (_events)
            {
                if (_events.Contains(line) || Environment.TickCount64 > deadline)
                {
                    return new List<string>(_events);
                }
            }
            Thread.Sleep(5);
        }
    }
}

/// <summary>A real redis-server's keyspace notifications, read by a PSUBSCRIBE client, as "channel message" lines.</summary>
internal sealed class RedisEventSubscriber : IDisposable
{
    private const string EndChannel = "__keyevent@0__:zz-end-of-script";
    private readonly RawClient _sub;
    private readonly RawClient _control;

    public RedisEventSubscriber(RealRedis redis, string classes = "KEA")
        : this(redis.Port, classes)
    {
    }

    /// <summary>Subscribes on any server speaking the protocol (Amber's own pub/sub too).</summary>
    public RedisEventSubscriber(int port, string classes)
    {
        _control = new RawClient(port);
        Assert.Equal("+OK\r\n", _control.Call("CONFIG", "SET", "notify-keyspace-events", classes));
        _sub = new RawClient(port);
        _sub.SendCommand("PSUBSCRIBE", "__key*__:*");
        _sub.ReadReply();
    }

    /// <summary>Every event published since the last call (a marker message tells where they end).</summary>
    public List<string> Take()
    {
        _control.Call("PUBLISH", EndChannel, "x");
        var events = new List<string>();
        while (true)
        {
            string[] parts = ParseArray(_sub.ReadReply());
            if (parts[2] == EndChannel)
            {
                return events;
            }
            events.Add(parts[2] + " " + parts[3]);
        }
    }

    /// <summary>Splits a flat RESP array of bulk strings ("*4\r\n$8\r\npmessage\r\n...") into its strings.</summary>
    private static string[] ParseArray(string resp)
    {
        string[] lines = resp.Split("\r\n");
        var items = new List<string>();
        for (int i = 1; i < lines.Length - 1; i += 2)
        {
            items.Add(lines[i + 1]);
        }
        return [.. items];
    }

    public void Dispose()
    {
        _sub.Dispose();
        _control.Dispose();
    }
}
