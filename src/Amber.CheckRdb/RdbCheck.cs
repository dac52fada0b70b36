using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amber.Persistence.Rdb.Reading;

namespace Amber.CheckRdb;

/// <summary>
/// amber-check-rdb FILE: reads an RDB file with Amber's loader in redis-check-rdb's strict mode (deep validation,
/// empty keys refused) and reports as redis-check-rdb 7.0 does: AUX fields and SELECTDB with their offsets, the
/// checksum, and on damage the offset, the error and what was being read. Exit code 0 only for a good file.
/// </summary>
internal static class RdbCheck
{
    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length != 1)
        {
            output.WriteLine("Usage: amber-check-rdb <rdb-file-name>");
            return 1;
        }
        string path = args[0];
        output.WriteLine($"[offset 0] Checking RDB file {path}");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"Cannot open RDB file {path}: {e.Message}");
            return 1;
        }
        using (file)
        {
            return Check(file, path, file.Length, output);
        }
    }

    /// <summary>Checks an RDB stream; <paramref name="length"/> (or -1) scales the progress lines.</summary>
    public static int Check(Stream stream, string name, long length, TextWriter output) =>
        Check(stream, name, length, output, out _);

    /// <summary>As above; <paramref name="bytesRead"/> is where the RDB ended (amber-check-aof's AOF tail starts there).</summary>
    public static int Check(Stream stream, string name, long length, TextWriter output, out long bytesRead)
    {
        bytesRead = 0;
        RdbLoader? loader = null;
        var options = new RdbLoadOptions
        {
            DropExpiredKeys = false,
            SkipEmptyKeys = false,
            VerifyChecksum = true,
            Databases = int.MaxValue,
            Warning = message => output.WriteLine($"[offset {loader?.Offset ?? 0}] {message}"),
        };
        var target = new CheckTarget(output);
        var clock = Stopwatch.StartNew();
        long lastLine = 0;
        loader = new RdbLoader(stream, name, options, target, offset =>
        {
            // A line at most every second, so only files that take a while to check show progress.
            if (clock.ElapsedMilliseconds - lastLine >= 1000 && offset < length)
            {
                lastLine = clock.ElapsedMilliseconds;
                string percent = length > 0 ? (offset * 100.0 / length).ToString("F2", CultureInfo.InvariantCulture) + "%" : "?";
                output.WriteLine($"[offset {offset}] {percent} of RDB processed, {loader!.Result.KeysRead} keys read");
            }
        });
        RdbLoadResult result = loader.Result;
        try
        {
            loader.Run();
        }
        catch (RdbLoadException e)
        {
            output.WriteLine("--- RDB ERROR DETECTED ---");
            output.WriteLine($"[offset {e.Offset}] {CheckerReason(e)}");
            output.WriteLine($"[additional info] While doing: {RdbLoadException.PhaseName(e.Phase)}");
            if (e.Key != null)
            {
                output.WriteLine($"[additional info] Reading key '{Encoding.UTF8.GetString(e.Key)}'");
            }
            if (e.ObjectType >= 0 && e.Kind != RdbLoadErrorKind.InvalidType)
            {
                output.WriteLine($"[additional info] Reading type {e.ObjectType} ({RdbLoadException.TypeName(e.ObjectType)})");
            }
            WriteCounts(result, output);
            return 1;
        }
        bytesRead = result.BytesRead;
        if (result.ChecksumVerified)
        {
            output.WriteLine($"[offset {result.BytesRead}] Checksum OK");
        }
        output.WriteLine($"[offset {result.BytesRead}] \\o/ RDB looks OK! \\o/");
        WriteCounts(result, output);
        return 0;
    }

    /// <summary>redis-check-rdb's wording where it differs from the server's log line.</summary>
    private static string CheckerReason(RdbLoadException e) => e.Kind switch
    {
        RdbLoadErrorKind.Checksum => "RDB CRC error",
        RdbLoadErrorKind.InvalidType => $"Invalid object type: {e.ObjectType}",
        _ => e.Reason,
    };

    private static void WriteCounts(RdbLoadResult result, TextWriter output)
    {
        output.WriteLine($"[info] {result.KeysRead} keys read");
        output.WriteLine($"[info] {result.KeysWithExpiry} expires");
        output.WriteLine($"[info] {result.KeysAlreadyExpired} already expired");
        for (int type = 0; type < result.KeysByType.Length; type++)
        {
            if (result.KeysByType[type] > 0)
            {
                output.WriteLine($"[info] {result.KeysByType[type]} keys of type {type} ({RdbLoadException.TypeName(type)})");
            }
        }
    }

    /// <summary>Prints AUX fields and database switches as they are read; keeps no values.</summary>
    private sealed class CheckTarget(TextWriter output) : IRdbLoadTarget
    {
        public void OnAuxField(byte[] key, byte[] value, long offset) =>
            output.WriteLine($"[offset {offset}] AUX FIELD {Encoding.UTF8.GetString(key)} = '{Encoding.UTF8.GetString(value)}'");

        public void OnSelectDb(int db, long offset) => output.WriteLine($"[offset {offset}] Selecting DB ID {db}");

        public void OnResizeDb(long dbSize, long expiresSize)
        {
        }

        public bool OnKey(in RdbKeyRecord record) => true;
    }
}
