namespace Amber.PubSub;

/// <summary>
/// One client's subscriptions, in subscription order (UNSUBSCRIBE without arguments replies in this order).
/// Names are the same arrays the hub keys its tables with, so a subscription costs no extra copy.
/// </summary>
internal sealed class ClientSubscriptions
{
    public HashSet<byte[]> Channels { get; } = new(ByteKeyComparer.Instance);
    public HashSet<byte[]> Patterns { get; } = new(ByteKeyComparer.Instance);
    public HashSet<byte[]> ShardChannels { get; } = new(ByteKeyComparer.Instance);

    public HashSet<byte[]> Of(SubscriptionKind kind) => kind switch
    {
        SubscriptionKind.Channel => Channels,
        SubscriptionKind.Pattern => Patterns,
        _ => ShardChannels,
    };
}

/// <summary>The three independent namespaces of Redis 7.0 pub/sub.</summary>
internal enum SubscriptionKind
{
    Channel,
    Pattern,
    Shard,
}
