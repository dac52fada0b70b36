using Amber.Propagation;

namespace Amber.Server;

/// <summary>The propagation stream: every change to the dataset, in order, for the AOF (and replicas later).</summary>
internal sealed partial class AmberServer
{
    /// <summary>Sinks register here (under <see cref="KeyspaceLock"/>); the executor and the commands feed it.</summary>
    public PropagationStream Propagation { get; } = new();
}
