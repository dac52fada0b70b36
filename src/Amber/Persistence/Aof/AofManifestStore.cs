using System.Text;
using Amber.Persistence.Storage;

namespace Amber.Persistence.Aof;

/// <summary>
/// Reads and writes the manifest in the AOF directory. Writing never touches the live manifest in place: temp file,
/// fsync, rename over the manifest, fsync the directory (DESIGN §6), so a crash leaves the old or the new one whole.
/// </summary>
internal sealed class AofManifestStore(IFileSystem fs, string aofDirectory, string appendFilename)
{
    public string Directory { get; } = aofDirectory;

    public string ManifestPath => Path.Combine(Directory, AofManifest.ManifestName(appendFilename));

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    public bool Exists => fs.FileExists(ManifestPath);

    /// <summary>The manifest on disk; null when there is none. Throws <see cref="AofManifestException"/> when invalid.</summary>
    public AofManifest? Load()
    {
        if (!fs.FileExists(ManifestPath))
        {
            return null;
        }
        using Stream s = fs.OpenRead(ManifestPath);
        using var reader = new StreamReader(s, new UTF8Encoding(false));
        return AofManifest.Parse(reader.ReadToEnd());
    }

    /// <summary>Persists the manifest atomically; throws <see cref="IOException"/> when any step fails (nothing replaced then).</summary>
    public void Persist(AofManifest manifest)
    {
        string temp = PathOf(AofManifest.TempManifestName(appendFilename));
        byte[] text = Encoding.UTF8.GetBytes(manifest.Format());
        try
        {
            using (IWritableFile file = fs.Create(temp))
            {
                file.Write(text);
                file.Sync();
            }
            fs.Rename(temp, ManifestPath);
        }
        catch (IOException)
        {
            TryDelete(temp);
            throw;
        }
        fs.SyncDirectory(Directory);
    }

    private void TryDelete(string path)
    {
        try
        {
            if (fs.FileExists(path))
            {
                fs.Delete(path);
            }
        }
        catch (IOException)
        {
        }
    }
}
