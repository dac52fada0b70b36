using System.Security.Cryptography;
using System.Text;
using Amber.Server;

namespace Amber.Commands;

/// <summary>CLIENT (connection management) and the connection handshake commands HELLO AUTH RESET.</summary>
internal static class ClientCommands
{
    private const CommandFlags Conn = CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
    private const CommandFlags AdminConn = CommandFlags.Admin | Conn;
    private const string ConnCats = "slow connection";
    private const string AdminCats = "admin slow dangerous connection";
    private const CommandFlags Handshake = CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast |
        CommandFlags.NoAuth | CommandFlags.AllowBusy;

    public static void Register(CommandTable t)
    {
        t.Add(new("client", -2, CommandFlags.None, 0, 0, 0, "slow", Container)
        {
            Group = "connection",
            Summary = "Container for the connection management subcommands.",
            Since = "2.4.0",
            Subcommands =
            [
                Sub("caching", 3, Conn, ConnCats, Caching, "Tells tracking whether to remember the next command's keys.", "6.0.0"),
                Sub("getname", 2, Conn, ConnCats, GetName, "Returns the connection's name.", "2.6.9"),
                Sub("getredir", 2, Conn, ConnCats, GetRedir, "Returns the id tracking notifications are redirected to.", "6.0.0"),
                Sub("help", 2, CommandFlags.Loading | CommandFlags.Stale, ConnCats, Help, "Lists the CLIENT subcommands.", "5.0.0"),
                Sub("id", 2, Conn, ConnCats, Id, "Returns the connection's unique id.", "5.0.0"),
                Sub("info", 2, Conn, ConnCats, Info, "Describes this connection in CLIENT LIST's format.", "6.2.0"),
                Sub("kill", -3, AdminConn, AdminCats, Kill, "Closes connections chosen by address, id, type or user.", "2.4.0"),
                Sub("list", -2, AdminConn, AdminCats, List, "Describes the connected clients, one per line.", "2.4.0"),
                Sub("no-evict", 3, AdminConn, AdminCats, NoEvict, "Exempts this connection from client eviction.", "7.0.0"),
                Sub("pause", -3, AdminConn, AdminCats, Pause, "Holds back all or only write commands for a while.", "3.0.0"),
                Sub("reply", 3, Conn, ConnCats, Reply, "Turns the server's replies to this connection on, off or off once.", "3.2.0"),
                Sub("setname", 3, Conn, ConnCats, SetName, "Names the connection.", "2.6.9"),
                Sub("trackinginfo", 2, Conn, ConnCats, TrackingInfo, "Reports this connection's tracking settings.", "6.2.0"),
                ClientUnblockCommand.Spec(),
                Sub("unpause", 2, AdminConn, AdminCats, Unpause, "Ends a CLIENT PAUSE early.", "6.2.0"),
            ],
        });
        t.Add(new("hello", -1, Handshake, 0, 0, 0, "fast connection", Hello)
        {
            Group = "connection",
            Summary = "Chooses the protocol version, optionally authenticating and naming the connection.",
            Since = "6.0.0",
        });
        t.Add(new("auth", -2, Handshake, 0, 0, 0, "fast connection", Auth)
        {
            Group = "connection",
            Summary = "Authenticates the connection.",
        });
        t.Add(new("reset", 1, Handshake, 0, 0, 0, "fast connection", Reset)
        {
            Group = "connection",
            Summary = "Returns the connection to its initial state.",
            Since = "6.2.0",
        });
    }

    private static CommandSpec Sub(string name, int arity, CommandFlags flags, string categories, CommandHandler handler, string summary, string since) =>
        new(name, arity, flags, 0, 0, 0, categories, handler) { Group = "connection", Summary = summary, Since = since };

    private static void Container(CommandContext ctx) => ctx.WrongArgs();

    private static readonly string[] HelpLines =
    [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help.",
    ];

