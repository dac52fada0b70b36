using System.Buffers;
using Amber.Protocol;

namespace Amber.Persistence.Aof;

internal enum AofReadStatus
{
    /// <summary>A complete command is in the argument list.</summary>
    Command,

    /// <summary>The file ended cleanly between commands.</summary>
    EndOfFile,

    /// <summary>The file ends inside a command (a torn write), or in zero bytes from a command boundary on (blocks
    /// allocated but never written before a power loss). <see cref="AofCommandReader.CommandStart"/> is where.</summary>
    Truncated,

    /// <summary>Bytes that are not the AOF's RESP form; <see cref="AofCommandReader.Error"/> says what, at <see cref="AofCommandReader.ErrorOffset"/>.</summary>
    BadFormat,

    /// <summary>The <see cref="AofCommandReader.AnnotationHandler"/> asked to stop at the annotation starting at <see cref="AofCommandReader.CommandStart"/>.</summary>
    Stopped,
}

/// <summary>Sees a '#' annotation line (without its line end) at its file offset; returns false to stop reading there.</summary>
internal delegate bool AofAnnotationHandler(ReadOnlySpan<byte> line, long offset);

/// <summary>
/// Reads the commands of an AOF file (RESP multibulk arrays, '#' annotation lines skipped) from a stream, with the
/// file offset of each, telling a torn tail apart from damage. Arguments are slices into a pooled buffer, valid
/// until the next read.
/// </summary>
internal sealed class AofCommandReader : IDisposable
{
    private const int LineLimit = 1024;
    private readonly Stream _stream;
    private byte[] _buf = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _start;
    private int _end;
    private long _bufferFileOffset;
    private bool _eof;

    public AofCommandReader(Stream stream, long startOffset = 0)
    {
        _stream = stream;
        _bufferFileOffset = startOffset;
    }

    /// <summary>Offset of the command just read (or of the torn/bad one).</summary>
    public long CommandStart { get; private set; }

    /// <summary>Offset just after the last complete command read.</summary>
    public long Position => _bufferFileOffset + _start;

    public string? Error { get; private set; }

    /// <summary>Optional: shown each annotation line (amber-check-aof's --truncate-to-timestamp reads the #TS: ones).</summary>
    public AofAnnotationHandler? AnnotationHandler { get; set; }

    public long ErrorOffset { get; private set; }

    public AofReadStatus Read(ArgList args)
    {
        while (true)
        {
            args.Clear();
            CommandStart = _bufferFileOffset + _start;
            int pos = _start;
            ParseResult r = TryParse(ref pos, args);
            if (r == ParseResult.Complete)
            {
                _start = pos;
                return AofReadStatus.Command;
            }
            if (r == ParseResult.Annotation)
            {
                if (AnnotationHandler != null && !AnnotationHandler(_buf.AsSpan(_start, pos - _start).TrimEnd("\r\n"u8), CommandStart))
                {
                    return AofReadStatus.Stopped;
                }
                _start = pos;
                continue;
            }
            if (r == ParseResult.Bad)
            {
                return AofReadStatus.BadFormat;
            }
            // Incomplete: read more, or decide what the end of the file means.
            if (_eof)
            {
                if (_start == _end)
                {
                    return AofReadStatus.EndOfFile;
                }
                return AofReadStatus.Truncated;
            }
            Fill();
        }
    }

    private enum ParseResult
    {
        Complete,
        Annotation,
        Incomplete,
        Bad,
    }

