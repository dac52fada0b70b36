using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Amber.Protocol;

/// <summary>
/// Builds replies into one growing pooled buffer that the connection sends after each batch.
/// Knows the client's protocol (2 or 3) so commands write maps, sets, nulls and doubles once.
/// </summary>
internal sealed class RespWriter : IDisposable
{
    private const int MaxIntegerLength = 20;
    private byte[] _buffer;
    private int _length;

    public RespWriter(int initialSize = 16 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialSize);
    }

    public int Protocol { get; set; } = 2;
    public bool IsResp3 => Protocol == 3;
    public int Length => _length;
    public ReadOnlyMemory<byte> WrittenMemory => new(_buffer, 0, _length);
    public ReadOnlySpan<byte> WrittenSpan => new(_buffer, 0, _length);

    /// <summary>Suppresses output (CLIENT REPLY OFF/SKIP): writes still happen, then get discarded by the caller.</summary>
    public void Reset() => _length = 0;

    /// <summary>Drops everything written after <paramref name="length"/>.</summary>
    public void Truncate(int length) => _length = length;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Gives a large buffer back to the pool after a big reply, keeping idle connections small.</summary>
    public void ShrinkIfLarge(int keep = 64 * 1024)
    {
        if (_length == 0 && _buffer.Length > keep * 4)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(keep);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int size)
    {
        if (_buffer.Length - _length < size)
        {
            Grow(size);
        }
        return _buffer.AsSpan(_length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int size)
    {
        long wanted = Math.Max((long)_buffer.Length * 2, (long)_length + size);
        byte[] next = ArrayPool<byte>.Shared.Rent((int)Math.Min(wanted, Array.MaxLength));
        _buffer.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    public void WriteOk() => WriteRaw("+OK\r\n"u8);

    public void WriteSimpleString(ReadOnlySpan<byte> text)
    {
        Span<byte> span = Reserve(text.Length + 3);
        span[0] = (byte)'+';
        text.CopyTo(span[1..]);
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        _length += text.Length + 3;
    }

    public void WriteSimpleString(string text) => WriteAsciiLine('+', text);

    /// <summary>Writes an error; <paramref name="message"/> includes its code ("ERR ...", "WRONGTYPE ...").</summary>
    public void WriteError(string message) => WriteAsciiLine('-', message);

    private void WriteAsciiLine(char prefix, string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length) + 3;
        Span<byte> span = Reserve(max);
        span[0] = (byte)prefix;
        int n = Encoding.UTF8.GetBytes(text, span[1..]);
        // Redis strips CR/LF from error and status strings so a reply can never break framing.
        for (int i = 1; i <= n; i++)
        {
            if (span[i] is (byte)'\r' or (byte)'\n')
            {
                span[i] = (byte)' ';
            }
        }
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        _length += n + 3;
    }

    public void WriteInteger(long value) => WritePrefixedNumber((byte)':', value);

    public void WriteArrayHeader(long count) => WritePrefixedNumber((byte)'*', count);

    public void WriteMapHeader(long pairs)
    {
        if (IsResp3)
        {
            WritePrefixedNumber((byte)'%', pairs);
        }
        else
        {
            WritePrefixedNumber((byte)'*', pairs * 2);
        }
    }

    public void WriteSetHeader(long count) => WritePrefixedNumber(IsResp3 ? (byte)'~' : (byte)'*', count);

    public void WritePushHeader(long count) => WritePrefixedNumber(IsResp3 ? (byte)'>' : (byte)'*', count);

    private void WritePrefixedNumber(byte prefix, long value)
    {
        Span<byte> span = Reserve(MaxIntegerLength + 3);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out int n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        _length += n + 3;
    }

    public void WriteBulkString(ReadOnlySpan<byte> value)
    {
        Span<byte> span = Reserve(value.Length + MaxIntegerLength + 5);
        span[0] = (byte)'$';
        Utf8Formatter.TryFormat(value.Length, span[1..], out int n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        value.CopyTo(span[(n + 3)..]);
        int p = n + 3 + value.Length;
        span[p] = (byte)'\r';
        span[p + 1] = (byte)'\n';
        _length += p + 2;
    }

    public void WriteBulkString(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= 256)
        {
            Span<byte> tmp = stackalloc byte[max];
            int n = Encoding.UTF8.GetBytes(value, tmp);
            WriteBulkString(tmp[..n]);
        }
        else
        {
            WriteBulkString(Encoding.UTF8.GetBytes(value));
        }
    }

    public void WriteBulkInteger(long value)
    {
        Span<byte> tmp = stackalloc byte[MaxIntegerLength];
        Utf8Formatter.TryFormat(value, tmp, out int n);
        WriteBulkString(tmp[..n]);
    }

    /// <summary>Writes a verbatim string in RESP3 (txt), a bulk string in RESP2.</summary>
    public void WriteVerbatim(string text)
    {
        if (!IsResp3)
        {
            WriteBulkString(text);
            return;
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> tmp = stackalloc byte[MaxIntegerLength];
        WriteRaw("="u8);
        Utf8Formatter.TryFormat(bytes.Length + 4, tmp, out int n);
        WriteRaw(tmp[..n]);
        WriteRaw("\r\ntxt:"u8);
        WriteRaw(bytes);
        WriteRaw("\r\n"u8);
    }

    /// <summary>The null reply: $-1 in RESP2, _ in RESP3.</summary>
    public void WriteNull() => WriteRaw(IsResp3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>The null array: *-1 in RESP2, _ in RESP3.</summary>
    public void WriteNullArray() => WriteRaw(IsResp3 ? "_\r\n"u8 : "*-1\r\n"u8);

    public void WriteEmptyArray() => WriteRaw("*0\r\n"u8);

    public void WriteBoolean(bool value)
    {
        if (IsResp3)
        {
            WriteRaw(value ? "#t\r\n"u8 : "#f\r\n"u8);
        }
        else
        {
            WriteInteger(value ? 1 : 0);
        }
    }

    /// <summary>A double: RESP3 native (,), RESP2 as a bulk string, formatted as Redis does (17 significant digits, inf).</summary>
    public void WriteDouble(double value)
    {
        Span<byte> tmp = stackalloc byte[40];
        int n = NumberFormat.FormatDouble(value, tmp);
        if (IsResp3)
        {
            Span<byte> span = Reserve(n + 3);
            span[0] = (byte)',';
            tmp[..n].CopyTo(span[1..]);
            span[n + 1] = (byte)'\r';
            span[n + 2] = (byte)'\n';
            _length += n + 3;
        }
        else
        {
            WriteBulkString(tmp[..n]);
        }
    }

    /// <summary>Patches an array header written earlier with a placeholder (for replies whose length is known only at the end).</summary>
    public int BeginDeferredArray()
    {
        int at = _length;
        WriteRaw("*0000000000\r\n"u8);
        return at;
    }

    public void EndDeferredArray(int at, long count, bool map = false)
    {
        Span<byte> tmp = stackalloc byte[24];
        byte prefix = map ? (IsResp3 ? (byte)'%' : (byte)'*') : (byte)'*';
        if (map && !IsResp3)
        {
            count *= 2;
        }
        tmp[0] = prefix;
        Utf8Formatter.TryFormat(count, tmp[1..], out int n);
        tmp[n + 1] = (byte)'\r';
        tmp[n + 2] = (byte)'\n';
        int headerLength = n + 3;
        const int placeholder = 13;
        int shift = headerLength - placeholder;
        int tail = _length - (at + placeholder);
        if (shift != 0)
        {
            Reserve(Math.Max(shift, 0));
            Buffer.BlockCopy(_buffer, at + placeholder, _buffer, at + headerLength, tail);
            _length += shift;
        }
        tmp[..headerLength].CopyTo(_buffer.AsSpan(at));
    }
}

/// <summary>Number formatting shared by replies and stored values, matching Redis's text forms.</summary>
internal static class NumberFormat
{
    /// <summary>Formats like Redis's "%.17g" with inf/-inf/nan spelled as Redis does.</summary>
    public static int FormatDouble(double value, Span<byte> destination)
    {
        if (double.IsPositiveInfinity(value))
        {
            "inf"u8.CopyTo(destination);
            return 3;
        }
        if (double.IsNegativeInfinity(value))
        {
            "-inf"u8.CopyTo(destination);
            return 4;
        }
        if (double.IsNaN(value))
        {
            "nan"u8.CopyTo(destination);
            return 3;
        }
        return FormatG17(value, destination);
    }

    /// <summary>
    /// C's %.17g into bytes without allocating: the 17 significant digits of "E16", then placed in fixed or
    /// exponent form as printf does, trailing zeros trimmed. Finite values only; needs up to 25 bytes.
    /// </summary>
    public static int FormatG17(double value, Span<byte> destination)
    {
        if (value == 0)
        {
            ReadOnlySpan<byte> zero = double.IsNegative(value) ? "-0"u8 : "0"u8;
            zero.CopyTo(destination);
            return zero.Length;
        }
        Span<byte> e = stackalloc byte[32];
        value.TryFormat(e, out int len, "E16", CultureInfo.InvariantCulture);
        int at = 0;
        int p = 0;
        if (e[0] == (byte)'-')
        {
            destination[at++] = (byte)'-';
            p = 1;
        }
        // e[p] is the first digit, e[p+1] the point, e[p+2 .. p+17] the other 16 digits, then 'E', sign, exponent.
        Span<byte> digits = stackalloc byte[17];
        digits[0] = e[p];
        e.Slice(p + 2, 16).CopyTo(digits[1..]);
        int exponent = 0;
        for (int i = p + 20; i < len; i++)
        {
            exponent = exponent * 10 + (e[i] - '0');
        }
        if (e[p + 19] == (byte)'-')
        {
            exponent = -exponent;
        }
        int significant = 17;
        while (significant > 1 && digits[significant - 1] == (byte)'0')
        {
            significant--;
        }
        if (exponent < -4 || exponent >= 17)
        {
            destination[at++] = digits[0];
            if (significant > 1)
            {
                destination[at++] = (byte)'.';
                digits[1..significant].CopyTo(destination[at..]);
                at += significant - 1;
            }
            destination[at++] = (byte)'e';
            destination[at++] = exponent < 0 ? (byte)'-' : (byte)'+';
            int abs = Math.Abs(exponent);
            if (abs >= 100)
            {
                destination[at++] = (byte)('0' + abs / 100);
            }
            destination[at++] = (byte)('0' + abs / 10 % 10);
            destination[at++] = (byte)('0' + abs % 10);
            return at;
        }
        if (exponent < 0)
        {
            destination[at++] = (byte)'0';
            destination[at++] = (byte)'.';
            for (int i = -1; i > exponent; i--)
            {
                destination[at++] = (byte)'0';
            }
            digits[..significant].CopyTo(destination[at..]);
            return at + significant;
        }
        // exponent + 1 digits before the point (17 digits cover every case here, exponent < 17).
        digits[..(exponent + 1)].CopyTo(destination[at..]);
        at += exponent + 1;
        if (significant > exponent + 1)
        {
            destination[at++] = (byte)'.';
            digits[(exponent + 1)..significant].CopyTo(destination[at..]);
            at += significant - exponent - 1;
        }
        return at;
    }

    /// <summary>C's %.17g: 17 significant digits, exponent form when exp &lt; -4 or ≥ 17, trailing zeros trimmed.</summary>
    public static string FormatG17(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }
        string e = value.ToString("E16", CultureInfo.InvariantCulture);
        int ePos = e.IndexOf('E');
        int exponent = int.Parse(e.AsSpan(ePos + 1), CultureInfo.InvariantCulture);
        if (exponent < -4 || exponent >= 17)
        {
            string mantissa = e[..ePos];
            if (mantissa.Contains('.'))
            {
                mantissa = mantissa.TrimEnd('0').TrimEnd('.');
            }
            string sign = exponent < 0 ? "-" : "+";
            int abs = Math.Abs(exponent);
            return mantissa + "e" + sign + (abs < 10 ? "0" : "") + abs.ToString(CultureInfo.InvariantCulture);
        }
        string fixedText = value.ToString("F" + Math.Max(0, 16 - exponent), CultureInfo.InvariantCulture);
        if (fixedText.Contains('.'))
        {
            fixedText = fixedText.TrimEnd('0').TrimEnd('.');
        }
        return fixedText;
    }
}
