using Amber.Persistence.Storage;

namespace Amber.Tests.Persistence;

/// <summary>
/// The real file system with faults switched on per instance (DESIGN §7): writes fail with ENOSPC after a byte budget,
/// fsync or rename fail, and gates hold a writer or a reader until the test releases them (to observe a BGSAVE or
/// a load in progress without timing).
/// </summary>
internal sealed class FaultyFileSystem : IFileSystem
{
    private readonly OsFileSystem _os = OsFileSystem.Instance;

    /// <summary>Writes to files whose name starts with "temp-" fail once this many bytes were written to one file (null: never).</summary>
    public long? FailWritesAfterBytes { get; set; }
    public bool FailSync { get; set; }
    public bool FailRename { get; set; }
    public bool FailDirectorySync { get; set; }

    /// <summary>When set, a write to a temp file waits for it first (the save is "in progress" until the test sets it).</summary>
    public ManualResetEventSlim? WriteGate { get; set; }

    /// <summary>Set when a write reached <see cref="WriteGate"/>.</summary>
    public ManualResetEventSlim WriteReachedGate { get; } = new();

    /// <summary>When set, reads past <see cref="ReadGateOffset"/> wait for it (a load stays "in progress").</summary>
    public ManualResetEventSlim? ReadGate { get; set; }
    public long ReadGateOffset { get; set; }
    public ManualResetEventSlim ReadReachedGate { get; } = new();

    /// <summary>When set, only files whose name ends with this are gated (an AOF's incr file, not its base).</summary>
    public string? ReadGateFileSuffix { get; set; }

    public static IOException NoSpace() => new("No space left on device", unchecked((int)0x8007001C));

    public IWritableFile Create(string path) => new FaultyFile(this, _os.Create(path));

    public IWritableFile OpenAppend(string path) => new FaultyFile(this, _os.OpenAppend(path));

    public Stream OpenRead(string path) =>
        ReadGate == null || (ReadGateFileSuffix != null && !path.EndsWith(ReadGateFileSuffix, StringComparison.Ordinal))
            ? _os.OpenRead(path)
            : new GatedStream(this, _os.OpenRead(path));

    public bool FileExists(string path) => _os.FileExists(path);

    public long FileLength(string path) => _os.FileLength(path);

    public void Rename(string source, string destination)
    {
        if (FailRename)
        {
            throw new IOException("Input/output error");
        }
        _os.Rename(source, destination);
    }

    public void Delete(string path) => _os.Delete(path);

    public void SyncDirectory(string directory)
    {
        if (FailDirectorySync)
        {
            throw new IOException("Input/output error");
        }
        _os.SyncDirectory(directory);
    }

    public void CreateDirectory(string path) => _os.CreateDirectory(path);

    public bool DirectoryExists(string path) => _os.DirectoryExists(path);

    public void Truncate(string path, long length) => _os.Truncate(path, length);

    private sealed class FaultyFile(FaultyFileSystem fs, IWritableFile inner) : IWritableFile
    {
        private long _written;

        public string Path => inner.Path;
        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data)
        {
            if (fs.WriteGate is { } gate)
            {
                fs.WriteReachedGate.Set();
                Assert.True(gate.Wait(TimeSpan.FromSeconds(30)), "the test never opened the write gate");
            }
            if (fs.FailWritesAfterBytes is long budget && _written + data.Length > budget)
            {
                // Like a disk that fills up: what fits is written, then ENOSPC.
                int fits = (int)Math.Max(0, budget - _written);
                inner.Write(data[..fits]);
                _written += fits;
                throw NoSpace();
            }
            inner.Write(data);
            _written += data.Length;
        }

        public void Sync()
        {
            if (fs.FailSync)
            {
                throw new IOException("Input/output error");
            }
            inner.Sync();
        }

        public void Dispose() => inner.Dispose();
    }

    private sealed class GatedStream(FaultyFileSystem fs, Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long position = inner.Position;
            if (fs.ReadGate is { } gate && position + buffer.Length > fs.ReadGateOffset)
            {
                if (position < fs.ReadGateOffset)
                {
                    // Up to the gate first, so the loader makes visible progress before it waits.
                    return inner.Read(buffer[..(int)(fs.ReadGateOffset - position)]);
                }
                fs.ReadReachedGate.Set();
                Assert.True(gate.Wait(TimeSpan.FromSeconds(30)), "the test never opened the read gate");
            }
            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
