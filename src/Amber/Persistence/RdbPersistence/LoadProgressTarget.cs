using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Amber.Diagnostics;
using Amber.Persistence.Rdb.Reading;

namespace Amber.Persistence.RdbPersistence;

/// <summary>
/// Wraps the target that stores keys: counts them for the loading progress and logs the AUX fields Redis logs
/// (producer version, age, memory when created; '%' fields), and reads used-mem for loading_rdb_used_mem.
/// </summary>
internal sealed class LoadProgressTarget(IRdbLoadTarget inner, LoadingState loading, ServerLog log) : IRdbLoadTarget
{
    private long _keys;

    /// <summary>Keys stored so far (read by the progress callback on the reading thread; a pipelined load stores keys on another).</summary>
    public long KeysLoaded => Volatile.Read(ref _keys);

    public void OnAuxField(byte[] key, byte[] value, long offset)
    {
        string name = Encoding.UTF8.GetString(key);
        switch (name)
        {
            case "redis-ver":
                log.Notice($"Loading RDB produced by version {Encoding.UTF8.GetString(value)}");
                break;
            case "ctime" when TryParse(value, out long ctime):
                log.Notice($"RDB age {Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - ctime)} seconds");
                break;
            case "aof-base" when TryParse(value, out long aofBase) && aofBase != 0:
                log.Notice("RDB is base AOF");
                break;
            case "used-mem" when TryParse(value, out long usedMem):
                loading.RdbUsedMemory = usedMem;
                log.Notice(string.Create(CultureInfo.InvariantCulture, $"RDB memory usage when created {usedMem / 1024.0 / 1024.0:F2} Mb"));
                break;
        }
        if (name.StartsWith('%'))
        {
            // Fields meant for humans: Redis logs them.
            log.Notice($"RDB '{name[1..]}': {Encoding.UTF8.GetString(value)}");
        }
        inner.OnAuxField(key, value, offset);
    }

    private static bool TryParse(byte[] value, out long number) =>
        Utf8Parser.TryParse(value, out number, out int used) && used == value.Length;

    public void OnSelectDb(int db, long offset) => inner.OnSelectDb(db, offset);

    public void OnResizeDb(long dbSize, long expiresSize) => inner.OnResizeDb(dbSize, expiresSize);

    public bool OnKey(in RdbKeyRecord record)
    {
        if (!inner.OnKey(record))
        {
            return false;
        }
        Volatile.Write(ref _keys, _keys + 1);
        return true;
    }
}
