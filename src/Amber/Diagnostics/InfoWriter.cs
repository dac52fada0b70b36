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
/// <see cref="Server.AmberServer.PersistenceInfo"/>; until then every field has Redis's idle value.
/// </summary>
internal interface IPersistenceInfo
{
    void WriteInfo(InfoWriter w);
}

/// <summary>The persistence section of a server that has never saved or loaded: Redis's field names, idle values.</summary>
internal sealed class IdlePersistenceInfo(Server.AmberServer server) : IPersistenceInfo
{
    public void WriteInfo(InfoWriter w)
    {
        w.Field("loading", 0);
        w.Field("async_loading", 0);
        w.Field("current_cow_peak", 0);
        w.Field("current_cow_size", 0);
        w.Field("current_cow_size_age", 0);
        w.Field("current_fork_perc", "0.00");
        w.Field("current_save_keys_processed", 0);
        w.Field("current_save_keys_total", 0);
        w.Field("rdb_changes_since_last_save", server.Dirty);
        w.Field("rdb_bgsave_in_progress", 0);
        w.Field("rdb_last_save_time", server.LastSaveUnixSeconds);
        w.Field("rdb_last_bgsave_status", "ok");
        w.Field("rdb_last_bgsave_time_sec", -1);
        w.Field("rdb_current_bgsave_time_sec", -1);
        w.Field("rdb_saves", 0);
        w.Field("rdb_last_cow_size", 0);
        w.Field("rdb_last_load_keys_expired", 0);
        w.Field("rdb_last_load_keys_loaded", 0);
        server.Aof.WriteStatus(w);
        w.Field("module_fork_in_progress", 0);
        w.Field("module_fork_last_cow_size", 0);
        server.Aof.WriteSizes(w);
    }
}
