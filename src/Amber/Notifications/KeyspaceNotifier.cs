using System.Buffers.Text;
using System.Text;
using Amber.Config;

namespace Amber.Notifications;

/// <summary>
/// Keyspace notifications, as Redis's notifyKeyspaceEvent: when notify-keyspace-events selects the event's class,
/// publishes "__keyspace@&lt;db&gt;__:&lt;key&gt;" with the event name as message (K) and
/// "__keyevent@&lt;db&gt;__:&lt;event&gt;" with the key as message (E). Runs under the keyspace lock.
/// The message goes to <see cref="Publish"/> (pub/sub's PUBLISH); with nobody plugged in nothing is formatted.
/// </summary>
internal sealed class KeyspaceNotifier(ServerConfig config)
{
    private static readonly byte[] KeyspacePrefix = "__keyspace@"u8.ToArray();
    private static readonly byte[] KeyeventPrefix = "__keyevent@"u8.ToArray();

    // Event names are a handful of literals: their bytes are made once.
    private readonly Dictionary<string, byte[]> _eventBytes = new(StringComparer.Ordinal);

    /// <summary>Receives (channel, message) for every notification sent; set by pub/sub.</summary>
    public Action<byte[], byte[]>? Publish { get; set; }

    public void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key, int dbIndex)
    {
        var enabled = (NotifyFlags)(int)config.NotifyKeyspaceEvents;
        Action<byte[], byte[]>? publish = Publish;
        if ((enabled & type) == 0 || publish == null || (enabled & (NotifyFlags.Keyspace | NotifyFlags.Keyevent)) == 0)
        {
            return;
        }
        byte[] eventBytes = EventBytes(eventName);
        if ((enabled & NotifyFlags.Keyspace) != 0)
        {
            publish(Channel(KeyspacePrefix, dbIndex, key), eventBytes);
        }
        if ((enabled & NotifyFlags.Keyevent) != 0)
        {
            publish(Channel(KeyeventPrefix, dbIndex, eventBytes), key.ToArray());
        }
    }

    private byte[] EventBytes(string eventName)
    {
        if (!_eventBytes.TryGetValue(eventName, out byte[]? bytes))
        {
            bytes = Encoding.ASCII.GetBytes(eventName);
            _eventBytes[eventName] = bytes;
        }
        return bytes;
    }

    /// <summary>prefix + db + "__:" + suffix.</summary>
    internal static byte[] Channel(ReadOnlySpan<byte> prefix, int dbIndex, ReadOnlySpan<byte> suffix)
    {
        Span<byte> db = stackalloc byte[11];
        Utf8Formatter.TryFormat(dbIndex, db, out int dbLength);
        byte[] channel = new byte[prefix.Length + dbLength + 3 + suffix.Length];
        Span<byte> c = channel;
        prefix.CopyTo(c);
        c = c[prefix.Length..];
        db[..dbLength].CopyTo(c);
        c = c[dbLength..];
        "__:"u8.CopyTo(c);
        suffix.CopyTo(c[3..]);
        return channel;
    }
}
