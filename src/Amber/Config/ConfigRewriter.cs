using System.Runtime.InteropServices;
using System.Text;

namespace Amber.Config;

/// <summary>CONFIG REWRITE: builds the new file from the old one and the live values, then replaces it atomically.</summary>
internal static partial class ConfigRewriter
{
    public static void Rewrite(ServerConfig config, string path)
    {
        string? old = File.Exists(path) ? File.ReadAllText(path) : null;
        ConfigRewriteState state = ConfigRewriteState.FromText(old);
        foreach (ConfigParam p in ConfigRegistry.All)
        {
            p.Rewrite(config, state);
        }
        WriteAtomically(path, state.Content());
    }

    /// <summary>Temp file next to the target, fsync, rename over it, fsync the directory: never a half-written config.</summary>
    internal static void WriteAtomically(string path, string content)
    {
        string temp = path + "." + Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal)[..6];
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                byte[] bytes = Encoding.UTF8.GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    /// <summary>strerror-style text for an I/O failure.</summary>
    public static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => "Permission denied",
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        _ => e.Message,
    };

    private static void SyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }
        int fd = Open(dir, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return;
        }
        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