    private static void Help(CommandContext ctx)
    {
        ctx.Reply.WriteArrayHeader(HelpLines.Length);
        foreach (string line in HelpLines)
        {
            ctx.Reply.WriteSimpleString(line);
        }
    }

    private static void Id(CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Session.Id);

    private static void GetName(CommandContext ctx)
    {
        if (ctx.Session.Name == null)
        {
            ctx.Reply.WriteNull();
        }
        else
        {
            ctx.Reply.WriteBulkString(ctx.Session.Name);
        }
    }

    private static void SetName(CommandContext ctx)
    {
        if (!IsValidName(ctx.Arg(2)))
        {
            ctx.Error(Errors.InvalidClientName);
            return;
        }
        SetNameUnchecked(ctx.Session, ctx.Arg(2));
        ctx.Reply.WriteOk();
    }

    /// <summary>Redis accepts only printable ASCII without spaces ('!' to '~') in a client name.</summary>
    private static bool IsValidName(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
        {
            if (b < (byte)'!' || b > (byte)'~')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Sets the name; an empty name removes it.</summary>
    private static void SetNameUnchecked(ClientSession session, ReadOnlySpan<byte> name) =>
        session.Name = name.Length == 0 ? null : Encoding.ASCII.GetString(name);

    private static void Info(CommandContext ctx)
    {
        var sb = new StringBuilder(320);
        ClientInfo.Append(sb, ctx.Session, ctx.Session);
        sb.Append('\n');
        ctx.Reply.WriteVerbatim(sb.ToString());
    }

    private static void List(CommandContext ctx)
    {
        ClientType? type = null;
        var sb = new StringBuilder(1024);
        if (ctx.ArgCount == 4 && ctx.ArgIs(2, "type"))
        {
            if (!ClientInfo.TryParseType(ctx.Arg(3), out ClientType parsed))
            {
                ctx.Error(Errors.UnknownClientType(ctx.ArgString(3)));
                return;
            }
            type = parsed;
        }
        else if (ctx.ArgCount > 3 && ctx.ArgIs(2, "id"))
        {
            for (int i = 3; i < ctx.ArgCount; i++)
            {
                if (!ctx.TryGetLong(i, out long id, Errors.InvalidClientId))
                {
                    return;
                }
                if (ctx.Server.Clients.Find(id) is { } client)
                {
                    ClientInfo.Append(sb, client, ctx.Session);
                    sb.Append('\n');
                }
            }
            ctx.Reply.WriteVerbatim(sb.ToString());
            return;
        }
        else if (ctx.ArgCount != 2)
        {
            ctx.SyntaxError();
            return;
        }
        foreach (ClientSession client in ctx.Server.Clients.Snapshot())
        {
            if (type == null || ClientInfo.TypeOf(client) == type)
            {
                ClientInfo.Append(sb, client, ctx.Session);
                sb.Append('\n');
            }
        }
        ctx.Reply.WriteVerbatim(sb.ToString());
    }

    /// <summary>
    /// CLIENT KILL addr:port (old form: replies OK or an error, may kill the caller) or
    /// CLIENT KILL [ID id] [TYPE type] [ADDR addr] [LADDR addr] [USER name] [SKIPME yes|no] (replies the count).
    /// A killed caller gets its reply before the connection closes.
    /// </summary>
    private static void Kill(CommandContext ctx)
    {
        string? addr = null;
        string? laddr = null;
        ClientType? type = null;
        long id = 0;
        bool skipMe = true;
        bool oldForm = ctx.ArgCount == 3;
        if (oldForm)
        {
            addr = ctx.ArgString(2);
            skipMe = false;
        }
        else
        {
            for (int i = 2; i < ctx.ArgCount; i += 2)
            {
                bool more = i + 1 < ctx.ArgCount;
                if (more && ctx.ArgIs(i, "id"))
                {
                    if (!CommandContext.TryParseLong(ctx.Arg(i + 1), out id) || id < 1)
                    {
                        ctx.Error(Errors.ClientIdNotPositive);
                        return;
                    }
                }
                else if (more && ctx.ArgIs(i, "type"))
                {
                    if (!ClientInfo.TryParseType(ctx.Arg(i + 1), out ClientType parsed))
                    {
                        ctx.Error(Errors.UnknownClientType(ctx.ArgString(i + 1)));
                        return;
                    }
                    type = parsed;
                }
                else if (more && ctx.ArgIs(i, "addr"))
                {
                    addr = ctx.ArgString(i + 1);
                }
                else if (more && ctx.ArgIs(i, "laddr"))
                {
                    laddr = ctx.ArgString(i + 1);
                }
                else if (more && ctx.ArgIs(i, "user"))
                {
                    // Only the default user exists until ACL users are added.
                    if (!ctx.Arg(i + 1).SequenceEqual("default"u8))
                    {
                        ctx.Error(Errors.NoSuchUser(ctx.ArgString(i + 1)));
                        return;
                    }
                }
                else if (more && ctx.ArgIs(i, "skipme"))
                {
                    if (ctx.ArgIs(i + 1, "yes"))
                    {
                        skipMe = true;
                    }
                    else if (ctx.ArgIs(i + 1, "no"))
                    {
                        skipMe = false;
                    }
                    else
                    {
                        ctx.SyntaxError();
                        return;
                    }
                }
                else
                {
                    ctx.SyntaxError();
                    return;
                }
            }
        }

        long killed = 0;
        bool killSelf = false;
        foreach (ClientSession client in ctx.Server.Clients.Snapshot())
        {
            if ((addr != null && client.AddressText != addr) ||
                (laddr != null && client.LocalAddressText != laddr) ||
                (type != null && ClientInfo.TypeOf(client) != type) ||
                (id != 0 && client.Id != id) ||
                (skipMe && ReferenceEquals(client, ctx.Session)))
            {
                continue;
            }
            if (ReferenceEquals(client, ctx.Session))
            {
                killSelf = true;
            }
            else
            {
                // Gone from CLIENT LIST at once, as Redis frees the client synchronously; it runs nothing more.
                client.CloseAfterReply = true;
                ctx.Server.Clients.Remove(client);
                client.Close();
            }
            killed++;
        }

        if (oldForm)
        {
            if (killed == 0)
            {
                ctx.Error(Errors.NoSuchClient);
            }
            else
            {
                ctx.Reply.WriteOk();
            }
        }
        else
        {
            ctx.Reply.WriteInteger(killed);
        }
        if (killSelf)
        {
            ctx.Session.CloseAfterReply = true;
        }
    }

    private static void Pause(CommandContext ctx)
    {
        if (ctx.ArgCount > 4)
        {
            ctx.Error(Errors.SubcommandSyntax(ctx.ArgString(1), "client"));
            return;
        }
        PauseKind kind = PauseKind.All;
        if (ctx.ArgCount == 4)
        {
            if (ctx.ArgIs(3, "write"))
            {
                kind = PauseKind.Write;
            }
            else if (!ctx.ArgIs(3, "all"))
            {
                ctx.Error(Errors.PauseMode);
                return;
            }
        }
        if (!ctx.TryGetLong(2, out long timeout, Errors.PauseTimeoutNotInteger))
        {
            return;
        }
        if (timeout < 0)
        {
            ctx.Error(Errors.PauseTimeoutNegative);
            return;
        }
        if (timeout > long.MaxValue - ctx.NowMs)
        {
            // Redis adds the timeout to the Unix time in ms and overflows into the past: a pause that ends at once.
            timeout = 0;
        }
        ctx.Server.Pause.Pause(kind, timeout);
        ctx.Reply.WriteOk();
    }

    private static void Unpause(CommandContext ctx)
    {
        ctx.Server.Pause.Unpause();
        ctx.Reply.WriteOk();
    }

    /// <summary>
    /// CLIENT REPLY ON|OFF|SKIP. OFF and SKIP get no reply; SKIP silences only the next command
    /// (the executor turns ReplyMode.Skip into a skip of the following command); ON also cancels a pending skip.
    /// </summary>
    private static void Reply(CommandContext ctx)
    {
        ClientSession s = ctx.Session;
        if (ctx.ArgIs(2, "on"))
        {
            s.ReplyMode = ReplyMode.On;
            s.SkipCurrentReply = false;
            ctx.Reply.WriteOk();
        }
        else if (ctx.ArgIs(2, "off"))
        {
            s.ReplyMode = ReplyMode.Off;
        }
        else if (ctx.ArgIs(2, "skip"))
        {
            if (s.ReplyMode != ReplyMode.Off)
            {
                s.ReplyMode = ReplyMode.Skip;
            }
        }
        else
        {
            ctx.SyntaxError();
        }
    }

    private static void NoEvict(CommandContext ctx)
    {
        if (ctx.ArgIs(2, "on"))
        {
            ctx.Session.NoEvict = true;
        }
        else if (ctx.ArgIs(2, "off"))
        {
            ctx.Session.NoEvict = false;
        }
        else
        {
            ctx.SyntaxError();
            return;
        }
        ctx.Reply.WriteOk();
    }

    // Client-side caching (CLIENT TRACKING) is not supported, so tracking is always off.
    private static void Caching(CommandContext ctx) =>
        ctx.Error(Errors.CachingWithoutTracking);

    private static void GetRedir(CommandContext ctx) => ctx.Reply.WriteInteger(-1);

    private static void TrackingInfo(CommandContext ctx)
    {
        ctx.Reply.WriteMapHeader(3);
        ctx.Reply.WriteBulkString("flags"u8);
        ctx.Reply.WriteSetHeader(1);
        ctx.Reply.WriteBulkString("off"u8);
        ctx.Reply.WriteBulkString("redirect"u8);
        ctx.Reply.WriteInteger(-1);
        ctx.Reply.WriteBulkString("prefixes"u8);
        ctx.Reply.WriteArrayHeader(0);
    }

    /// <summary>HELLO [protover [AUTH user pass] [SETNAME name]]: replies the server's handshake map in the chosen protocol.</summary>
    private static void Hello(CommandContext ctx)
    {
        long version = 0;
        int next = 1;
        if (ctx.ArgCount >= 2)
        {
            if (!ctx.TryGetLong(next++, out version, Errors.HelloBadProtocol))
            {
                return;
            }
            if (version < 2 || version > 3)
            {
                ctx.Error(Errors.NoProto);
                return;
            }
        }
        int userArg = -1;
        int nameArg = -1;
        for (int j = next; j < ctx.ArgCount; j++)
        {
            int more = ctx.ArgCount - j - 1;
            if (ctx.ArgIs(j, "auth") && more >= 2)
            {
                ctx.RedactArgument(j + 1);
                ctx.RedactArgument(j + 2);
                userArg = j + 1;
                j += 2;
            }
            else if (ctx.ArgIs(j, "setname") && more >= 1)
            {
                if (!IsValidName(ctx.Arg(j + 1)))
                {
                    ctx.Error(Errors.InvalidClientName);
                    return;
                }
                nameArg = j + 1;
                j++;
            }
            else
            {
                ctx.Error(Errors.HelloSyntax(ctx.ArgString(j)));
                return;
            }
        }
        ClientSession s = ctx.Session;
        if (userArg > 0 && !TryAuthenticate(ctx, ctx.Arg(userArg), ctx.Arg(userArg + 1)))
        {
            ctx.Error(Errors.WrongPass);
            return;
        }
        if (!IsAuthenticated(ctx))
        {
            ctx.Error(Errors.HelloNoAuth);
            return;
        }
        if (nameArg > 0)
        {
            SetNameUnchecked(s, ctx.Arg(nameArg));
        }
        if (version != 0)
        {
            s.Protocol = (int)version;
        }
        WriteHelloMap(ctx);
    }

    private static void Auth(CommandContext ctx)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.SyntaxError();
            return;
        }
        // Credentials never show in MONITOR or SLOWLOG, whatever the outcome.
        ctx.RedactArgument(1);
        if (ctx.ArgCount == 3)
        {
            ctx.RedactArgument(2);
        }
        bool ok;
        if (ctx.ArgCount == 2)
        {
            if (ctx.Server.Config.RequirePass.Length == 0)
            {
                ctx.Error(Errors.AuthWithoutPassword);
                return;
            }
            ok = TryAuthenticate(ctx, "default"u8, ctx.Arg(1));
        }
        else
        {
            ok = TryAuthenticate(ctx, ctx.Arg(1), ctx.Arg(2));
        }
        if (ok)
        {
            ctx.Reply.WriteOk();
        }
        else
        {
            ctx.Error(Errors.WrongPass);
        }
    }