    private ParseResult TryParse(ref int pos, ArgList args)
    {
        if (pos >= _end)
        {
            return ParseResult.Incomplete;
        }
        byte first = _buf[pos];
        if (first == (byte)'#')
        {
            int nl = Array.IndexOf(_buf, (byte)'\n', pos, _end - pos);
            if (nl < 0)
            {
                return _end - pos > LineLimit ? Bad(pos, "Annotation line too long") : ParseResult.Incomplete;
            }
            pos = nl + 1;
            return ParseResult.Annotation;
        }
        if (first == 0 && RestIsZero(pos))
        {
            // Zero padding after a power loss: wait for the whole rest of the file, then it is a torn tail.
            return ParseResult.Incomplete;
        }
        if (first != (byte)'*')
        {
            return Bad(pos, $"Expected '*', got: '{Printable(first)}'");
        }
        int lineStart = pos;
        if (!TryReadNumberLine(ref pos, out long argc, out ParseResult failure))
        {
            return failure == ParseResult.Bad ? Bad(lineStart, "Invalid multibulk length") : failure;
        }
        if (argc < 1 || argc > int.MaxValue)
        {
            return Bad(lineStart, "Invalid multibulk length");
        }
        for (long i = 0; i < argc; i++)
        {
            if (pos >= _end)
            {
                return ParseResult.Incomplete;
            }
            if (_buf[pos] != (byte)'$')
            {
                if (_buf[pos] == 0 && RestIsZero(pos))
                {
                    return ParseResult.Incomplete;
                }
                return Bad(pos, $"Expected prefix '$', got: '{Printable(_buf[pos])}'");
            }
            int bulkStart = pos;
            if (!TryReadNumberLine(ref pos, out long len, out failure))
            {
                return failure == ParseResult.Bad ? Bad(bulkStart, "Invalid bulk length") : failure;
            }
            if (len < 0 || len > Array.MaxLength - 2)
            {
                return Bad(bulkStart, "Invalid bulk length");
            }
            if (_end - pos < len + 2)
            {
                // Fill grows the buffer as the bulk arrives; a damaged length never allocates more than the file holds.
                return ParseResult.Incomplete;
            }
            if (_buf[pos + (int)len] != (byte)'\r' || _buf[pos + (int)len + 1] != (byte)'\n')
            {
                if (RestIsZero(pos + (int)len))
                {
                    return ParseResult.Incomplete;
                }
                return Bad(pos + len, "Expected \\r\\n after the bulk string");
            }
            args.Add(_buf, pos, (int)len);
            pos += (int)len + 2;
        }
        return ParseResult.Complete;
    }

    /// <summary>Reads "X&lt;digits&gt;\r\n" (X already checked) at pos.</summary>
    private bool TryReadNumberLine(ref int pos, out long value, out ParseResult failure)
    {
        value = 0;
        failure = ParseResult.Incomplete;
        int nl = Array.IndexOf(_buf, (byte)'\n', pos, Math.Min(_end - pos, LineLimit));
        if (nl < 0)
        {
            if (_end - pos >= LineLimit)
            {
                failure = ParseResult.Bad;
            }
            return false;
        }
        if (nl - pos < 3 || _buf[nl - 1] != (byte)'\r' ||
            !Utf8ParserLong(_buf.AsSpan(pos + 1, nl - 1 - (pos + 1)), out value))
        {
            failure = ParseResult.Bad;
            return false;
        }
        pos = nl + 1;
        return true;
    }

    private static bool Utf8ParserLong(ReadOnlySpan<byte> digits, out long value) =>
        System.Buffers.Text.Utf8Parser.TryParse(digits, out value, out int consumed) && consumed == digits.Length;

    /// <summary>True when every byte from pos to the end of the file is zero (needs the whole rest buffered, so
    /// it answers false while more of the file is unread and the buffered part is all zero: the caller then asks for more).</summary>
    private bool RestIsZero(int pos) => _buf.AsSpan(pos, _end - pos).IndexOfAnyExcept((byte)0) < 0;

    private ParseResult Bad(long bufferPos, string message)
    {
        Error = message;
        ErrorOffset = _bufferFileOffset + bufferPos;
        return ParseResult.Bad;
    }

    private static string Printable(byte b) => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}";

    private void EnsureCapacityFor(long needed)
    {
        if (needed > _buf.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, (long)_buf.Length * 2), Array.MaxLength));
            Buffer.BlockCopy(_buf, _start, bigger, 0, _end - _start);
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = bigger;
            _bufferFileOffset += _start;
            _end -= _start;
            _start = 0;
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
            _bufferFileOffset += _start;
            _end -= _start;
            _start = 0;
        }
        if (_end == _buf.Length)
        {
            EnsureCapacityFor((long)_buf.Length * 2);
        }
        int n = _stream.Read(_buf, _end, _buf.Length - _end);
        if (n == 0)
        {
            _eof = true;
        }
        _end += n;
    }

    public void Dispose()
    {
        if (_buf.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = [];
        }
    }
}
