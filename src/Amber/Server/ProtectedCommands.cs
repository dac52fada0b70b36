using System.Net;
using Amber.Commands;

namespace Amber.Server;

/// <summary>
/// Gate for commands flagged protected (DEBUG): enable-debug-command is "no" (refuse), "yes" (allow) or
/// "local" (allow from loopback only). Checked after arity and before authentication, as Redis does.
/// </summary>
internal static class ProtectedCommands
{
    public static bool IsAllowed(AmberServer server, ClientSession session, CommandSpec spec)
    {
        string setting = server.Config.EnableDebugCommand;
        if (setting.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (setting.Equals("local", StringComparison.OrdinalIgnoreCase))
        {
            return session.RemoteEndPoint switch
            {
                // Exactly 127.0.0.1 or ::1, as Redis's islocalClient (not all of 127/8).
                IPEndPoint ip => (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address) is var a &&
                                 (a.Equals(IPAddress.Loopback) || a.Equals(IPAddress.IPv6Loopback)),
                null => true, // in-process callers (no socket) are local
                _ => true,    // Unix domain sockets are local
            };
        }
        return false;
    }
}
