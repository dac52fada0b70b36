using System.Globalization;
using System.Text;

namespace Amber.Text;

/// <summary>
/// Quotes bytes as redis-server's sdscatrepr does: "..." with \\ \" \n \r \t \a \b escaped and \xHH for other
/// non-printable bytes. Used by CONFIG REWRITE / CONFIG GET output and MONITOR lines.
/// </summary>
internal static class CRepr
{
    public static StringBuilder AppendQuoted(StringBuilder sb, ReadOnlySpan<byte> value)
    {
        sb.Append('"');
        foreach (byte b in value)
        {
            switch (b)
            {
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case (byte)'\a': sb.Append("\\a"); break;
                case (byte)'\b': sb.Append("\\b"); break;
                default:
                    if (b >= 0x20 && b < 0x7f)
                    {
                        sb.Append((char)b);
                    }
                    else
                    {
                        sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    break;
            }
        }
        return sb.Append('"');
    }
}
