using Amber.Persistence.Storage;
using Amber.Tests.Infrastructure;

namespace Amber.Tests.Infrastructure;

/// <summary>
/// The real file system with faults switched on per instance (DESIGN §7), for RDB and AOF tests alike: failing or
/// short writes (a byte budget per file, or a decision per write), failing, blocked or counted fsyncs, failing renames
/// and directory syncs, and gates that hold a writer or a reader until the test releases them (to observe a save or a
/// load in progress without timing). Errors carry errno in HResult, as .NET's own Unix I/O errors do.
/// </summary>
internal sealed class FaultInjectingFileSystem : IFileSystem
{
    private readonly IFileSystem _inner = OsFileSystem.Instance;
    private long _writes;
    private long _syncs;

    /// <summary>Writes fail with ENOSPC once this many bytes were written to one file (null: never).</summary>
    public long? FailWritesAfterBytes { get; set; }

    /// <summary>Decides a write's fate: null lets it through; otherwise (bytes written first, error thrown).</summary>
    public Func<string, int, (int Written, IOException Error)?>? WriteFault { get; set; }

    public bool FailSync { get; set; }

    /// <summary>Non-null makes fsync throw it (the data was written, but is not known to be durable).</summary>
    public Func<string, IOException?>? SyncFault { get; set; }

    /// <summary>When set, fsync waits until it is signalled (a disk that stalls).</summary>
    public ManualResetEventSlim? SyncGate { get; set; }

    public bool FailRename { get; set; }
    public bool FailDirectorySync { get; set; }

    /// <summary>When set, a write waits for it first (the save is "in progress" until the test sets it).</summary>
    public ManualResetEventSlim? WriteGate { get; set; }

    /// <summary>Set when a write reached <see cref="WriteGate"/>.</summary>
    public ManualResetEventSlim WriteReachedGate { get; } = new();

    /// <summary>When set, reads past <see cref="ReadGateOffset"/> wait for it (a load stays "in progress").</summary>
    public ManualResetEventSlim? ReadGate { get; set; }
    public long ReadGateOffset { get; set; }
    public ManualResetEventSlim ReadReachedGate { get; } = new();

    /// <summary>When set, only files whose name ends with this are gated (an AOF's incr file, not its base).</summary>
    public string? ReadGateFileSuffix { get; set; }

    /// <summary>Writes and syncs that went through, of files whose name contains <see cref="CountOnly"/> (null counts all).</summary>
    public long Writes => Interlocked.Read(ref _writes);
    public long Syncs => Interlocked.Read(ref _syncs);
    public string? CountOnly { get; set; }

    public static IOException NoSpace() => new("No space left on device", 28);
    public static IOException IoError() => new("Input/output error", 5);

    public IWritableFile Create(string path) => new File(this, _inner.Create(path));

    public IWritableFile OpenAppend(string path) => new File(this, _inner.OpenAppend(path));

    public Stream OpenRead(string path) =>
        ReadGate == null || (ReadGateFileSuffix != null && !path.EndsWith(ReadGateFileSuffix, StringComparison.Ordinal))
            ? _inner.OpenRead(path)
            : new GatedStream(this, _inner.OpenRead(path));

    public bool FileExists(string path) => _inner.FileExists(path);
    public long FileLength(string path) => _inner.FileLength(path);
    public void Delete(string path) => _inner.Delete(path);
    public void CreateDirectory(string path) => _inner.CreateDirectory(path);
    public bool DirectoryExists(string path) => _inner.DirectoryExists(path);
    public void Truncate(string path, long length) => _inner.Truncate(path, length);

    public void Rename(string source, string destination)
    {
        if (FailRename)
        {
            throw IoError();
        }
        _inner.Rename(source, destination);
    }

    public void SyncDirectory(string directory)
    {
        if (FailDirectorySync)
        {
            throw IoError();
        }
        _inner.SyncDirectory(directory);
    }

    private bool Counted(string path) => CountOnly == null || Path.GetFileName(path).Contains(CountOnly, StringComparison.Ordinal);

    private sealed class File(FaultInjectingFileSystem owner, IWritableFile inner) : IWritableFile
    {
        private long _written;

        public string Path => inner.Path;
        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data)
        {
            if (owner.WriteGate is { } gate)
            {
                owner.WriteReachedGate.Set();
                Assert.True(gate.Wait(TimeSpan.FromSeconds(30)), "the test never opened the write gate");
            }
            if (owner.FailWritesAfterBytes is long budget && _written + data.Length > budget)
            {
                // Like a disk that fills up: what fits is written, then ENOSPC.
                int fits = (int)Math.Max(0, budget - _written);
                inner.Write(data[..fits]);
                _written += fits;
                throw NoSpace();
            }
            if (owner.WriteFault?.Invoke(inner.Path, data.Length) is { } fault)
            {
                if (fault.Written > 0)
                {
                    inner.Write(data[..Math.Min(fault.Written, data.Length)]);
                }
                throw fault.Error;
            }
            inner.Write(data);
            _written += data.Length;
            if (owner.Counted(inner.Path))
            {
                Interlocked.Increment(ref owner._writes);
            }
        }

        public void Sync()
        {
            owner.SyncGate?.Wait();
            if (owner.FailSync)
            {
                throw IoError();
            }
            if (owner.SyncFault?.Invoke(inner.Path) is { } error)
            {
                throw error;
            }
            inner.Sync();
            if (owner.Counted(inner.Path))
            {
                Interlocked.Increment(ref owner._syncs);
            }
        }

        public void Dispose() => inner.Dispose();
    }

    private sealed class GatedStream(FaultInjectingFileSystem owner, Stream inner) : Stream
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
            if (owner.ReadGate is { } gate && position + buffer.Length > owner.ReadGateOffset)
            {
                if (position < owner.ReadGateOffset)
                {
                    // Up to the gate first, so the loader makes visible progress before it waits.
                    return inner.Read(buffer[..(int)(owner.ReadGateOffset - position)]);
                }
                owner.ReadReachedGate.Set();
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
