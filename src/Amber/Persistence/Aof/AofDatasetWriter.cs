using Amber.Keyspace;
using Amber.Persistence.Storage;
using Amber.Types;

namespace Amber.Persistence.Aof;

/// <summary>
/// The dataset as RESP commands: Redis's rewrite format with aof-use-rdb-preamble no. Optional "#TS:" annotation,
/// then per non-empty database a SELECT and per key SET / RPUSH / SADD / ZADD / HMSET (at most 64 items per command,
/// upper-case names, scores as %.17g), then PEXPIREAT for a key with a TTL. Used for an AOF-format base.
/// Caller holds the keyspace lock for the whole walk (not yet fork-less: the snapshotter will take this over).
/// </summary>
internal sealed class AofDatasetWriter
{
    /// <summary>Redis's AOF_REWRITE_ITEMS_PER_CMD.</summary>
    public const int ItemsPerCommand = 64;

    private const int FlushThreshold = 256 * 1024;

    private readonly IWritableFile _file;
    private readonly RespCommandBuilder _out = new();

    public AofDatasetWriter(IWritableFile file)
    {
        _file = file;
    }

    public long BytesWritten { get; private set; }

    /// <summary>Writes every key of every database, then flushes; the caller fsyncs and renames.</summary>
    public void Write(Database[] databases, bool timestampAnnotation)
    {
        if (timestampAnnotation)
        {
            _out.Raw("#TS:"u8);
            _out.Number(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            _out.Raw("\r\n"u8);
        }
        Span<byte> scratch = stackalloc byte[32];
        foreach (Database db in databases)
        {
            if (db.Count == 0)
            {
                continue;
            }
            _out.Begin(2);
            _out.Bulk("SELECT"u8);
            _out.Bulk(db.Index);
            foreach (Entry e in db.Table.All())
            {
                WriteKey(e, scratch);
                if (e.HasExpiry)
                {
                    _out.Begin(3);
                    _out.Bulk("PEXPIREAT"u8);
                    _out.Bulk(e.Key);
                    _out.Bulk(e.ExpireAtMs);
                }
                FlushIfLarge();
            }
        }
        Flush();
    }

    private void WriteKey(Entry e, Span<byte> scratch)
    {
        switch (e.Value)
        {
            case byte[] s:
                _out.Begin(3);
                _out.Bulk("SET"u8);
                _out.Bulk(e.Key);
                _out.Bulk(s);
                break;
            case QuickList list:
                {
                    long left = list.Count;
                    ListCursor cursor = list.HeadCursor();
                    while (left > 0)
                    {
                        int n = (int)Math.Min(left, ItemsPerCommand);
                        _out.Begin(2 + n);
                        _out.Bulk("RPUSH"u8);
                        _out.Bulk(e.Key);
                        for (int i = 0; i < n && list.Next(ref cursor, out ReadOnlySpan<byte> element); i++)
                        {
                            _out.Bulk(element);
                        }
                        left -= n;
                        FlushIfLarge();
                    }
                    break;
                }
            case SetValue set:
                {
                    int count = set.Count;
                    Span<byte> member = stackalloc byte[SetValue.ScratchSize];
                    for (int start = 0; start < count; start += ItemsPerCommand)
                    {
                        int n = Math.Min(count - start, ItemsPerCommand);
                        _out.Begin(2 + n);
                        _out.Bulk("SADD"u8);
                        _out.Bulk(e.Key);
                        for (int i = 0; i < n; i++)
                        {
                            _out.Bulk(set.MemberAt(start + i, member));
                        }
                        FlushIfLarge();
                    }
                    break;
                }
            case SortedSet zset:
                {
                    int left = zset.Count;
                    int h = zset.First();
                    while (left > 0)
                    {
                        int n = Math.Min(left, ItemsPerCommand);
                        _out.Begin(2 + n * 2);
                        _out.Bulk("ZADD"u8);
                        _out.Bulk(e.Key);
                        for (int i = 0; i < n; i++, h = zset.Next(h))
                        {
                            _out.Bulk(FormatScore(zset.ScoreAt(h), scratch));
                            _out.Bulk(zset.MemberAt(h));
                        }
                        left -= n;
                        FlushIfLarge();
                    }
                    break;
                }
            case HashValue hash:
                {
                    int left = hash.Count;
                    HashValue.PairEnumerator pairs = hash.GetEnumerator();
                    while (left > 0)
                    {
                        int n = Math.Min(left, ItemsPerCommand);
                        _out.Begin(2 + n * 2);
                        _out.Bulk("HMSET"u8);
                        _out.Bulk(e.Key);
                        for (int i = 0; i < n && pairs.MoveNext(); i++)
                        {
                            _out.Bulk(pairs.Field);
                            _out.Bulk(pairs.Value);
                        }
                        left -= n;
                        FlushIfLarge();
                    }
                    break;
                }
            default:
                throw new InvalidOperationException($"Cannot write a value of type {e.Value.GetType().Name} to the AOF");
        }
    }

    private static ReadOnlySpan<byte> FormatScore(double score, Span<byte> scratch)
    {
        if (double.IsPositiveInfinity(score))
        {
            return "inf"u8;
        }
        if (double.IsNegativeInfinity(score))
        {
            return "-inf"u8;
        }
        int n = Protocol.NumberFormat.FormatG17(score, scratch);
        return scratch[..n];
    }

    private void FlushIfLarge()
    {
        if (_out.Length >= FlushThreshold)
        {
            Flush();
        }
    }

    private void Flush()
    {
        if (_out.Length > 0)
        {
            _file.Write(_out.Written);
            BytesWritten += _out.Length;
            _out.Reset();
        }
    }
}
