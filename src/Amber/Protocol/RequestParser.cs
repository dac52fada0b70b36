using System.Buffers.Text;

namespace Amber.Protocol;

internal enum ParseStatus
{
    Complete,
    Incomplete,
    Error,
}

/// <summary>
/// Finds and decodes one client request (RESP multibulk or an inline line) in the receive buffer.
/// Resumable: a request split across reads keeps its progress, so a large pipeline or a huge bulk is scanned once.
/// </summary>
internal sealed class RequestParser
{
    /// <summary>Longest inline request or count line Redis accepts before declaring the request malformed.</summary>
    public const int InlineMaxSize = 64 * 1024;
    private const int MaxMultibulkLength = int.MaxValue;
    private const int UnauthenticatedMultibulkMax = 10;
    private const int UnauthenticatedBulkMax = 16384;

    private int _multibulkRemaining;
    private long _bulkLength = -1;
    private bool _inMultibulk;
    private byte[] _inlineScratch = new byte[256];

    public long MaxBulkLength { get; set; } = 512L * 1024 * 1024;
    public bool Authenticated { get; set; } = true;

    /// <summary>The error text (without "-ERR ") when <see cref="ParseStatus.Error"/> was returned.</summary>
    public string? Error { get; private set; }

    /// <summary>The size the buffer needs from the current request's start to hold the bulk being read, or 0.</summary>
    public long PendingBulkBytes => _bulkLength >= 0 ? _bulkLength + 2 : 0;

    public bool InMultibulk => _inMultibulk;

    public void Reset()
    {
        _multibulkRemaining = 0;
        _bulkLength = -1;
        _inMultibulk = false;
        Error = null;
    }

    /// <summary>
    /// Parses from <paramref name="pos"/>. On Complete, <paramref name="args"/> holds the request and pos is past it.
    /// On Incomplete, pos is past whatever was fully decoded; args keeps the arguments read so far.
    /// A Complete request with zero arguments (empty inline line, *0) is to be skipped by the caller.
    /// </summary>
    public ParseStatus TryParse(byte[] buf, ref int pos, int end, ArgList args)
    {
        if (!_inMultibulk)
        {
            if (pos >= end)
            {
                return ParseStatus.Incomplete;
            }
            args.Clear();
            if (buf[pos] != (byte)'*')
            {
                return ParseInline(buf, ref pos, end, args);
            }
            int nl = IndexOfCr(buf, pos, end);
            if (nl < 0)
            {
                return end - pos > InlineMaxSize ? Fail("Protocol error: too big mbulk count string") : ParseStatus.Incomplete;
            }
            if (nl + 1 >= end)
            {
                return ParseStatus.Incomplete;
            }
            if (!TryParseLong(buf.AsSpan(pos + 1, nl - pos - 1), out long count) || count > MaxMultibulkLength)
            {
                return Fail("Protocol error: invalid multibulk length");
            }
            if (!Authenticated && count > UnauthenticatedMultibulkMax)
            {
                return Fail("Protocol error: unauthenticated multibulk length");
            }
            pos = nl + 2;
            if (count <= 0)
            {
                return ParseStatus.Complete;
            }
            _inMultibulk = true;
            _multibulkRemaining = (int)count;
            _bulkLength = -1;
        }

        while (_multibulkRemaining > 0)
        {
            if (_bulkLength < 0)
            {
                if (pos >= end)
                {
                    return ParseStatus.Incomplete;
                }
                int nl = IndexOfCr(buf, pos, end);
                if (nl < 0)
                {
                    return end - pos > InlineMaxSize ? Fail("Protocol error: too big bulk count string") : ParseStatus.Incomplete;
                }
                if (nl + 1 >= end)
                {
                    return ParseStatus.Incomplete;
                }
                if (buf[pos] != (byte)'$')
                {
                    return Fail($"Protocol error: expected '$', got '{(char)buf[pos]}'");
                }
                if (!TryParseLong(buf.AsSpan(pos + 1, nl - pos - 1), out long len) || len < 0 || len > MaxBulkLength)
                {
                    return Fail("Protocol error: invalid bulk length");
                }
                if (!Authenticated && len > UnauthenticatedBulkMax)
                {
                    return Fail("Protocol error: unauthenticated bulk length");
                }
                pos = nl + 2;
                _bulkLength = len;
            }
            if (end - pos < _bulkLength + 2)
            {
                return ParseStatus.Incomplete;
            }
            int length = (int)_bulkLength;
            args.Add(buf, pos, length);
            pos += length + 2;
            _bulkLength = -1;
            _multibulkRemaining--;
        }
        _inMultibulk = false;
        return ParseStatus.Complete;
    }

    private ParseStatus ParseInline(byte[] buf, ref int pos, int end, ArgList args)
    {
        // Redis finds the line end with strchr, which stops at a NUL byte: such a line never completes.
        int nl = new ReadOnlySpan<byte>(buf, pos, end - pos).IndexOfAny((byte)'\n', (byte)0);
        nl = nl >= 0 && buf[pos + nl] == (byte)'\n' ? pos + nl : -1;
        if (nl < 0)
        {
            return end - pos > InlineMaxSize ? Fail("Protocol error: too big inline request") : ParseStatus.Incomplete;
        }
        int lineEnd = nl > pos && buf[nl - 1] == (byte)'\r' ? nl - 1 : nl;
        var line = new ReadOnlySpan<byte>(buf, pos, lineEnd - pos);
        if (_inlineScratch.Length < line.Length)
        {
            _inlineScratch = new byte[Math.Max(line.Length, _inlineScratch.Length * 2)];
        }
        if (!InlineSplitter.TrySplit(line, _inlineScratch, args))
        {
            args.Clear();
            return Fail("Protocol error: unbalanced quotes in request");
        }
        pos = nl + 1;
        return ParseStatus.Complete;
    }

    private ParseStatus Fail(string message)
    {
        Error = message;
        return ParseStatus.Error;
    }

    private static int IndexOfCr(byte[] buf, int pos, int end)
    {
        int i = new ReadOnlySpan<byte>(buf, pos, end - pos).IndexOf((byte)'\r');
        return i < 0 ? -1 : pos + i;
    }

    /// <summary>
    /// Parses a RESP length as Redis's string2ll does: an optional '-', then digits with no leading zero
    /// ("0" alone is fine), no '+', no spaces, within 64 bits.
    /// </summary>
    internal static bool TryParseLong(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 20)
        {
            return false;
        }
        if (text.Length == 1 && text[0] == (byte)'0')
        {
            return true;
        }
        int first = text[0] == (byte)'-' ? 1 : 0;
        if (first == text.Length || text[first] < (byte)'1' || text[first] > (byte)'9')
        {
            return false;
        }
        return Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length;
    }
}
