using Amber.Commands;
using Amber.Keyspace;
using Amber.Protocol;

namespace Amber.Server;

/// <summary>
/// Tries to serve a blocked client from a key that just became ready. Runs under the keyspace lock; writes the
/// reply into <see cref="BlockedClient.Reply"/> and returns true when the client is done (served or failed),
/// false to keep it waiting (e.g. the key now holds another type).
/// </summary>
internal delegate bool BlockedServe(BlockedClient client, Database db, byte[] key, long nowMs);

/// <summary>
/// One client waiting in a blocking command (BLPOP, BLMOVE, BLMPOP ...): what it waits for, how to serve it,
/// when it gives up, and where its eventual reply goes. See <see cref="BlockingRegistry"/> for the protocol.
/// </summary>
internal sealed class BlockedClient
{
    public BlockedClient(ClientSession session, CommandSpec command, byte[][] keys, long deadlineMs, BlockedServe serve)
    {
        Session = session;
        DbIndex = session.DbIndex;
        Command = command;
        Keys = keys;
        DeadlineMs = deadlineMs;
        Serve = serve;
        Reply = new RespWriter(256) { Protocol = session.Protocol };
    }

    public ClientSession Session { get; }
    public int DbIndex { get; }
    public CommandSpec Command { get; }

    /// <summary>The keys waited on, in argument order (a repeated key is registered once).</summary>
    public byte[][] Keys { get; }

    /// <summary>Unix milliseconds when the wait ends with a timeout reply; 0 waits forever.</summary>
    public long DeadlineMs { get; }
    public BlockedServe Serve { get; }

    // Command parameters the serve function needs (pop side, push side, destination, count).
    public bool FromHead { get; init; }
    public bool ToHead { get; init; }
    public byte[]? Target { get; init; }
    public long Count { get; init; } = -1;

    /// <summary>The reply produced while the connection waits; the connection copies it out once completed.</summary>
    public RespWriter Reply { get; }

    /// <summary>Completed (once) when the client is unblocked for any reason: served, timed out, unblocked, disconnected.</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True while registered in the registry's key queues.</summary>
    public bool Waiting { get; internal set; }

    /// <summary>The serve (or unblock) wrote an error reply.</summary>
    public bool Failed { get; private set; }

    /// <summary>Time spent in the command's first run, added to its statistics when it is finally counted.</summary>
    internal long InitialMicros { get; set; }

    internal LinkedListNode<BlockedClient>?[] Nodes { get; set; } = [];

    /// <summary>Replies with an error to the blocked client and counts it in errorstats.</summary>
    public void Error(string message)
    {
        Failed = true;
        Session.Server.Stats.RecordError(message);
        Reply.WriteError(message);
    }
}
