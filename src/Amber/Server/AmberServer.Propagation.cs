using Amber.Persistence.Aof;
using Amber.Propagation;

namespace Amber.Server;

/// <summary>The propagation stream: every change to the dataset, in order, for the AOF (and replicas later).</summary>
internal sealed partial class AmberServer
{
    private AofWriter? _aofSink;

    /// <summary>Sinks register here (under <see cref="KeyspaceLock"/>); the executor and the commands feed it.</summary>
    public PropagationStream Propagation { get; } = new();

    /// <summary>The AOF's writer is the stream's sink while appendonly is on; a new writer replaces the old one.</summary>
    private void AttachAofWriter(AofWriter? writer)
    {
        if (_aofSink != null)
        {
            Propagation.RemoveSink(_aofSink);
        }
        _aofSink = writer;
        if (writer != null)
        {
            Propagation.AddSink(writer);
        }
    }
}
