using Amber.Commands;

namespace Amber.PubSub;

/// <summary>
/// What a RESP2 client may run once subscribed: its connection then carries pushed messages, so only commands
/// whose replies a subscriber expects are allowed, as Redis's processCommand enforces. RESP3 clients run anything.
/// </summary>
internal static class SubscribedContext
{
    /// <summary>Called only when the client is subscribed over RESP2 (the executor's cheap check comes first).</summary>
    public static bool Allows(CommandSpec spec)
    {
        if (spec.Parent != null)
        {
            return false;
        }
        return spec.Name switch
        {
            "subscribe" or "ssubscribe" or "sunsubscribe" or "psubscribe" or "unsubscribe" or "punsubscribe" or
                "ping" or "quit" or "reset" => true,
            _ => false,
        };
    }

    public static string Error(CommandSpec spec) =>
        $"ERR Can't execute '{spec.FullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";
}
