using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Amber.Persistence.Storage;

/// <summary>The real file system. Writes are unbuffered by us (callers batch), so a write error is seen at once.</summary>
internal sealed partial class OsFileSystem : IFileSystem
{
    public static readonly OsFileSystem Instance = new();

    public IWritableFile Create(string path) => new OsWritableFile(path, FileMode.Create);

    public IWritableFile OpenAppend(string path) => new OsWritableFile(path, FileMode.Append);

    public Stream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);

    public bool FileExists(string path) => File.Exists(path);

    public long FileLength(string path) => new FileInfo(path).Length;

    public void Rename(string source, string destination) => File.Move(source, destination, overwrite: true);

    public void Delete(string path) => File.Delete(path);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.SetLength(length);
        stream.Flush(flushToDisk: true);
    }

    public void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }
        // .NET cannot open a directory as a stream; fsync needs a descriptor opened read-only.
        int fd = Open(string.IsNullOrEmpty(directory) ? "." : directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to fsync it: errno {Marshal.GetLastPInvokeError()}");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    private sealed class OsWritableFile(string path, FileMode mode) : IWritableFile
    {
        private readonly FileStream _stream = new(path, mode, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

        public string Path { get; } = path;

        public long Length => _stream.Length;

        public void Write(ReadOnlySpan<byte> data) => _stream.Write(data);

        public void Sync() => _stream.Flush(flushToDisk: true);

        public void SyncData()
        {
            if (!OperatingSystem.IsLinux())
            {
                Sync();
                return;
            }
            while (Fdatasync(_stream.SafeFileHandle) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != 4 /* EINTR */)
                {
                    // HResult carries errno, as .NET's own Unix I/O errors do (AofErrors.Describe reads it).
                    throw new IOException($"fdatasync of '{Path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
                }
            }
        }

        public void Dispose() => _stream.Dispose();
    }
}
