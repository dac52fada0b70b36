namespace Amber.Diagnostics;

/// <summary>Counters behind INFO stats and errorstats. Fields touched outside the keyspace lock use Interlocked.</summary>
internal sealed class ServerStats
{
    private readonly Dictionary<string, long> _errorsByCode = new(StringComparer.Ordinal);
    private readonly long[] _opsSamples = new long[16];
    private int _opsSampleIndex;
    private long _lastSampleCommands;
    private long _lastSampleTicks = Environment.TickCount64;

    public long StartTimeMs { get; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public long TotalConnectionsReceived;
    public long RejectedConnections;
    public long TotalCommandsProcessed;
    public long NetInputBytes;
    public long NetOutputBytes;
    public long ExpiredKeys;
    public long EvictedKeys;
    public long KeyspaceHits;
    public long KeyspaceMisses;
    public long TotalErrorReplies;
    public long UnexpectedErrorReplies;
    public long TotalReadsProcessed;
    public long TotalWritesProcessed;

    private readonly double[] _inputKbpsSamples = new double[16];
    private readonly double[] _outputKbpsSamples = new double[16];
    private long _lastSampleInput;
    private long _lastSampleOutput;

    public IReadOnlyDictionary<string, long> ErrorsByCode => _errorsByCode;

    /// <summary>Counts an error reply under its code: the first word ("ERR", "WRONGTYPE", ...), as Redis does.</summary>
    public void RecordError(string message)
    {
        TotalErrorReplies++;
        int space = message.IndexOf(' ');
        string code = space < 0 ? message : message[..space];
        lock (_errorsByCode)
        {
            // Redis caps distinct error codes at 128 to keep INFO bounded.
            if (_errorsByCode.TryGetValue(code, out long n))
            {
                _errorsByCode[code] = n + 1;
            }
            else if (_errorsByCode.Count < 128)
            {
                _errorsByCode[code] = 1;
            }
        }
    }

    public void ResetErrors()
    {
        lock (_errorsByCode)
        {
            _errorsByCode.Clear();
        }
    }

    /// <summary>Called by the cron: records commands per second over the last interval.</summary>
    public void SampleOps()
    {
        long now = Environment.TickCount64;
        long elapsed = now - _lastSampleTicks;
        if (elapsed < 100)
        {
            return;
        }
        long commands = Interlocked.Read(ref TotalCommandsProcessed);
        long input = Interlocked.Read(ref NetInputBytes);
        long output = Interlocked.Read(ref NetOutputBytes);
        int slot = _opsSampleIndex % _opsSamples.Length;
        _inputKbpsSamples[slot] = (input - _lastSampleInput) * 1000.0 / elapsed / 1024;
        _outputKbpsSamples[slot] = (output - _lastSampleOutput) * 1000.0 / elapsed / 1024;
        _lastSampleInput = input;
        _lastSampleOutput = output;
        _opsSamples[_opsSampleIndex++ % _opsSamples.Length] = (commands - _lastSampleCommands) * 1000 / elapsed;
        _lastSampleCommands = commands;
        _lastSampleTicks = now;
    }

    public long InstantaneousOpsPerSecond
    {
        get
        {
            long sum = 0;
            foreach (long s in _opsSamples)
            {
                sum += s;
            }
            return sum / _opsSamples.Length;
        }
    }

    /// <summary>Average network input over the recent samples, in KiB per second (INFO instantaneous_input_kbps).</summary>
    public double InstantaneousInputKbps => Average(_inputKbpsSamples);

    public double InstantaneousOutputKbps => Average(_outputKbpsSamples);

    private static double Average(double[] samples)
    {
        double sum = 0;
        foreach (double s in samples)
        {
            sum += s;
        }
        return sum / samples.Length;
    }

    public void Reset()
    {
        TotalConnectionsReceived = RejectedConnections = TotalCommandsProcessed = 0;
        NetInputBytes = NetOutputBytes = ExpiredKeys = EvictedKeys = 0;
        KeyspaceHits = KeyspaceMisses = TotalErrorReplies = UnexpectedErrorReplies = 0;
        ResetErrors();
    }
}
