namespace Amber.Protocol;

/// <summary>A slice of a request argument; points into the connection's receive buffer (or the inline scratch).</summary>
internal readonly struct ArgSlice(byte[] buffer, int offset, int length)
{
    public readonly byte[] Buffer = buffer;
    public readonly int Offset = offset;
    public readonly int Length = length;
    public ReadOnlySpan<byte> Span => new(Buffer, Offset, Length);
}

/// <summary>
/// The arguments of one request. Slices stay valid only until the connection consumes its receive buffer,
/// so a command copies (ToArray) whatever it keeps.
/// </summary>
internal sealed class ArgList
{
    private ArgSlice[] _args = new ArgSlice[16];
    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int index] => _args[index].Span;

    public ArgSlice Slice(int index) => _args[index];

    public byte[] ToArray(int index) => _args[index].Span.ToArray();

    public void Clear() => Count = 0;

    public void Add(byte[] buffer, int offset, int length)
    {
        if (Count == _args.Length)
        {
            Array.Resize(ref _args, _args.Length * 2);
        }
        _args[Count++] = new ArgSlice(buffer, offset, length);
    }

    /// <summary>Moves every slice that points into <paramref name="buffer"/> by <paramref name="delta"/> after a compaction.</summary>
    public void Rebase(byte[] oldBuffer, byte[] newBuffer, int delta)
    {
        for (int i = 0; i < Count; i++)
        {
            ref ArgSlice a = ref _args[i];
            if (ReferenceEquals(a.Buffer, oldBuffer))
            {
                a = new ArgSlice(newBuffer, a.Offset + delta, a.Length);
            }
        }
    }

    /// <summary>Replaces the argument list (used by commands that rewrite themselves, e.g. for propagation).</summary>
    public void Set(int index, byte[] value) => _args[index] = new ArgSlice(value, 0, value.Length);
}
