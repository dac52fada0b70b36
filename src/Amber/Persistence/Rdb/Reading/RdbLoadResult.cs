namespace Amber.Persistence.Rdb.Reading;

/// <summary>What a load read: counts as Redis reports them (INFO rdb_last_load_keys_*, redis-check-rdb's [info] lines).</summary>
internal sealed class RdbLoadResult
{
    /// <summary>The RDB format version in the header.</summary>
    public int Version { get; set; }

    /// <summary>Keys handed to the target (rdb_last_load_keys_loaded).</summary>
    public long KeysLoaded { get; set; }

    /// <summary>Keys dropped because their expiry had passed (rdb_last_load_keys_expired).</summary>
    public long KeysExpired { get; set; }

    /// <summary>Keys whose name was read, including one whose value then failed (redis-check-rdb's "keys read").</summary>
    public long KeysRead { get; set; }

    /// <summary>Keys that had an expiry (redis-check-rdb's "expires").</summary>
    public long KeysWithExpiry { get; set; }

    /// <summary>Keys whose expiry was already past when read, dropped or not (redis-check-rdb's "already expired").</summary>
    public long KeysAlreadyExpired { get; set; }

    /// <summary>Empty collections skipped.</summary>
    public long EmptyKeysSkipped { get; set; }

    /// <summary>Bytes consumed, up to and including the checksum.</summary>
    public long BytesRead { get; set; }

    /// <summary>AUX fields in file order (redis-ver, ctime, used-mem, repl-id, repl-offset, aof-base ...).</summary>
    public List<KeyValuePair<string, byte[]>> AuxFields { get; } = [];

    /// <summary>True when a non-zero checksum was present and matched; false when it was zero, absent (v &lt; 5) or not verified.</summary>
    public bool ChecksumVerified { get; set; }

    /// <summary>Keys loaded per RDB type byte (index = type), for amber-check-rdb's summary.</summary>
    public long[] KeysByType { get; } = new long[20];

    /// <summary>The value of an AUX field by name, or null.</summary>
    public byte[]? Aux(string name)
    {
        foreach (KeyValuePair<string, byte[]> field in AuxFields)
        {
            if (field.Key == name)
            {
                return field.Value;
            }
        }
        return null;
    }
}
