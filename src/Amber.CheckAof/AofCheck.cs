using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Amber.CheckRdb;
using Amber.Persistence.Aof;
using Amber.Persistence.Storage;
using Amber.Protocol;

namespace Amber.CheckAof;

/// <summary>
/// amber-check-aof [--fix] [--truncate-to-timestamp T] [-y|--yes] FILE|MANIFEST: checks an AOF the way
/// redis-check-aof 7.0 does, with Amber's own AOF reader, manifest parser and RDB loader. A manifest checks the base
/// (RDB or RESP) and every incr file in order; a plain file may start with an RDB preamble. Only the last file may be
/// truncated (by --fix to its last good command outside a transaction, or by --truncate-to-timestamp at the first
/// "#TS:" annotation later than T). Exit code 0 only when everything is valid or was fixed.
/// </summary>
internal static class AofCheck
{
    public const string Usage = "Usage: amber-check-aof [--fix|--truncate-to-timestamp $timestamp] [-y|--yes] <file.manifest|file.aof>";

    private enum FileVerdict
    {
        Valid,
        Empty,
        Truncated,
        TimestampTruncated,
    }

    /// <summary>redis-check-aof exits from deep inside a check; this carries that exit up.</summary>
    private sealed class ExitException(int code) : Exception
    {
        public int Code { get; } = code;
    }

