using Amber.Persistence.Storage;

namespace Amber.Tests.Persistence.Aof;

/// <summary>
/// The real file system with faults on demand, per instance: failing or short writes, failing or blocked fsyncs,
/// and counters of what went through. Errors carry errno in HResult, as .NET's own Unix I/O errors do.
/// </summary>
internal sealed class FaultInjectingFileSystem : IFileSystem
{
    private readonly IFileSystem _inner = OsFileSystem.Instance;
    private long _writes;
    private long _syncs;

    /// <summary>Decides a write's fate: null lets it through; otherwise (bytes written first, error thrown).</summary>
    public Func<string, int, (int Written, IOException Error)?>? WriteFault { get; set; }

    /// <summary>Non-null makes fsync throw it (the data was written, but is not known to be durable).</summary>
    public Func<string, IOException?>? SyncFault { get; set; }

    /// <summary>When set, fsync waits until it is signalled (a disk that stalls).</summary>
    public ManualResetEventSlim? SyncGate { get; set; }

    public long Writes => Interlocked.Read(ref _writes);
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>Syncs of files whose name contains this (e.g. ".incr.aof"); null counts all.</summary>
    public string? CountOnly { get; set; }

    public static IOException NoSpace() => new("No space left on device", 28);
    public static IOException IoError() => new("Input/output error", 5);

    public IWritableFile Create(string path) => new File(this, _inner.Create(path));
    public IWritableFile OpenAppend(string path) => new File(this, _inner.OpenAppend(path));
    public Stream OpenRead(string path) => _inner.OpenRead(path);
    public bool FileExists(string path) => _inner.FileExists(path);
    public long FileLength(string path) => _inner.FileLength(path);
    public void Rename(string source, string destination) => _inner.Rename(source, destination);
    public void Delete(string path) => _inner.Delete(path);
    public void SyncDirectory(string directory) => _inner.SyncDirectory(directory);
    public void CreateDirectory(string path) => _inner.CreateDirectory(path);
    public bool DirectoryExists(string path) => _inner.DirectoryExists(path);
    public void Truncate(string path, long length) => _inner.Truncate(path, length);

    private bool Counted(string path) => CountOnly == null || Path.GetFileName(path).Contains(CountOnly, StringComparison.Ordinal);

    private sealed class File(FaultInjectingFileSystem owner, IWritableFile inner) : IWritableFile
    {
        public string Path => inner.Path;
        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data)
        {
            if (owner.WriteFault?.Invoke(inner.Path, data.Length) is { } fault)
            {
                if (fault.Written > 0)
                {
                    inner.Write(data[..Math.Min(fault.Written, data.Length)]);
                }
                throw fault.Error;
            }
            inner.Write(data);
            if (owner.Counted(inner.Path))
            {
                Interlocked.Increment(ref owner._writes);
            }
        }

        public void Sync()
        {
            owner.SyncGate?.Wait();
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
}