    private static bool IsAuthenticated(CommandContext ctx) => ctx.Session.Authenticated || ctx.Server.Config.RequirePass.Length == 0;

    /// <summary>
    /// Checks credentials against the default user (the only user until ACL users exist): with no requirepass it
    /// accepts any password, as Redis's nopass default user does. A failure leaves an earlier login in place.
    /// </summary>
    private static bool TryAuthenticate(CommandContext ctx, ReadOnlySpan<byte> user, ReadOnlySpan<byte> password)
    {
        if (!user.SequenceEqual("default"u8))
        {
            return false;
        }
        string required = ctx.Server.Config.RequirePass;
        if (required.Length > 0)
        {
            byte[] expected = Encoding.UTF8.GetBytes(required);
            if (!CryptographicOperations.FixedTimeEquals(expected, password))
            {
                return false;
            }
        }
        ctx.Session.Authenticated = true;
        return true;
    }

    /// <summary>
    /// RESET: database 0, RESP2, no name, replies on (a skip already in force for this very command stays),
    /// out of MONITOR, and logged out when a password is required. NO-EVICT is kept, as Redis does.
    /// </summary>
    private static void Reset(CommandContext ctx)
    {
        ClientSession s = ctx.Session;
        s.DbIndex = 0;
        s.Protocol = 2;
        s.Name = null;
        s.ReplyMode = ReplyMode.On;
        if (s.IsMonitor)
        {
            ctx.Server.Monitors.Remove(s);
            s.IsMonitor = false;
        }
        // Unsubscribes silently (no confirmations), as Redis's clearClientConnectionState.
        ctx.Server.PubSub.RemoveClient(s);
        s.Authenticated = ctx.Server.Config.RequirePass.Length == 0;
        TransactionCommands.DiscardTransaction(s);
        ctx.Reply.WriteRaw("+RESET\r\n"u8);
    }

    /// <summary>The handshake map: server, version, proto, id, mode, role, modules (a map in RESP3, a flat array in RESP2).</summary>
    private static void WriteHelloMap(CommandContext ctx)
    {
        Protocol.RespWriter w = ctx.Reply;
        w.WriteMapHeader(7);
        w.WriteBulkString("server"u8);
        w.WriteBulkString("redis"u8);
        w.WriteBulkString("version"u8);
        w.WriteBulkString(AmberServer.Version);
        w.WriteBulkString("proto"u8);
        w.WriteInteger(ctx.Session.Protocol);
        w.WriteBulkString("id"u8);
        w.WriteInteger(ctx.Session.Id);
        w.WriteBulkString("mode"u8);
        w.WriteBulkString("standalone"u8);
        w.WriteBulkString("role"u8);
        w.WriteBulkString("master"u8);
        w.WriteBulkString("modules"u8);
        w.WriteArrayHeader(0);
    }
}