    public static int Run(string[] args, TextReader input, TextWriter output, IFileSystem fs)
    {
        bool fix = false;
        bool yes = false;
        long toTimestamp = 0;
        string? path = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "--fix")
            {
                fix = true;
            }
            else if (arg is "-y" or "--yes")
            {
                yes = true;
            }
            else if (arg == "--truncate-to-timestamp" && i + 1 < args.Length)
            {
                if (!long.TryParse(args[++i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out toTimestamp))
                {
                    output.WriteLine("Invalid timestamp, aborting...");
                    return 1;
                }
            }
            else if (path == null && !arg.StartsWith('-'))
            {
                path = arg;
            }
            else
            {
                path = null;
                break;
            }
        }
        // Redis takes one mode at a time; a timestamp of 0 means "no timestamp" there too.
        if (path == null || (fix && toTimestamp != 0))
        {
            output.WriteLine(Usage);
            return 1;
        }
        var checker = new Checker(fs, input, output, fix, yes, toTimestamp);
        try
        {
            checker.CheckPath(path);
            return 0;
        }
        catch (ExitException e)
        {
            return e.Code;
        }
    }

    private sealed class Checker(IFileSystem fs, TextReader input, TextWriter output, bool fix, bool yes, long toTimestamp)
    {
        // Like redis-check-aof, one line counter runs over all the RESP files checked (annotations not counted).
        private long _line = 1;

        public void CheckPath(string path)
        {
            if (IsManifest(path))
            {
                CheckMultiPart(path);
            }
            else
            {
                output.WriteLine("Start checking Old-Style AOF");
                FileVerdict verdict = CheckFile(path, path, lastFile: true, IsRdb(path));
                PrintVerdict(verdict, path, "AOF");
            }
        }

        private void CheckMultiPart(string manifestPath)
        {
            output.WriteLine("Start checking Multi Part AOF");
            AofManifest manifest;
            try
            {
                using Stream s = fs.OpenRead(manifestPath);
                using var reader = new StreamReader(s, new UTF8Encoding(false));
                manifest = AofManifest.Parse(reader.ReadToEnd());
            }
            catch (AofManifestException e)
            {
                output.WriteLine(e.Message);
                throw new ExitException(1);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"Cannot open file {manifestPath}: {Reason(e)}, aborting...");
                throw new ExitException(1);
            }
            string directory = Path.GetDirectoryName(manifestPath) ?? "";
            int total = (manifest.Base != null ? 1 : 0) + manifest.Incrs.Count;
            int checkedCount = 0;
            if (manifest.Base != null)
            {
                string basePath = Path.Combine(directory, manifest.Base.Name);
                bool rdb = IsRdb(basePath);
                output.WriteLine($"Start to check BASE AOF ({(rdb ? "RDB" : "RESP")} format).");
                FileVerdict verdict = CheckFile(manifest.Base.Name, basePath, ++checkedCount == total, rdb);
                PrintVerdict(verdict, manifest.Base.Name, "BASE AOF");
            }
            if (manifest.Incrs.Count > 0)
            {
                output.WriteLine("Start to check INCR files.");
                foreach (AofFileInfo incr in manifest.Incrs)
                {
                    FileVerdict verdict = CheckFile(incr.Name, Path.Combine(directory, incr.Name), ++checkedCount == total, preamble: false);
                    PrintVerdict(verdict, incr.Name, "INCR AOF");
                }
            }
            output.WriteLine("All AOF files and manifest are valid");
        }

        private void PrintVerdict(FileVerdict verdict, string name, string kind)
        {
            output.WriteLine(verdict switch
            {
                FileVerdict.Valid => $"{kind} {name} is valid",
                FileVerdict.Empty => $"{kind} {name} is empty",
                FileVerdict.TimestampTruncated => $"Successfully truncated AOF {name} to timestamp {toTimestamp}",
                _ => $"Successfully truncated AOF {name}",
            });
        }

        /// <summary>Checks one file; <paramref name="name"/> is how it is reported, <paramref name="path"/> where it is.</summary>
        private FileVerdict CheckFile(string name, string path, bool lastFile, bool preamble)
        {
            long size;
            Stream stream;
            try
            {
                size = fs.FileLength(path);
                stream = fs.OpenRead(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"Cannot open file {path}: {Reason(e)}, aborting...");
                throw new ExitException(1);
            }
            long pos;
            long truncateAt = -1;
            string? error = null;
            using (stream)
            {
                if (size == 0)
                {
                    return FileVerdict.Empty;
                }
                long start = 0;
                if (preamble)
                {
                    output.WriteLine($"[offset 0] Checking RDB file {path}");
                    if (RdbCheck.Check(stream, path, size, output, out start) != 0)
                    {
                        output.WriteLine("RDB preamble of AOF file is not sane, aborting.");
                        throw new ExitException(1);
                    }
                    output.WriteLine("RDB preamble is OK, proceeding with AOF tail...");
                    stream.Position = start;
                }
                pos = start;
                var args = new ArgList();
                using var reader = new AofCommandReader(stream, start);
                if (toTimestamp != 0)
                {
                    reader.AnnotationHandler = (line, offset) =>
                    {
                        if (!line.StartsWith("#TS:"u8))
                        {
                            return true;
                        }
                        if (!Utf8Parser.TryParse(line[4..], out long ts, out int consumed) || consumed != line.Length - 4)
                        {
                            output.WriteLine("Invalid timestamp annotation");
                            throw new ExitException(1);
                        }
                        if (ts <= toTimestamp)
                        {
                            return true;
                        }
                        if (offset == 0)
                        {
                            output.WriteLine($"AOF {path} has nothing before timestamp {toTimestamp}, aborting...");
                            throw new ExitException(1);
                        }
                        if (!lastFile)
                        {
                            output.WriteLine($"Failed to truncate AOF {path} to timestamp {toTimestamp} to offset {offset} because it is not the last file.");
                            output.WriteLine("If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run amber-check-aof.");
                            throw new ExitException(1);
                        }
                        truncateAt = offset;
                        return false;
                    };
                }
                bool inMulti = false;
                long lastReadAt = 0;
                long lastArgLength = -1;
                int lastArgc = 0;
                while (true)
                {
                    AofReadStatus status = reader.Read(args);
                    if (status == AofReadStatus.Command)
                    {
                        _line += 1 + 2L * args.Count;
                        // redis-check-aof's offsets name its last read: the last argument's bytes.
                        lastArgLength = args[args.Count - 1].Length;
                        lastArgc = args.Count;
                        lastReadAt = reader.Position - lastArgLength - 2;
                        long firstArgAt = reader.CommandStart + Digits(args.Count) + 3 + Digits(args[0].Length) + 3;
                        if (Ascii.EqualsIgnoreCase(args[0], "multi"u8))
                        {
                            if (inMulti)
                            {
                                error = FailureReport.At(firstArgAt, $"Unexpected MULTI in AOF {path}");
                                break;
                            }
                            inMulti = true;
                        }
                        else if (Ascii.EqualsIgnoreCase(args[0], "exec"u8))
                        {
                            if (!inMulti)
                            {
                                error = FailureReport.At(firstArgAt, $"Unexpected EXEC in AOF {path}");
                                break;
                            }
                            inMulti = false;
                        }
                        if (!inMulti)
                        {
                            pos = reader.Position;
                        }
                        continue;
                    }
                    if (status == AofReadStatus.Stopped)
                    {
                        break;
                    }
                    if (status == AofReadStatus.EndOfFile)
                    {
                        if (inMulti)
                        {
                            error = FailureReport.At(lastReadAt, "Reached EOF before reading EXEC for MULTI");
                        }
                        else
                        {
                            // Annotations after the last command are part of a good file.
                            pos = reader.Position;
                        }
                    }
                    else if (!StartsCommand(stream, reader.CommandStart))
                    {
                        // Garbage or zero padding where a command should start: redis-check-aof's short verdict.
                        error = $"AOF {name} format error";
                    }
                    else
                    {
                        byte[] argcLine = lastArgLength < 0 ? [] : Encoding.ASCII.GetBytes($"*{lastArgc}\r\n\0");
                        byte[] bulkLine = lastArgLength < 0 ? [] : Encoding.ASCII.GetBytes($"${lastArgLength}\r\n\0");
                        var report = FailureReport.Of(stream, size, reader.CommandStart, argcLine, bulkLine);
                        _line += report.Lines;
                        error = report.Error ?? (inMulti ? FailureReport.At(report.LastReadAt, "Reached EOF before reading EXEC for MULTI") : null);
                    }
                    break;
                }
            }
            if (truncateAt >= 0)
            {
                Truncate(path, truncateAt, $"Failed to truncate AOF {path} to timestamp {toTimestamp}");
                return FileVerdict.TimestampTruncated;
            }
            if (error != null)
            {
                output.WriteLine(error);
            }
            long diff = size - pos;
            if (diff == 0 && toTimestamp != 0)
            {
                output.WriteLine($"Truncate nothing in AOF {name} to timestamp {toTimestamp}");
                return FileVerdict.Valid;
            }
            output.WriteLine($"AOF analyzed: filename={name}, size={size}, ok_up_to={pos}, ok_up_to_line={_line}, diff={diff}");
            if (diff == 0)
            {
                return FileVerdict.Valid;
            }
            if (!fix)
            {
                output.WriteLine($"AOF {name} is not valid. Use the --fix option to try fixing it.");
                throw new ExitException(1);
            }
            if (!lastFile)
            {
                output.WriteLine($"Failed to truncate AOF {name} because it is not the last file");
                throw new ExitException(1);
            }
            output.WriteLine($"This will shrink the AOF {name} from {size} bytes, with {diff} bytes, to {pos} bytes");
            if (!yes)
            {
                output.Write("Continue? [y/N]: ");
                output.Flush();
                string? answer = input.ReadLine();
                if (answer == null || !answer.StartsWith('y') && !answer.StartsWith('Y'))
                {
                    output.WriteLine("Aborting...");
                    throw new ExitException(1);
                }
            }
            Truncate(path, pos, $"Failed to truncate AOF {name}");
            return FileVerdict.Truncated;
        }

        private void Truncate(string path, long length, string failure)
        {
            try
            {
                fs.Truncate(path, length);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"{failure}: {e.Message}");
                throw new ExitException(1);
            }
        }

        private static bool StartsCommand(Stream stream, long offset)
        {
            stream.Position = offset;
            int first = stream.ReadByte();
            return first is '*' or '#';
        }

        private static int Digits(long n) => n.ToString(CultureInfo.InvariantCulture).Length;

        /// <summary>A manifest has a non-comment line starting with "file" (redis-check-aof's test).</summary>
        private bool IsManifest(string path)
        {
            try
            {
                using Stream s = fs.OpenRead(path);
                using var reader = new StreamReader(s, Encoding.Latin1);
                // Manifests are small; a data file is not scanned past a few lines of garbage.
                for (int i = 0; i < 1000 && reader.ReadLine() is string line; i++)
                {
                    if (!line.StartsWith('#') && line.StartsWith("file", StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"Cannot open file {path}: {Reason(e)}");
                throw new ExitException(1);
            }
        }

        /// <summary>An RDB base or preamble starts with "REDIS" (and is at least a header long).</summary>
        private bool IsRdb(string path)
        {
            try
            {
                if (fs.FileLength(path) < 8)
                {
                    return false;
                }
                using Stream s = fs.OpenRead(path);
                Span<byte> magic = stackalloc byte[5];
                return s.ReadAtLeast(magic, 5, throwOnEndOfStream: false) == 5 && magic.SequenceEqual("REDIS"u8);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"Cannot open file {path}: {Reason(e)}");
                throw new ExitException(1);
            }
        }

        private static string Reason(Exception e) =>
            e is FileNotFoundException or DirectoryNotFoundException ? "No such file or directory" : e.Message;
    }
}
