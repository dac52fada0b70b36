using System.Globalization;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Persistence.Crash;

/// <summary>
/// Concurrent writers against a child amber-server, each on its own keys (INCR on a counter, RPUSH of unique values,
/// SET of fresh keys), recording what was sent and what was acknowledged (with the time of the reply), so that after a
/// SIGKILL and a restart the recovered dataset can be checked against what the clients were promised.
/// </summary>
internal sealed class CrashWorkload
{
    private readonly Writer[] _writers;

    public CrashWorkload(int writers)
    {
        _writers = new Writer[writers];
        for (int w = 0; w < writers; w++)
        {
            _writers[w] = new Writer(w);
        }
    }

    /// <summary>Acknowledged writes over all runs (a test that acknowledges nothing proves nothing).</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Starts every writer on its own connection; they stop when the connection dies (the kill).</summary>
    public Thread[] Run(int port, int round)
    {
        var threads = new Thread[_writers.Length];
        for (int w = 0; w < _writers.Length; w++)
        {
            Writer writer = _writers[w];
            threads[w] = new Thread(() => writer.Run(port, round)) { IsBackground = true, Name = "crash-writer-" + w };
            threads[w].Start();
        }
        return threads;
    }

    /// <summary>Waits for the writers after the kill and rethrows anything that was not the dying connection.</summary>
    public void Join(Thread[] threads)
    {
        foreach (Thread t in threads)
        {
            Assert.True(t.Join(TimeSpan.FromSeconds(30)), "a writer did not stop after the kill");
        }
        foreach (Writer w in _writers)
        {
            if (w.Failure != null)
            {
                throw new InvalidOperationException("writer failed before the kill", w.Failure);
            }
        }
    }

    /// <summary>
    /// Checks the restarted server: every write acknowledged at or before <paramref name="requiredBeforeTicks"/>
    /// (Environment.TickCount64) is present; nothing that was never sent is; lists are a prefix of what was sent in
    /// order. Then adopts the recovered state as the baseline for the next round.
    /// </summary>
    public void Verify(int port, long requiredBeforeTicks)
    {
        using var c = new RawClient(port);
        foreach (Writer w in _writers)
        {
            w.Verify(c, requiredBeforeTicks);
            Acknowledged += w.TakeAcknowledgedCount();
        }
    }

    private sealed class Writer(int id)
    {
        private readonly string _counterKey = "crash:counter:" + id;
        private readonly string _listKey = "crash:list:" + id;

        // Durable baseline (verified) plus this round's sends; each send is recorded before it goes on the wire.
        private long _counter;
        private readonly List<string> _list = [];
        private readonly List<string> _presentKeys = [];
        private readonly List<Sent> _sent = [];
        private long _acknowledgedThisRound;

        public Exception? Failure { get; private set; }

        public long TakeAcknowledgedCount()
        {
            long n = _acknowledgedThisRound;
            _acknowledgedThisRound = 0;
            return n;
        }

        public void Run(int port, int round)
        {
            _sent.Clear();
            RawClient c;
            try
            {
                c = new RawClient(port);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return; // killed before this writer connected
            }
            using (c)
            {
                for (int i = 0; ; i++)
                {
                    var s = new Sent((Op)(i % 3), $"{round}:{id}:{i}");
                    _sent.Add(s);
                    string reply;
                    try
                    {
                        reply = s.Op switch
                        {
                            Op.Incr => c.Call("INCR", _counterKey),
                            Op.Push => c.Call("RPUSH", _listKey, s.Value),
                            _ => c.Call("SET", "crash:key:" + s.Value, s.Value),
                        };
                    }
                    catch (Exception e) when (e is System.Net.Sockets.SocketException or EndOfStreamException or IOException)
                    {
                        return; // the server died: this send stays unacknowledged (in flight)
                    }
                    string expected = s.Op == Op.Set ? "+OK\r\n" : ":";
                    if (!reply.StartsWith(expected, StringComparison.Ordinal))
                    {
                        Failure = new InvalidOperationException($"unexpected reply {reply.TrimEnd()} to {s.Op} {s.Value}");
                        return;
                    }
                    s.AckTicks = Environment.TickCount64;
                    _acknowledgedThisRound++;
                }
            }
        }

