using Amber.Propagation;

namespace Amber.Commands;

/// <summary>
/// How a command shapes what it propagates (the AOF, replicas): by default, its arguments as received when it
/// changed the dataset. Test <see cref="Propagating"/> first, so nothing is built when no sink listens.
/// </summary>
internal sealed partial class CommandContext
{
    /// <summary>Whether anything listens to the propagation stream; build nothing when false.</summary>
    public bool Propagating => Server.Propagation.Active;

    /// <summary>
    /// Propagates this command as the command built on the returned builder (<paramref name="argc"/> arguments,
    /// name included) instead of as received: Redis's rewriteClientCommandVector. Only used if the command changed
    /// the dataset (or forced propagation).
    /// </summary>
    public RespCommandBuilder PropagateAs(int argc) => Server.Propagation.RewriteCommand(argc);

    /// <summary>
    /// Propagates a further command, in the current database, before this command's own entry: Redis's
    /// alsoPropagate (SPOP with a count propagates one SREM per member this way).
    /// </summary>
    public RespCommandBuilder AlsoPropagate(int argc) => Server.Propagation.Also(Session.DbIndex, argc);

    /// <summary>This command propagates nothing of its own (entries from <see cref="AlsoPropagate"/> still go).</summary>
    public void SuppressPropagation() => Server.Propagation.SuppressCommand();

    /// <summary>This command propagates even when it changed nothing (FLUSHALL of empty databases, as Redis).</summary>
    public void ForcePropagation() => Server.Propagation.ForceCommand();
}
