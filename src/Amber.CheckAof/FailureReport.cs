using System.Globalization;

namespace Amber.CheckAof;

/// <summary>
/// Describes the command the engine's reader rejected the way redis-check-aof 7.0 reports it: it re-reads that one
/// command with redis-check-aof's line-by-line steps (a line of at most 127 bytes, strtol, then the bulk and its
/// CRLF) to give its message, the offset of its last read, and how many lines it got through. The verdict and
/// ok_up_to stay the engine reader's; this only shapes the error line and ok_up_to_line.
/// </summary>
internal sealed class FailureReport(Stream stream, long size)
{
    private const int LineMax = 127;
    // redis-check-aof reads lines into a stack buffer; a '*' line's leftovers are those of the previous '*' line.
    private readonly byte[] _argcLine = new byte[LineMax + 1];
    private readonly byte[] _bulkLine = new byte[LineMax + 1];
    private long _pos;

    /// <summary>Offset of the last read attempted (where an EOF on a line boundary was met).</summary>
    public long LastReadAt { get; private set; }

    /// <summary>Lines of the failing command consumed before the failure.</summary>
    public long Lines { get; private set; }

    /// <summary>The error line, or null when redis-check-aof prints none (the file ends on a line boundary).</summary>
    public string? Error { get; private set; }

    /// <summary>The previous '*' and '$' lines (empty when none): a short line's CRLF check shows their leftover bytes.</summary>
    public static FailureReport Of(Stream stream, long size, long commandStart, ReadOnlySpan<byte> previousArgcLine, ReadOnlySpan<byte> previousBulkLine)
    {
        var report = new FailureReport(stream, size) { _pos = commandStart };
        previousArgcLine[..Math.Min(previousArgcLine.Length, LineMax)].CopyTo(report._argcLine);
        previousBulkLine[..Math.Min(previousBulkLine.Length, LineMax)].CopyTo(report._bulkLine);
        report.ReadCommand();
        return report;
    }

    public static string At(long offset, string message) =>
        "0x" + offset.ToString("x", CultureInfo.InvariantCulture).PadLeft(16) + ": " + message;

    private void ReadCommand()
    {
        if (!ReadNumber('*', out long argc))
        {
            return;
        }
        for (long i = 0; i < argc; i++)
        {
            if (!ReadNumber('$', out long len))
            {
                return;
            }
            if (len < 0 || len > long.MaxValue - 2)
            {
                Error = At(_pos, $"Expected to read string of {len} bytes, which is not in the suitable range");
                return;
            }
            long start = _pos;
            LastReadAt = start;
            long available = size - start;
            if (available < len + 2)
            {
                Error = At(start, $"Expected to read {len + 2} bytes, got {available} bytes");
                return;
            }
            _pos = start + len + 2;
            int cr = ByteAt(start + len);
            int lf = ByteAt(start + len + 1);
            if (cr != '\r' || lf != '\n')
            {
                Error = At(start, $"Expected \\r\\n, got: {Hex(cr)}{Hex(lf)}");
                return;
            }
            Lines++;
        }
    }

    /// <summary>One line (to '\n' or 127 bytes) starting with <paramref name="prefix"/>, a number, then CRLF.</summary>
    private bool ReadNumber(char prefix, out long value)
    {
        value = 0;
        long lineStart = _pos;
        LastReadAt = lineStart;
        if (lineStart >= size)
        {
            return false;
        }
        stream.Position = lineStart;
        byte[] line = prefix == '*' ? _argcLine : _bulkLine;
        if (prefix == '$')
        {
            // Observed: the '$' buffer's leftovers do not survive between reads (the stack is reused meanwhile).
            Array.Clear(line);
        }
        int n = 0;
        while (n < LineMax)
        {
            int b = stream.ReadByte();
            if (b < 0)
            {
                break;
            }
            line[n++] = (byte)b;
            if (b == '\n')
            {
                break;
            }
        }
        line[n] = 0;
        _pos = lineStart + n;
        if (line[0] != prefix)
        {
            Error = At(lineStart, $"Expected prefix '{prefix}', got: '{(char)line[0]}'");
            return false;
        }
        // strtol: leading blanks, a sign, digits; with no digits the number ends where it began.
        int p = 1;
        while (p < n && line[p] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
        {
            p++;
        }
        bool negative = p < n && line[p] == '-';
        if (p < n && line[p] is (byte)'-' or (byte)'+')
        {
            p++;
        }
        int digits = p;
        long v = 0;
        while (p < n && line[p] is >= (byte)'0' and <= (byte)'9')
        {
            v = v > (long.MaxValue - 9) / 10 ? long.MaxValue : v * 10 + (line[p] - '0');
            p++;
        }
        int end = p > digits ? p : 1;
        value = p > digits ? (negative ? -v : v) : 0;
        if (line[end] != '\r' || line[end + 1] != '\n')
        {
            Error = At(lineStart, $"Expected \\r\\n, got: {Hex(line[end])}{Hex(end + 1 < line.Length ? line[end + 1] : 0)}");
            return false;
        }
        Lines++;
        return true;
    }

    private int ByteAt(long offset)
    {
        stream.Position = offset;
        return stream.ReadByte();
    }

    /// <summary>C's %02x of a (signed) char.</summary>
    private static string Hex(int b) => b >= 0x80 ? "ffffff" + b.ToString("x2", CultureInfo.InvariantCulture) : b.ToString("x2", CultureInfo.InvariantCulture);
}
