using Amber.Keyspace;
using Amber.Persistence.Storage;
using Amber.Propagation;
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
    private readonly RespCommandBuilder _out = new(64 * 1024);

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
            _out.AppendRaw(System.Text.Encoding.ASCII.GetBytes(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"#TS:{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}\r\n")));
        }
        Span<byte> scratch = stackalloc byte[32];
        foreach (Database db in databases)
        {
            if (db.Count == 0)
            {
                continue;
            }
            _out.Begin(2);
            _out.Arg("SELECT"u8);
            _out.Arg(db.Index);
            foreach (Entry e in db.Table.All())
            {
                WriteKey(e, scratch);
                if (e.HasExpiry)
                {
                    _out.Begin(3);
                    _out.Arg("PEXPIREAT"u8);
                    _out.Arg(e.Key);
                    _out.Arg(e.ExpireAtMs);
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
                _out.Arg("SET"u8);
                _out.Arg(e.Key);
                _out.Arg(s);
                break;
            case QuickList list:
                {
                    long left = list.Count;
                    ListCursor cursor = list.HeadCursor();
                    while (left > 0)
                    {
                        int n = (int)Math.Min(left, ItemsPerCommand);
                        _out.Begin(2 + n);
                        _out.Arg("RPUSH"u8);
                        _out.Arg(e.Key);
                        for (int i = 0; i < n && list.Next(ref cursor, out ReadOnlySpan<byte> element); i++)
                        {
                            _out.Arg(element);
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
                        _out.Arg("SADD"u8);
                        _out.Arg(e.Key);
                        for (int i = 0; i < n; i++)
                        {
                            _out.Arg(set.MemberAt(start + i, member));
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
                        _out.Arg("ZADD"u8);
                        _out.Arg(e.Key);
                        for (int i = 0; i < n; i++, h = zset.Next(h))
                        {
                            _out.Arg(FormatScore(zset.ScoreAt(h), scratch));
                            _out.Arg(zset.MemberAt(h));
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
                        _out.Arg("HMSET"u8);
                        _out.Arg(e.Key);
                        for (int i = 0; i < n && pairs.MoveNext(); i++)
                        {
                            _out.Arg(pairs.Field);
                            _out.Arg(pairs.Value);
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
            _out.Clear();
        }
    }
}
