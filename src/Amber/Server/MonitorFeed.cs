using System.Globalization;
using System.Text;
using Amber.Protocol;

namespace Amber.Server;

/// <summary>Sends every executed command to clients in MONITOR mode, formatted as Redis does.</summary>
internal sealed class MonitorFeed
{
    private readonly List<ClientSession> _monitors = [];
    private volatile bool _any;

    public void Add(ClientSession session)
    {
        lock (_monitors)
        {
            _monitors.Add(session);
            _any = true;
        }
    }

    public void Remove(ClientSession session)
    {
        lock (_monitors)
        {
            _monitors.Remove(session);
            _any = _monitors.Count > 0;
        }
    }

    public void Feed(ClientSession from, ArgList args, ulong redacted = 0)
    {
        if (_any)
        {
            // Kept out of line: the lambda's captured variable would otherwise cost an allocation on every request.
            FeedMonitors(Format(from, args, redacted));
        }
    }

    private void FeedMonitors(string line)
    {
        lock (_monitors)
        {
            foreach (ClientSession m in _monitors)
            {
                m.Push(w => w.WriteSimpleString(line));
            }
        }
    }

    /// <summary>"1700000000.123456 [0 127.0.0.1:5000] "set" "k" "v"": Unix time with microseconds, database, client, quoted arguments.</summary>
    internal static string Format(ClientSession from, ArgList args, ulong redacted)
    {
        long micros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        var sb = new StringBuilder();
        sb.Append((micros / 1_000_000).ToString(CultureInfo.InvariantCulture)).Append('.')
          .Append((micros % 1_000_000).ToString("D6", CultureInfo.InvariantCulture))
          .Append(" [").Append(from.DbIndex).Append(' ').Append(from.AddressText).Append(']');
        for (int i = 0; i < args.Count; i++)
        {
            if (i < 64 && (redacted & (1UL << i)) != 0)
            {
                sb.Append(" \"(redacted)\"");
                continue;
            }
            sb.Append(' ');
            Amber.Text.CRepr.AppendQuoted(sb, args[i]);
        }
        return sb.ToString();
    }
}
