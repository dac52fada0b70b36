using System.Buffers;

namespace Amber.Keyspace;

/// <summary>
/// The consumer side of a snapshot, outside the keyspace lock: decodes the capture records, has the sink encode the
/// copied strings (and the header, database switches and end), and hands the stream's bytes on. One consumer at a
/// time; the thread it runs on pays for the encoding (a background save lowers its priority, see
/// Persistence/SnapshotThreadPriority).
/// </summary>
internal sealed partial class KeyspaceSnapshot
{
    private readonly bool[] _visited;
    private readonly FlushingBufferWriter _encoded;
    private int _encodedDb = -1;
    private bool _begun;
    private bool _ended;

    /// <summary>
    /// Encodes every record published so far and passes the bytes to <paramref name="write"/>; once the stream is
    /// complete and read, also the sink's end. Throws <see cref="SnapshotAbortedException"/> if the snapshot was
    /// aborted; if the sink or <paramref name="write"/> throws, aborts the snapshot and rethrows. A background save
    /// yields the CPU between chunks, and stops there (leaving the rest for another thread) once
    /// <paramref name="handOver"/> returns true.
    /// </summary>
    internal void DrainReady(Action<ReadOnlySpan<byte>> write, bool yieldBetweenChunks = false, Func<bool>? handOver = null)
    {
        if (_ended)
        {
            Output.ThrowIfFailed();
            return;
        }
        try
        {
            Output.ThrowIfFailed();
            _encoded.Target = write;
            if (!_begun)
            {
                _begun = true;
                _sink.Begin(_encoded);
            }
            while (handOver?.Invoke() != true && Output.TryRead(out SnapshotChunk chunk))
            {
                try
                {
                    Encode(chunk.Span);
                }
                finally
                {
                    Output.Release(chunk);
                }
                if (yieldBetweenChunks)
                {
                    // A background save gives way after each chunk (~0.1 ms of encoding) to any thread waiting
                    // for this CPU: the event thread or a client's process would otherwise wait out its time slice.
                    Thread.Yield();
                }
            }
            Output.ThrowIfFailed();
            if (Output.IsDrained)
            {
                _sink.End(_encoded);
                _encoded.Flush();
                StopEncoding();
                return;
            }
            _encoded.Flush();
        }
        catch (Exception e)
        {
            FailConsumer(e);
            throw;
        }
    }

    /// <summary>The consumer failed or met an abort: stop encoding, and abort the snapshot unless that is why.</summary>
    private void FailConsumer(Exception e)
    {
        StopEncoding();
        if (e is not SnapshotAbortedException)
        {
            Abort(e);
        }
    }

    private void StopEncoding()
    {
        if (!_ended)
        {
            _ended = true;
            _encoded.Dispose();
            Output.Close();
        }
    }

    private void Encode(ReadOnlySpan<byte> records)
    {
        while (!records.IsEmpty)
        {
            int db = CaptureRecord.Database(records);
            if (db != _encodedDb)
            {
                bool first = !_visited[db];
                _visited[db] = true;
                _sink.SelectDatabase(new SnapshotDatabase(db, _keysAtStart[db], _volatileKeysAtStart[db], first), _encoded);
                _encodedDb = db;
            }
            int length;
            if (records[0] == CaptureRecord.StringKind)
            {
                length = CaptureRecord.ReadString(records, out CapturedString captured);
                _sink.WriteString(captured, _encoded);
            }
            else
            {
                length = CaptureRecord.ReadEncoded(records, out ReadOnlySpan<byte> encoded);
                _encoded.Write(encoded);
            }
            records = records[length..];
        }
    }
}
