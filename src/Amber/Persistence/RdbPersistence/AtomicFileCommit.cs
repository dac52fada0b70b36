using System.Buffers;
using Amber.Persistence.Storage;

namespace Amber.Persistence.RdbPersistence;

/// <summary>The step of an <see cref="AtomicFileCommit"/> that was running when it failed (named in the log).</summary>
internal enum CommitPhase
{
    Create = 0,
    Write = 1,
    Fsync = 2,
    Rename = 3,
    FsyncDirectory = 4,
}

/// <summary>An I/O failure of a commit, with the phase it happened in.</summary>
internal sealed class FileCommitException(CommitPhase phase, string path, IOException inner)
    : IOException(inner.Message, inner)
{
    public CommitPhase Phase { get; } = phase;
    public string Path { get; } = path;
}

/// <summary>
/// Writes a file so that the previous version survives any failure (DESIGN §6): bytes go to a temp file in the same
/// directory, in chunks as they are produced (an <see cref="IBufferWriter{T}"/>, so a serializer streams into it),
/// then fsync, rename over the final name, fsync the directory. Until <see cref="Commit"/> returns the final file is
/// untouched; <see cref="Dispose"/> without a commit removes the temp file.
/// </summary>
internal sealed class AtomicFileCommit : IBufferWriter<byte>, IDisposable
{
    /// <summary>Bytes gathered before they are written: large enough for few syscalls, small enough to stay out of the LOH.</summary>
    private const int ChunkSize = 64 * 1024;

    /// <summary>rdb-save-incremental-fsync: fsync every 4 MB so the kernel never holds a huge dirty backlog (Redis's REDIS_AUTOSYNC_BYTES).</summary>
    private const long IncrementalFsyncBytes = 4 * 1024 * 1024;

    private readonly IFileSystem _fs;
    private readonly string _finalPath;
    private readonly bool _incrementalFsync;
    private IWritableFile? _file;
    private byte[] _buffer;
    private int _buffered;
    private long _unsynced;
    private bool _committed;

    public AtomicFileCommit(IFileSystem fs, string directory, string tempName, string finalName, bool incrementalFsync)
    {
        _fs = fs;
        Directory = directory;
        TempPath = System.IO.Path.Combine(directory, tempName);
        _finalPath = System.IO.Path.Combine(directory, finalName);
        _incrementalFsync = incrementalFsync;
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            _file = fs.Create(TempPath);
        }
        catch (IOException e)
        {
            ReturnBuffer();
            throw new FileCommitException(CommitPhase.Create, TempPath, e);
        }
        catch (UnauthorizedAccessException e)
        {
            ReturnBuffer();
            throw new FileCommitException(CommitPhase.Create, TempPath, new IOException(e.Message, e));
        }
    }

    public string Directory { get; }
    public string TempPath { get; }

    /// <summary>Bytes produced so far (written or buffered).</summary>
    public long BytesWritten { get; private set; }

    public void Advance(int count)
    {
        _buffered += count;
        BytesWritten += count;
        if (_buffered >= ChunkSize)
        {
            Flush();
        }
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_buffered);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_buffered);
    }

    /// <summary>Appends bytes (e.g. a chunk a snapshot produced elsewhere).</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.Length >= ChunkSize)
        {
            Flush();
            WriteThrough(data);
            BytesWritten += data.Length;
            return;
        }
        data.CopyTo(GetSpan(data.Length));
        Advance(data.Length);
    }

    private void Reserve(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _buffered >= need)
        {
            return;
        }
        Flush();
        if (_buffer.Length < need)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(need);
        }
    }

    /// <summary>Writes what is buffered to the temp file.</summary>
    public void Flush()
    {
        if (_buffered > 0)
        {
            int n = _buffered;
            _buffered = 0;
            WriteThrough(_buffer.AsSpan(0, n));
        }
    }

    private void WriteThrough(ReadOnlySpan<byte> data)
    {
        IWritableFile file = _file ?? throw new ObjectDisposedException(nameof(AtomicFileCommit));
        try
        {
            file.Write(data);
        }
        catch (IOException e)
        {
            throw new FileCommitException(CommitPhase.Write, TempPath, e);
        }
        _unsynced += data.Length;
        if (_incrementalFsync && _unsynced >= IncrementalFsyncBytes)
        {
            _unsynced = 0;
            Run(CommitPhase.Fsync, TempPath, file.Sync);
        }
    }

    /// <summary>Makes the written bytes the file's new content: fsync, rename over the final name, fsync the directory.</summary>
    public void Commit()
    {
        Seal();
        Publish();
        SyncDirectory();
    }

    /// <summary>Writes out the buffer, fsyncs and closes the temp file: after this only the rename is left.</summary>
    public void Seal()
    {
        Flush();
        IWritableFile file = _file ?? throw new ObjectDisposedException(nameof(AtomicFileCommit));
        Run(CommitPhase.Fsync, TempPath, file.Sync);
        file.Dispose();
        _file = null;
    }

    /// <summary>Renames the sealed temp file over the final name (atomic: readers see the old or the new file).</summary>
    public void Publish()
    {
        Run(CommitPhase.Rename, _finalPath, () => _fs.Rename(TempPath, _finalPath));
        _committed = true;
    }

    /// <summary>Makes the rename durable. A failure still fails the save: the rename may not survive a crash.</summary>
    public void SyncDirectory() => Run(CommitPhase.FsyncDirectory, Directory, () => _fs.SyncDirectory(Directory));

    private static void Run(CommitPhase phase, string path, Action action)
    {
        try
        {
            action();
        }
        catch (FileCommitException)
        {
            throw;
        }
        catch (IOException e)
        {
            throw new FileCommitException(phase, path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FileCommitException(phase, path, new IOException(e.Message, e));
        }
    }

    /// <summary>Closes the temp file; without a commit it is removed, so a failed save leaves nothing behind.</summary>
    public void Dispose()
    {
        try
        {
            _file?.Dispose();
        }
        catch (IOException)
        {
            // Closing a file whose writes failed may fail again; the temp file is removed below either way.
        }
        _file = null;
        if (!_committed)
        {
            try
            {
                _fs.Delete(TempPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        ReturnBuffer();
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