        public void Verify(RawClient c, long requiredBeforeTicks)
        {
            // Counter: at least every INCR acknowledged in time, at most every INCR sent.
            long requiredIncrs = 0, sentIncrs = 0;
            var pushes = new List<Sent>();
            var sets = new List<Sent>();
            foreach (Sent s in _sent)
            {
                switch (s.Op)
                {
                    case Op.Incr:
                        sentIncrs++;
                        if (s.Required(requiredBeforeTicks))
                        {
                            requiredIncrs = sentIncrs;
                        }
                        break;
                    case Op.Push:
                        pushes.Add(s);
                        break;
                    default:
                        sets.Add(s);
                        break;
                }
            }
            long counter = ParseCounter(c.Call("GET", _counterKey));
            Assert.True(counter >= _counter + requiredIncrs && counter <= _counter + sentIncrs,
                $"{_counterKey} = {counter}, expected {_counter + requiredIncrs}..{_counter + sentIncrs} (acknowledged INCRs lost or phantom ones applied)");
            _counter = counter;

            // List: the durable baseline, then this round's pushes in order, cut anywhere after the last required one.
            List<string?> list = ParseArray(c.Call("LRANGE", _listKey, "0", "-1"));
            int lastRequired = pushes.FindLastIndex(s => s.Required(requiredBeforeTicks));
            Assert.True(list.Count >= _list.Count + lastRequired + 1 && list.Count <= _list.Count + pushes.Count,
                $"{_listKey} has {list.Count} elements, expected {_list.Count + lastRequired + 1}..{_list.Count + pushes.Count}");
            for (int i = 0; i < list.Count; i++)
            {
                string expected = i < _list.Count ? _list[i] : pushes[i - _list.Count].Value;
                Assert.True(expected == list[i], $"{_listKey}[{i}] = {list[i]}, expected {expected}");
            }
            for (int i = _list.Count; i < list.Count; i++)
            {
                _list.Add(list[i]!);
            }

            // Keys: every earlier one still there; this round's required ones there; any present holds its value.
            int earlier = _presentKeys.Count;
            var all = new List<string>(_presentKeys);
            foreach (Sent s in sets)
            {
                all.Add(s.Value);
            }
            for (int start = 0; start < all.Count; start += 500)
            {
                int n = Math.Min(500, all.Count - start);
                var args = new string[n + 1];
                args[0] = "MGET";
                for (int i = 0; i < n; i++)
                {
                    args[i + 1] = "crash:key:" + all[start + i];
                }
                List<string?> values = ParseArray(c.Call(args));
                for (int i = 0; i < n; i++)
                {
                    int index = start + i;
                    string value = all[index];
                    bool required = index < earlier || sets[index - earlier].Required(requiredBeforeTicks);
                    if (values[i] == null)
                    {
                        Assert.False(required, $"acknowledged SET crash:key:{value} lost");
                    }
                    else
                    {
                        Assert.Equal(value, values[i]);
                        if (index >= earlier)
                        {
                            _presentKeys.Add(value);
                        }
                    }
                }
            }
            _sent.Clear();
        }

        private static long ParseCounter(string reply) =>
            reply == "$-1\r\n" ? 0 : long.Parse(ParseArray("*1\r\n" + reply)[0]!, CultureInfo.InvariantCulture);
    }

    /// <summary>Bulk strings of a flat RESP array (values in this workload never contain CR or LF).</summary>
    internal static List<string?> ParseArray(string reply)
    {
        string[] lines = reply.Split("\r\n");
        Assert.StartsWith("*", lines[0]);
        int count = int.Parse(lines[0].AsSpan(1), CultureInfo.InvariantCulture);
        var result = new List<string?>(count);
        int line = 1;
        for (int i = 0; i < count; i++)
        {
            if (lines[line] == "$-1")
            {
                result.Add(null);
                line++;
            }
            else
            {
                result.Add(lines[line + 1]);
                line += 2;
            }
        }
        return result;
    }

    private enum Op
    {
        Incr,
        Push,
        Set,
    }

    private sealed class Sent(Op op, string value)
    {
        public Op Op { get; } = op;
        public string Value { get; } = value;

        /// <summary>Environment.TickCount64 when the reply arrived; 0 while unacknowledged.</summary>
        public long AckTicks { get; set; }

        public bool Required(long beforeTicks) => AckTicks != 0 && AckTicks <= beforeTicks;
    }
}
