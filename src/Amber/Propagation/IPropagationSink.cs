namespace Amber.Propagation;

/// <summary>
/// A consumer of the ordered stream of write effects (DESIGN §1, §5): the AOF today, replicas later.
/// </summary>
internal interface IPropagationSink
{
    /// <summary>
    /// Called under the keyspace lock, in execution order, once per propagated command in its deterministic RESP form
    /// (a multibulk array). A SELECT precedes a command whose database differs from the previous one's; transactions
    /// arrive wrapped in MULTI ... EXEC. The span is only valid during the call.
    /// </summary>
    void Append(ReadOnlySpan<byte> respCommand);
}
