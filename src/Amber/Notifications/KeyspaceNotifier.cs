using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Amber.Config;

namespace Amber.Notifications;

/// <summary>Publishes one message to a channel (pub/sub's PUBLISH). Both spans are only valid during the call.</summary>
internal delegate void KeyspacePublish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message);

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

    /// <summary>Receives (channel, message) for every notification sent: the server plugs pub/sub's PUBLISH in here.</summary>
    public KeyspacePublish? Publish { get; set; }

    public void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key, int dbIndex)
    {
        var enabled = config.NotifyKeyspaceEvents;
        KeyspacePublish? publish = Publish;
        if ((enabled & type) == 0 || publish == null || (enabled & (NotifyFlags.Keyspace | NotifyFlags.Keyevent)) == 0)
        {
            return;
        }
        byte[] eventBytes = EventBytes(eventName);
        if ((enabled & NotifyFlags.Keyspace) != 0)
        {
            PublishTo(publish, KeyspacePrefix, dbIndex, key, eventBytes);
        }
        if ((enabled & NotifyFlags.Keyevent) != 0)
        {
            PublishTo(publish, KeyeventPrefix, dbIndex, eventBytes, key);
        }
    }

    /// <summary>Formats the channel prefix + db + "__:" + suffix in a stack or pooled buffer and publishes.</summary>
    private static void PublishTo(KeyspacePublish publish, ReadOnlySpan<byte> prefix, int dbIndex, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> message)
    {
        int length = prefix.Length + 11 + 3 + suffix.Length;
        byte[]? rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> buffer = rented ?? stackalloc byte[256];
        try
        {
            int written = FormatChannel(buffer, prefix, dbIndex, suffix);
            publish(buffer[..written], message);
        }
        finally
        {
            if (rented != null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
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

    /// <summary>Writes prefix + db + "__:" + suffix into <paramref name="into"/>; returns the length.</summary>
    private static int FormatChannel(Span<byte> into, ReadOnlySpan<byte> prefix, int dbIndex, ReadOnlySpan<byte> suffix)
    {
        prefix.CopyTo(into);
        Utf8Formatter.TryFormat(dbIndex, into[prefix.Length..], out int dbLength);
        Span<byte> rest = into[(prefix.Length + dbLength)..];
        "__:"u8.CopyTo(rest);
        suffix.CopyTo(rest[3..]);
        return prefix.Length + dbLength + 3 + suffix.Length;
    }
}
