using System.Globalization;
using System.Text;
using Amber.Config;

namespace Amber.Persistence.Aof;

/// <summary>A manifest line's file type, by the letter Redis 7.0 writes (persisted: values are the letters).</summary>
internal enum AofFileType : byte
{
    Base = (byte)'b',
    History = (byte)'h',
    Incr = (byte)'i',
}

/// <summary>One file of the multi-part AOF as the manifest names it.</summary>
internal sealed record AofFileInfo(string Name, long Seq, AofFileType Type);

/// <summary>A manifest that cannot be used; startup stops with this message (Redis exits on the same conditions).</summary>
internal sealed class AofManifestException(string message) : Exception(message);

/// <summary>
/// Redis 7.0's AOF manifest (appendonly.aof.manifest): one base, history files awaiting deletion, and the incr files
/// in ascending sequence. Parsing follows Redis's rules (key/value pairs split like redis.conf lines, unknown keys
/// ignored, '#' comments) and rejects what Redis rejects; <see cref="Format"/> writes the lines Redis writes.
/// </summary>
internal sealed class AofManifest
{
    /// <summary>Redis refuses manifest lines longer than this (AOF_MANIFEST_LINE_MAX).</summary>
    public const int MaxLineLength = 1024;

    public AofFileInfo? Base { get; set; }
    public List<AofFileInfo> History { get; } = [];
    public List<AofFileInfo> Incrs { get; } = [];

    /// <summary>Sequence of the current base (0 when there is none): the next base takes this plus one.</summary>
    public long CurrentBaseSeq { get; set; }

    /// <summary>Sequence of the last incr file (0 when there is none): the next incr takes this plus one.</summary>
    public long CurrentIncrSeq { get; set; }

    public bool IsEmpty => Base == null && Incrs.Count == 0 && History.Count == 0;

    public static string BaseName(string appendFilename, long seq, bool rdb) =>
        string.Create(CultureInfo.InvariantCulture, $"{appendFilename}.{seq}.base.{(rdb ? "rdb" : "aof")}");

    public static string IncrName(string appendFilename, long seq) =>
        string.Create(CultureInfo.InvariantCulture, $"{appendFilename}.{seq}.incr.aof");

    public static string ManifestName(string appendFilename) => appendFilename + ".manifest";

    public static string TempManifestName(string appendFilename) => "temp-" + appendFilename + ".manifest";

    /// <summary>Starts a new incr file (sequence = last incr + 1) and lists it last.</summary>
    public AofFileInfo AddNewIncr(string appendFilename)
    {
        long seq = ++CurrentIncrSeq;
        var info = new AofFileInfo(IncrName(appendFilename, seq), seq, AofFileType.Incr);
        Incrs.Add(info);
        return info;
    }

    /// <summary>Names a new base (sequence = current base + 1); the old base, if any, becomes history.</summary>
    public AofFileInfo SetNewBase(string appendFilename, bool rdb)
    {
        if (Base != null)
        {
            History.Add(Base with { Type = AofFileType.History });
        }
        long seq = ++CurrentBaseSeq;
        Base = new AofFileInfo(BaseName(appendFilename, seq, rdb), seq, AofFileType.Base);
        return Base;
    }

    public AofManifest Clone()
    {
        var copy = new AofManifest { Base = Base, CurrentBaseSeq = CurrentBaseSeq, CurrentIncrSeq = CurrentIncrSeq };
        copy.History.AddRange(History);
        copy.Incrs.AddRange(Incrs);
        return copy;
    }

    /// <summary>The manifest text: base, then history, then incr files, one "file X seq N type T\n" line each.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        if (Base != null)
        {
            AppendLine(sb, Base);
        }
        foreach (AofFileInfo h in History)
        {
            AppendLine(sb, h);
        }
        foreach (AofFileInfo i in Incrs)
        {
            AppendLine(sb, i);
        }
        return sb.ToString();
    }

    private static void AppendLine(StringBuilder sb, AofFileInfo f)
    {
        sb.Append("file ").Append(NeedsQuoting(f.Name) ? ConfigText.Repr(f.Name) : f.Name)
          .Append(" seq ").Append(f.Seq.ToString(CultureInfo.InvariantCulture))
          .Append(" type ").Append((char)(byte)f.Type).Append('\n');
    }

    /// <summary>As Redis's sdsneedsrepr: quotes, backslash, spaces and non-printable characters need the quoted form.</summary>
    private static bool NeedsQuoting(string name)
    {
        foreach (char c in name)
        {
            if (c is '\\' or '"' or '\'' || c <= ' ' || c >= 0x7f)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Parses a manifest; throws <see cref="AofManifestException"/> with Redis's reason when it is invalid.</summary>
    public static AofManifest Parse(string text)
    {
        if (text.Length == 0)
        {
            throw new AofManifestException("Found an empty AOF manifest");
        }
        var manifest = new AofManifest();
        int pos = 0;
        while (pos < text.Length)
        {
            int nl = text.IndexOf('\n', pos);
            if (nl < 0 || nl - pos + 1 > MaxLineLength)
            {
                throw new AofManifestException("The AOF manifest file contains too long line");
            }
            string line = text[pos..nl];
            pos = nl + 1;
            if (line.StartsWith('#'))
            {
                continue;
            }
            string trimmed = line.Trim(' ', '\t', '\r', '\n');
            string[]? args = trimmed.Length == 0 ? [] : ConfigText.Split(trimmed);
            if (args == null || args.Length < 6 || args.Length % 2 != 0)
            {
                throw new AofManifestException("Invalid AOF manifest file format");
            }
            string? name = null;
            long seq = 0;
            char type = '\0';
            for (int i = 0; i < args.Length; i += 2)
            {
                switch (args[i])
                {
                    case "file":
                        name = args[i + 1];
                        if (name.Contains('/') || name.Contains('\\'))
                        {
                            throw new AofManifestException("File can't be a path, just a filename");
                        }
                        break;
                    case "seq":
                        _ = long.TryParse(args[i + 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seq);
                        break;
                    case "type":
                        type = args[i + 1].Length > 0 ? args[i + 1][0] : '\0';
                        break;
                    default:
                        break; // unknown keys are ignored (forward compatibility), as Redis does
                }
            }
            if (name == null || seq == 0 || type == '\0')
            {
                throw new AofManifestException("Invalid AOF manifest file format");
            }
            switch (type)
            {
                case 'b':
                    if (manifest.Base != null)
                    {
                        throw new AofManifestException("Found duplicate base file information");
                    }
                    manifest.Base = new AofFileInfo(name, seq, AofFileType.Base);
                    manifest.CurrentBaseSeq = seq;
                    break;
                case 'h':
                    manifest.History.Add(new AofFileInfo(name, seq, AofFileType.History));
                    break;
                case 'i':
                    if (seq <= manifest.CurrentIncrSeq)
                    {
                        throw new AofManifestException("Found a non-monotonic sequence number");
                    }
                    manifest.Incrs.Add(new AofFileInfo(name, seq, AofFileType.Incr));
                    manifest.CurrentIncrSeq = seq;
                    break;
                default:
                    throw new AofManifestException("Unknown AOF file type");
            }
        }
        return manifest;
    }
}
