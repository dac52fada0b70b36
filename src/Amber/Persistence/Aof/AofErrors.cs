using System.Runtime.InteropServices;

namespace Amber.Persistence.Aof;

/// <summary>Error texts as Redis prints them (strerror), for logs, INFO and the MISCONF reply.</summary>
internal static class AofErrors
{
    /// <summary>Redis's reply to write commands while the AOF cannot be written: "MISCONF Errors writing to the AOF file: &lt;strerror&gt;".</summary>
    public static string Misconf(string reason) => "MISCONF Errors writing to the AOF file: " + reason;

    /// <summary>The strerror text of an I/O error: .NET carries errno in HResult for Unix I/O errors (tests' fault
    /// injection does the same); anything else keeps its message.</summary>
    public static string Describe(IOException e)
    {
        int errno = e.HResult;
        if (errno is > 0 and < 4096)
        {
            return Marshal.GetPInvokeErrorMessage(errno);
        }
        return e.Message;
    }

    public const int ENOSPC = 28;
    public const int EIO = 5;
}
