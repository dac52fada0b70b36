using Amber.Protocol;
using Amber.Server;
using Amber.Text;

namespace Amber.PubSub;

/// <summary>
/// The server's pub/sub registry: channel → subscribers, pattern → subscribers, and shard channel → subscribers
/// (Redis 7.0's three namespaces), plus delivery. Every member runs under the keyspace lock, like commands
/// (SUBSCRIBE, PUBLISH) and keyspace notifications do; <see cref="RemoveClient"/> takes the lock itself.
/// A message is rendered once per publish (per matching pattern) and copied into each subscriber's push queue,
/// which sends it in the subscriber's protocol (an array in RESP2, a push frame in RESP3).
/// </summary>
internal sealed class PubSubHub(object keyspaceLock)
{
    private readonly Dictionary<byte[], HashSet<ClientSession>> _channels = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], HashSet<ClientSession>> _patterns = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], HashSet<ClientSession>> _shardChannels = new(ByteKeyComparer.Instance);
    private readonly RespWriter _frame = new(256);

    /// <summary>Channels with at least one subscriber (INFO pubsub_channels).</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Distinct patterns with at least one subscriber (INFO pubsub_patterns, PUBSUB NUMPAT).</summary>
    public int PatternCount => _patterns.Count;

    /// <summary>Shard channels with at least one subscriber (INFO pubsub_shardchannels).</summary>
    public int ShardChannelCount => _shardChannels.Count;

    private Dictionary<byte[], HashSet<ClientSession>> Table(SubscriptionKind kind) => kind switch
    {
        SubscriptionKind.Channel => _channels,
        SubscriptionKind.Pattern => _patterns,
        _ => _shardChannels,
    };

    /// <summary>The active names of one kind (PUBSUB CHANNELS / SHARDCHANNELS).</summary>
    public Dictionary<byte[], HashSet<ClientSession>>.KeyCollection Names(SubscriptionKind kind) => Table(kind).Keys;

    /// <summary>Subscribers of one channel (PUBSUB NUMSUB / SHARDNUMSUB).</summary>
    public int SubscriberCount(SubscriptionKind kind, ReadOnlySpan<byte> name) =>
        Table(kind).GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(name, out HashSet<ClientSession>? subscribers) ? subscribers.Count : 0;

    /// <summary>Subscribes; false when the client already was. Keeps the session's CLIENT LIST counters current.</summary>
    public bool Subscribe(ClientSession session, SubscriptionKind kind, ReadOnlySpan<byte> name)
    {
        ClientSubscriptions state = session.PubSubState ??= new ClientSubscriptions();
        HashSet<byte[]> mine = state.Of(kind);
        if (mine.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(name))
        {
            return false;
        }
        var lookup = Table(kind).GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.TryGetValue(name, out byte[]? stored, out HashSet<ClientSession>? subscribers))
        {
            stored = name.ToArray();
            subscribers = [];
            Table(kind).Add(stored, subscribers);
        }
        subscribers.Add(session);
        mine.Add(stored);
        UpdateCounters(session, state);
        return true;
    }

    /// <summary>Unsubscribes; false when the client was not subscribed.</summary>
    public bool Unsubscribe(ClientSession session, SubscriptionKind kind, ReadOnlySpan<byte> name)
    {
        ClientSubscriptions? state = session.PubSubState;
        if (state == null || !state.Of(kind).GetAlternateLookup<ReadOnlySpan<byte>>().Remove(name))
        {
            return false;
        }
        var lookup = Table(kind).GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(name, out HashSet<ClientSession>? subscribers))
        {
            subscribers.Remove(session);
            if (subscribers.Count == 0)
            {
                lookup.Remove(name);
            }
        }
        UpdateCounters(session, state);
        return true;
    }

    /// <summary>
    /// Unsubscribes from every name of one kind, replying one confirmation per name through
    /// <paramref name="confirm"/> (or one with a null name when there was none); no replies when it is null.
    /// </summary>
    public void UnsubscribeAll(ClientSession session, SubscriptionKind kind, Action<ClientSession, SubscriptionKind, byte[]?>? confirm)
    {
        HashSet<byte[]>? mine = session.PubSubState?.Of(kind);
        if (mine == null || mine.Count == 0)
        {
            confirm?.Invoke(session, kind, null);
            return;
        }
        byte[][] names = [.. mine];
        foreach (byte[] name in names)
        {
            Unsubscribe(session, kind, name);
            confirm?.Invoke(session, kind, name);
        }
    }

    /// <summary>Drops every subscription of a client that disconnected. Takes the keyspace lock.</summary>
    public void RemoveClient(ClientSession session)
    {
        if (session.PubSubState == null)
        {
            return;
        }
        lock (keyspaceLock)
        {
            UnsubscribeAll(session, SubscriptionKind.Channel, null);
            UnsubscribeAll(session, SubscriptionKind.Pattern, null);
            UnsubscribeAll(session, SubscriptionKind.Shard, null);
        }
    }

    /// <summary>
    /// PUBLISH: delivers to the channel's subscribers ("message") and to every client of every matching pattern
    /// ("pmessage"). Returns the number of deliveries (a client matched twice counts twice), as Redis does.
    /// Caller holds the keyspace lock (commands, keyspace notifications).
    /// </summary>
    public int Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        int receivers = 0;
        if (_channels.Count > 0 &&
            _channels.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out HashSet<ClientSession>? subscribers))
        {
            RenderFrame("message"u8, false, default, channel, message);
            receivers += Deliver(subscribers);
        }
        if (_patterns.Count > 0)
        {
            foreach (KeyValuePair<byte[], HashSet<ClientSession>> pattern in _patterns)
            {
                if (GlobPattern.IsMatch(pattern.Key, channel))
                {
                    RenderFrame("pmessage"u8, true, pattern.Key, channel, message);
                    receivers += Deliver(pattern.Value);
                }
            }
        }
        return receivers;
    }

    /// <summary>SPUBLISH: delivers to the shard channel's subscribers ("smessage"); patterns do not apply.</summary>
    public int PublishShard(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        if (_shardChannels.Count == 0 ||
            !_shardChannels.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out HashSet<ClientSession>? subscribers))
        {
            return 0;
        }
        RenderFrame("smessage"u8, false, default, channel, message);
        return Deliver(subscribers);
    }

    private void RenderFrame(ReadOnlySpan<byte> kind, bool isPattern, ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        _frame.Reset();
        _frame.ShrinkIfLarge(4096);
        _frame.WriteArrayHeader(isPattern ? 4 : 3);
        _frame.WriteBulkString(kind);
        if (isPattern)
        {
            _frame.WriteBulkString(pattern);
        }
        _frame.WriteBulkString(channel);
        _frame.WriteBulkString(message);
    }

    private int Deliver(HashSet<ClientSession> subscribers)
    {
        ReadOnlySpan<byte> frame = _frame.WrittenSpan;
        foreach (ClientSession subscriber in subscribers)
        {
            subscriber.PushArrayFrame(frame);
        }
        return subscribers.Count;
    }

    private static void UpdateCounters(ClientSession session, ClientSubscriptions state)
    {
        session.Subscriptions = state.Channels.Count;
        session.PatternSubscriptions = state.Patterns.Count;
        session.ShardSubscriptions = state.ShardChannels.Count;
    }
}
