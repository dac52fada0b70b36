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
                IPEndPoint ip => IPAddress.IsLoopback(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address),
                null => true, // in-process callers (no socket) are local
                _ => true,    // Unix domain sockets are local
            };
        }
        return false;
    }
}
