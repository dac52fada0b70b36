using Amber.Keyspace;
using Amber.Persistence.Storage;
using Amber.Propagation;
using Amber.Types;

namespace Amber.Persistence.Aof;

/// <summary>
/// The dataset as RESP commands: Redis's rewrite format with aof-use-rdb-preamble no. Optional "#TS:" annotation,
/// then per non-empty database a SELECT and per key SET / RPUSH / SADD / ZADD / HMSET (at most 64 items per command,
/// upper-case names, scores as %.17g), then PEXPIREAT for a key with a TTL. Used for an AOF-format base.
/// The synchronous walk holds the keyspace lock throughout; BGREWRITEAOF uses <see cref="AofSnapshotSink"/> instead.
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
            WriteTimestamp(_out);
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
                WriteEntry(_out, e, scratch);
                FlushIfLarge();
            }
        }
        Flush();
    }

    /// <summary>
    /// Appends the commands recreating one key (value in batches of <see cref="ItemsPerCommand"/>, then PEXPIREAT
    /// when it has a TTL). Shared by the synchronous writer and the rewrite's snapshot sink.
    /// </summary>
    public static void WriteEntry(RespCommandBuilder output, Entry e, Span<byte> scratch)
    {
        WriteKey(output, e, scratch);
        if (e.HasExpiry)
        {
            output.Begin(3);
            output.Arg("PEXPIREAT"u8);
            output.Arg(e.Key);
            output.Arg(e.ExpireAtMs);
        }
    }

    /// <summary>The commands recreating one string key from its bytes (a snapshot's copy): as <see cref="WriteEntry"/>.</summary>
    public static void WriteString(RespCommandBuilder output, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs)
    {
        output.Begin(3);
        output.Arg("SET"u8);
        output.Arg(key);
        output.Arg(value);
        if (expireAtMs != Entry.NoExpiry)
        {
            output.Begin(3);
            output.Arg("PEXPIREAT"u8);
            output.Arg(key);
            output.Arg(expireAtMs);
        }
    }

    /// <summary>The "#TS:" annotation Redis puts at the start of a rewritten AOF when aof-timestamp-enabled is yes.</summary>
    public static void WriteTimestamp(RespCommandBuilder output) =>
        output.AppendRaw(System.Text.Encoding.ASCII.GetBytes(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"#TS:{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}\r\n")));

    private static void WriteKey(RespCommandBuilder output, Entry e, Span<byte> scratch)
    {
        switch (e.Value)
        {
            case null:
                output.Begin(3);
                output.Arg("SET"u8);
                output.Arg(e.Key);
                output.Arg(e.StringValue);
                break;
            case QuickList list:
                {
                    long left = list.Count;
                    ListCursor cursor = list.HeadCursor();
                    while (left > 0)
                    {
                        int n = (int)Math.Min(left, ItemsPerCommand);
                        output.Begin(2 + n);
                        output.Arg("RPUSH"u8);
                        output.Arg(e.Key);
                        for (int i = 0; i < n && list.Next(ref cursor, out ReadOnlySpan<byte> element); i++)
                        {
                            output.Arg(element);
                        }
                        left -= n;
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
                        output.Begin(2 + n);
                        output.Arg("SADD"u8);
                        output.Arg(e.Key);
                        for (int i = 0; i < n; i++)
                        {
                            output.Arg(set.MemberAt(start + i, member));
                        }
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
                        output.Begin(2 + n * 2);
                        output.Arg("ZADD"u8);
                        output.Arg(e.Key);
                        for (int i = 0; i < n; i++, h = zset.Next(h))
                        {
                            output.Arg(FormatScore(zset.ScoreAt(h), scratch));
                            output.Arg(zset.MemberAt(h));
                        }
                        left -= n;
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
                        output.Begin(2 + n * 2);
                        output.Arg("HMSET"u8);
                        output.Arg(e.Key);
                        for (int i = 0; i < n && pairs.MoveNext(); i++)
                        {
                            output.Arg(pairs.Field);
                            output.Arg(pairs.Value);
                        }
                        left -= n;
                    }
                    break;
                }
            default:
                throw new InvalidOperationException($"Cannot write a value of type {e.Value?.GetType().Name} to the AOF");
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
