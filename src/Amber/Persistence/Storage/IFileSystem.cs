namespace Amber.Persistence.Storage;

/// <summary>
/// Every file the persistence layer touches goes through this seam (DESIGN §7), so tests can fail writes, fsyncs and
/// renames on purpose, per server instance. Errors surface as <see cref="IOException"/>; callers never see a short write
/// as success.
/// </summary>
internal interface IFileSystem
{
    /// <summary>Creates (or truncates) a file for writing.</summary>
    IWritableFile Create(string path);

    /// <summary>Opens a file for appending, creating it when missing.</summary>
    IWritableFile OpenAppend(string path);

    Stream OpenRead(string path);

    bool FileExists(string path);

    long FileLength(string path);

    /// <summary>Atomically replaces <paramref name="destination"/> with <paramref name="source"/> (rename(2)).</summary>
    void Rename(string source, string destination);

    void Delete(string path);

    /// <summary>Makes renames and creations in a directory durable (fsync on the directory).</summary>
    void SyncDirectory(string directory);

    void CreateDirectory(string path);

    bool DirectoryExists(string path);

    /// <summary>Truncates a file to <paramref name="length"/> bytes (aof-load-truncated, check tools' --fix).</summary>
    void Truncate(string path, long length);
}

/// <summary>A file being written. <see cref="Write"/> writes everything or throws; <see cref="Sync"/> is fsync.</summary>
internal interface IWritableFile : IDisposable
{
    string Path { get; }

    /// <summary>Bytes in the file, including those written through this handle.</summary>
    long Length { get; }

    void Write(ReadOnlySpan<byte> data);

    /// <summary>Flushes to the operating system and then to the disk (fsync/fdatasync).</summary>
    void Sync();

    /// <summary>
    /// Flushes the data and what is needed to read it back (the file size), not timestamps: fdatasync(2), as Redis
    /// syncs its AOF on Linux. Falls back to <see cref="Sync"/>.
    /// </summary>
    void SyncData() => Sync();
}
