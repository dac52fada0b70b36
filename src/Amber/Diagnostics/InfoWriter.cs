using System.Globalization;
using System.Text;

namespace Amber.Diagnostics;

/// <summary>Appends INFO "name:value" lines (CRLF-terminated), formatting numbers the way Redis's printf does.</summary>
internal sealed class InfoWriter
{
    private readonly StringBuilder _text = new(4096);

    public int Length => _text.Length;

    public void Header(string title) => _text.Append("# ").Append(title).Append("\r\n");

    public void Blank() => _text.Append("\r\n");

    public void Field(string name, string value) => _text.Append(name).Append(':').Append(value).Append("\r\n");

    public void Field(string name, long value) => _text.Append(name).Append(':').Append(value.ToString(CultureInfo.InvariantCulture)).Append("\r\n");

    /// <summary>A "%.2f" field (ratios, kbps).</summary>
    public void Field2(string name, double value) => Field(name, value.ToString("F2", CultureInfo.InvariantCulture));

    /// <summary>A raw line (already formatted as "name:a=1,b=2").</summary>
    public void Line(string line) => _text.Append(line).Append("\r\n");

    public override string ToString() => _text.ToString();
}

/// <summary>
/// Supplies INFO's persistence section. Persistence code installs its own implementation on
/// <see cref="Server.AmberServer.PersistenceInfo"/> (Persistence/RdbPersistence/PersistenceSection).
/// </summary>
internal interface IPersistenceInfo
{
    void WriteInfo(InfoWriter w);
}
