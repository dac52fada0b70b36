using Amber.Protocol;
using Amber.PubSub;
using Amber.Server;
using Amber.Text;

namespace Amber.Commands;

/// <summary>SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB SSUBSCRIBE SUNSUBSCRIBE SPUBLISH.</summary>
internal static class PubSubCommands
{
    private const CommandFlags Subscribing = CommandFlags.PubSub | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
    private const CommandFlags Publishing = CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast;
    private const CommandFlags Inspecting = CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale;

    public static void Register(CommandTable t)
    {
        t.Add(Spec("subscribe", -2, Subscribing, 0, 0, 0, "pubsub slow", Subscribe, "Listens for messages on channels.", "2.0.0"));
        t.Add(Spec("unsubscribe", -1, Subscribing, 0, 0, 0, "pubsub slow", Unsubscribe, "Stops listening on channels (all of them without arguments).", "2.0.0"));
        t.Add(Spec("psubscribe", -2, Subscribing, 0, 0, 0, "pubsub slow", PSubscribe, "Listens for messages on channels matching glob patterns.", "2.0.0"));
        t.Add(Spec("punsubscribe", -1, Subscribing, 0, 0, 0, "pubsub slow", PUnsubscribe, "Stops listening on patterns (all of them without arguments).", "2.0.0"));
        t.Add(Spec("publish", 3, Publishing, 0, 0, 0, "pubsub fast", Publish, "Sends a message to a channel; replies how many received it.", "2.0.0"));
        // Shard channels sit at key positions (cluster slots route them) but are flagged not_key.
        t.Add(Spec("ssubscribe", -2, Subscribing, 1, -1, 1, "pubsub slow", SSubscribe, "Listens for messages on shard channels.", "7.0.0", ShardChannels(-1)));
        t.Add(Spec("sunsubscribe", -1, Subscribing, 1, -1, 1, "pubsub slow", SUnsubscribe, "Stops listening on shard channels (all of them without arguments).", "7.0.0", ShardChannels(-1)));
        t.Add(Spec("spublish", 3, Publishing, 1, 1, 1, "pubsub fast", SPublish, "Sends a message to a shard channel; replies how many received it.", "7.0.0", ShardChannels(0)));
        t.Add(new("pubsub", -2, CommandFlags.None, 0, 0, 0, "slow", Container)
        {
            Group = "pubsub",
            Summary = "Container for the pub/sub introspection subcommands.",
            Since = "2.8.0",
            Subcommands =
            [
                // In the order COMMAND INFO lists them in Redis 7.0.
                Spec("numpat", 2, Inspecting, 0, 0, 0, "pubsub slow", NumPat, "Counts the patterns that have subscribers.", "2.8.0"),
                Spec("numsub", -2, Inspecting, 0, 0, 0, "pubsub slow", NumSub, "Counts each channel's subscribers (patterns not included).", "2.8.0"),
                Spec("shardnumsub", -2, Inspecting, 0, 0, 0, "pubsub slow", ShardNumSub, "Counts each shard channel's subscribers.", "7.0.0"),
                Spec("channels", -2, Inspecting, 0, 0, 0, "pubsub slow", Channels, "Lists the channels that have subscribers, optionally matching a pattern.", "2.8.0"),
                Spec("help", 2, CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "slow", Help, "Lists the PUBSUB subcommands.", "6.2.0"),
                Spec("shardchannels", -2, Inspecting, 0, 0, 0, "pubsub slow", ShardChannels, "Lists the shard channels that have subscribers, optionally matching a pattern.", "7.0.0"),
            ],
        });
    }

    private static CommandSpec Spec(string name, int arity, CommandFlags flags, int first, int last, int step, string categories,
        CommandHandler handler, string summary, string since, KeySpec[]? keySpecs = null) =>
        new(name, arity, flags, first, last, step, categories, handler) { Group = "pubsub", Summary = summary, Since = since, KeySpecs = keySpecs };

    private static KeySpec[] ShardChannels(int lastKey) => [KeySpec.Range(KeySpecFlags.NotKey, 1, lastKey)];

    private static void Container(CommandContext ctx) => ctx.WrongArgs();

    private static void Subscribe(CommandContext ctx) => SubscribeEach(ctx, SubscriptionKind.Channel, "subscribe"u8);

    private static void PSubscribe(CommandContext ctx) => SubscribeEach(ctx, SubscriptionKind.Pattern, "psubscribe"u8);

    private static void SSubscribe(CommandContext ctx)
    {
        // Inside EXEC (as from a script), unlike SUBSCRIBE which Redis lets MULTI use for compatibility.
        if (ctx.Session.DenyBlocking)
        {
            ctx.Error(Errors.SSubscribeDenyBlocking);
            return;
        }
        SubscribeEach(ctx, SubscriptionKind.Shard, "ssubscribe"u8);
    }

    private static void Unsubscribe(CommandContext ctx) => UnsubscribeEach(ctx, SubscriptionKind.Channel);

    private static void PUnsubscribe(CommandContext ctx) => UnsubscribeEach(ctx, SubscriptionKind.Pattern);

    private static void SUnsubscribe(CommandContext ctx) => UnsubscribeEach(ctx, SubscriptionKind.Shard);

