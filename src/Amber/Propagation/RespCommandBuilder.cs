using System.Buffers.Text;
using System.Diagnostics;
using Amber.Protocol;

namespace Amber.Propagation;

/// <summary>
/// Writes commands as RESP arrays of bulk strings ("*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"), the form the AOF and the
/// replication stream carry, into one growable buffer that is kept and reused: building a command allocates nothing
/// once the buffer has grown to the size of the largest command seen.
/// <para>Usage: <c>Begin(3).Arg("SREM"u8).Arg(key).Arg(member)</c>. The argument count comes first because RESP
/// states it up front; <see cref="Pending"/> tells how many arguments the command being built still owes.</para>
/// </summary>
internal sealed class RespCommandBuilder
{
    /// <summary>A buffer grown past this by one huge command is dropped when cleared, so it does not stay pinned.</summary>
    private const int RetainedCapacity = 1 << 20;

    private byte[] _buffer;
    private int _length;
    private int _pending;

    public RespCommandBuilder(int initialCapacity = 256) => _buffer = new byte[initialCapacity];

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>Arguments still owed by the command being built (0 when it is complete).</summary>
    public int Pending => _pending;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public ReadOnlySpan<byte> Slice(int start, int length) => _buffer.AsSpan(start, length);

    /// <summary>Starts a command of <paramref name="argc"/> arguments (the command name included).</summary>
    public RespCommandBuilder Begin(int argc)
    {
        Debug.Assert(_pending == 0, "the previous command is incomplete");
        Debug.Assert(argc > 0);
        WriteHeader((byte)'*', argc);
        _pending = argc;
        return this;
    }

    public RespCommandBuilder Arg(ReadOnlySpan<byte> value)
    {
        Debug.Assert(_pending > 0, "more arguments than announced");
        _pending--;
        WriteHeader((byte)'$', value.Length);
        Ensure(value.Length + 2);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
        return this;
    }

    /// <summary>An integer argument in decimal, as Redis prints it (e.g. PEXPIREAT's time).</summary>
    public RespCommandBuilder Arg(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out int n);
        return Arg(digits[..n]);
    }

    /// <summary>Arguments <paramref name="from"/> .. <paramref name="from"/>+<paramref name="count"/>-1 of a request, as received.</summary>
    public RespCommandBuilder Args(ArgList args, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            Arg(args[i]);
        }
        return this;
    }

    /// <summary>A whole request, as received.</summary>
    public RespCommandBuilder Command(ArgList args) => Begin(args.Count).Args(args, 0, args.Count);

    /// <summary>Copies one complete command already in RESP form (e.g. from another builder).</summary>
    public void AppendRaw(ReadOnlySpan<byte> resp)
    {
        Debug.Assert(_pending == 0, "the previous command is incomplete");
        Ensure(resp.Length);
        resp.CopyTo(_buffer.AsSpan(_length));
        _length += resp.Length;
    }

    /// <summary>Drops everything written from <paramref name="length"/> on (an abandoned command included).</summary>
    public void Truncate(int length)
    {
        _length = length;
        _pending = 0;
    }

    /// <summary>Empties the builder; a buffer one huge command grew past 1 MB is released.</summary>
    public void Clear()
    {
        _length = 0;
        _pending = 0;
        if (_buffer.Length > RetainedCapacity)
        {
            _buffer = new byte[RetainedCapacity];
        }
    }

    private void WriteHeader(byte prefix, int count)
    {
        Ensure(13);
        _buffer[_length++] = prefix;
        Utf8Formatter.TryFormat(count, _buffer.AsSpan(_length), out int n);
        _length += n;
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
    }

    private void Ensure(int more)
    {
        if (_buffer.Length - _length < more)
        {
            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + more)));
        }
    }
}
