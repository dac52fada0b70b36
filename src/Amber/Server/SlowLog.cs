using Amber.Protocol;

namespace Amber.Server;

/// <summary>Commands slower than slowlog-log-slower-than, newest first, at most slowlog-max-len.</summary>
internal sealed class SlowLog(AmberServer server)
{
    private const int MaxArgs = 32;
    private const int MaxArgLength = 128;
    private readonly LinkedList<SlowLogEntry> _entries = new();
    private long _nextId;

    public int Count => _entries.Count;
    public IEnumerable<SlowLogEntry> Entries => _entries;

    public void Record(ClientSession session, ArgList args, long micros, long nowMs)
    {
        long threshold = server.Config.SlowlogLogSlowerThan;
        if (threshold < 0 || micros < threshold || (session.Context.Command?.Has(Commands.CommandFlags.SkipSlowlog) ?? false))
        {
            return;
        }
        ulong redacted = session.Context.RedactedArgs;
        int count = Math.Min(args.Count, MaxArgs);
        var copied = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            if (i == MaxArgs - 1 && args.Count > MaxArgs)
            {
                copied[i] = System.Text.Encoding.ASCII.GetBytes($"... ({args.Count - MaxArgs + 1} more arguments)");
                break;
            }
            if ((redacted & (1UL << i)) != 0)
            {
                copied[i] = "(redacted)"u8.ToArray();
                continue;
            }
            ReadOnlySpan<byte> a = args[i];
            copied[i] = a.Length > MaxArgLength
                ? [.. a[..MaxArgLength], .. System.Text.Encoding.ASCII.GetBytes($"... ({a.Length - MaxArgLength} more bytes)")]
                : a.ToArray();
        }
        _entries.AddFirst(new SlowLogEntry(_nextId++, nowMs / 1000, micros, copied, session.AddressText, session.Name ?? ""));
        Trim();
    }

    public void Trim()
    {
        while (_entries.Count > Math.Max(0, server.Config.SlowlogMaxLen))
        {
            _entries.RemoveLast();
        }
    }

    public void Reset() => _entries.Clear();
}

internal sealed record SlowLogEntry(long Id, long UnixSeconds, long Micros, byte[][] Args, string ClientAddress, string ClientName);