    /// <summary>One confirmation per argument, repeated names included, each with the running count.</summary>
    private static void SubscribeEach(CommandContext ctx, SubscriptionKind kind, ReadOnlySpan<byte> verb)
    {
        PubSubHub hub = ctx.Server.PubSub;
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            hub.Subscribe(ctx.Session, kind, ctx.Arg(i));
            Confirm(ctx.Session, verb, ctx.Arg(i), Count(ctx.Session, kind));
        }
    }

    /// <summary>With names, one confirmation each (subscribed or not); without, one per current subscription.</summary>
    private static void UnsubscribeEach(CommandContext ctx, SubscriptionKind kind)
    {
        PubSubHub hub = ctx.Server.PubSub;
        if (ctx.ArgCount == 1)
        {
            hub.UnsubscribeAll(ctx.Session, kind, ConfirmUnsubscribe);
            return;
        }
        ReadOnlySpan<byte> verb = UnsubscribeVerb(kind);
        for (int i = 1; i < ctx.ArgCount; i++)
        {
            hub.Unsubscribe(ctx.Session, kind, ctx.Arg(i));
            Confirm(ctx.Session, verb, ctx.Arg(i), Count(ctx.Session, kind));
        }
    }

    private static readonly Action<ClientSession, SubscriptionKind, byte[]?> ConfirmUnsubscribe =
        (session, kind, name) => Confirm(session, UnsubscribeVerb(kind), name, Count(session, kind), name == null);

    private static ReadOnlySpan<byte> UnsubscribeVerb(SubscriptionKind kind) => kind switch
    {
        SubscriptionKind.Channel => "unsubscribe"u8,
        SubscriptionKind.Pattern => "punsubscribe"u8,
        _ => "sunsubscribe"u8,
    };

    /// <summary>The count a confirmation carries: channels + patterns, or shard channels alone, as Redis 7.0.</summary>
    private static int Count(ClientSession session, SubscriptionKind kind) =>
        kind == SubscriptionKind.Shard ? session.ShardSubscriptions : session.Subscriptions + session.PatternSubscriptions;

    /// <summary>
    /// Writes a [verb, name, count] confirmation: an array in RESP2, a push in RESP3. Confirmations are pushes in
    /// Redis 7.0, so CLIENT REPLY OFF/SKIP does not silence them; then they go through the session's push queue.
    /// </summary>
    private static void Confirm(ClientSession session, ReadOnlySpan<byte> verb, ReadOnlySpan<byte> name, int count, bool nullName = false)
    {
        if (!session.SkipCurrentReply && session.ReplyMode != ReplyMode.Off)
        {
            WriteConfirmation(session.Reply, verb, name, count, nullName);
            return;
        }
        byte[] verbCopy = verb.ToArray();
        byte[] nameCopy = name.ToArray();
        session.Push(w => WriteConfirmation(w, verbCopy, nameCopy, count, nullName));
    }

    private static void WriteConfirmation(RespWriter w, ReadOnlySpan<byte> verb, ReadOnlySpan<byte> name, int count, bool nullName)
    {
        w.WritePushHeader(3);
        w.WriteBulkString(verb);
        if (nullName)
        {
            w.WriteNull();
        }
        else
        {
            w.WriteBulkString(name);
        }
        w.WriteInteger(count);
    }

    private static void Publish(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Server.PubSub.Publish(ctx.Arg(1), ctx.Arg(2)));

    private static void SPublish(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Server.PubSub.PublishShard(ctx.Arg(1), ctx.Arg(2)));

    private static void Channels(CommandContext ctx) => ListNames(ctx, SubscriptionKind.Channel);

    private static void ShardChannels(CommandContext ctx) => ListNames(ctx, SubscriptionKind.Shard);

    /// <summary>PUBSUB CHANNELS / SHARDCHANNELS [pattern]: active names, all or those matching the pattern.</summary>
    private static void ListNames(CommandContext ctx, SubscriptionKind kind)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.Error(Errors.SubcommandSyntax(ctx.ArgString(1), "pubsub"));
            return;
        }
        bool all = ctx.ArgCount == 2;
        ReadOnlySpan<byte> pattern = all ? default : ctx.Arg(2);
        int at = ctx.Reply.BeginDeferredArray();
        int count = 0;
        foreach (byte[] name in ctx.Server.PubSub.Names(kind))
        {
            if (all || GlobPattern.IsMatch(pattern, name))
            {
                ctx.Reply.WriteBulkString(name);
                count++;
            }
        }
        ctx.Reply.EndDeferredArray(at, count);
    }

    private static void NumSub(CommandContext ctx) => CountSubscribers(ctx, SubscriptionKind.Channel);

    private static void ShardNumSub(CommandContext ctx) => CountSubscribers(ctx, SubscriptionKind.Shard);

    /// <summary>A flat [name, count, ...] array (an array in RESP3 too, as Redis 7.0 replies).</summary>
    private static void CountSubscribers(CommandContext ctx, SubscriptionKind kind)
    {
        ctx.Reply.WriteArrayHeader((ctx.ArgCount - 2) * 2);
        for (int i = 2; i < ctx.ArgCount; i++)
        {
            ctx.Reply.WriteBulkString(ctx.Arg(i));
            ctx.Reply.WriteInteger(ctx.Server.PubSub.SubscriberCount(kind, ctx.Arg(i)));
        }
    }

    private static void NumPat(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Server.PubSub.PatternCount);

    private static readonly string[] HelpLines =
    [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ];

    private static void Help(CommandContext ctx)
    {
        ctx.Reply.WriteArrayHeader(HelpLines.Length);
        foreach (string line in HelpLines)
        {
            ctx.Reply.WriteSimpleString(line);
        }
    }
}
