using System.Globalization;
using System.Text;

namespace Amber.Server;

/// <summary>Redis's client types, as CLIENT LIST TYPE and CLIENT KILL TYPE name them.</summary>
internal enum ClientType
{
    Normal,
    Replica,
    PubSub,
    Master,
}

/// <summary>Formats a client as one CLIENT LIST / CLIENT INFO line, field for field as Redis 7.0.</summary>
internal static class ClientInfo
{
    /// <summary>Fixed per-client overhead counted in tot-mem (the session, parser, context and their tables).</summary>
    private const int SessionOverheadBytes = 4096;

    /// <summary>Parses a client type name (normal, slave, replica, pubsub, master) case-insensitively.</summary>
    public static bool TryParseType(ReadOnlySpan<byte> name, out ClientType type)
    {
        if (Ascii.EqualsIgnoreCase(name, "normal"u8))
        {
            type = ClientType.Normal;
        }
        else if (Ascii.EqualsIgnoreCase(name, "slave"u8) || Ascii.EqualsIgnoreCase(name, "replica"u8))
        {
            type = ClientType.Replica;
        }
        else if (Ascii.EqualsIgnoreCase(name, "pubsub"u8))
        {
            type = ClientType.PubSub;
        }
        else if (Ascii.EqualsIgnoreCase(name, "master"u8))
        {
            type = ClientType.Master;
        }
        else
        {
            type = default;
            return false;
        }
        return true;
    }

    /// <summary>A client's type. MONITOR clients count as normal, as in Redis.</summary>
    public static ClientType TypeOf(ClientSession c) => c.IsPubSub ? ClientType.PubSub : ClientType.Normal;

    /// <summary>Appends the client's line (without the trailing newline).</summary>
    /// <param name="self">The client running the command: its arguments are live, so argv-mem is known.</param>
    public static void Append(StringBuilder sb, ClientSession c, ClientSession self)
    {
        long now = Environment.TickCount64;
        long argvMem = 0;
        if (ReferenceEquals(c, self) || c.PausePending)
        {
            for (int i = 0; i < c.Args.Count; i++)
            {
                argvMem += c.Args[i].Length;
            }
        }
        int rbs = c.QueryBufferLength + c.QueryBufferFree;
        int obl = c.Reply.Length;
        long multiMem = c.MultiQueued >= 0 ? c.Transaction?.QueuedBytes ?? 0 : 0;
        long totMem = SessionOverheadBytes + rbs + obl + argvMem + multiMem;
        long fd = c.Socket is { } socket ? SocketFd(socket) : -1;

        CultureInfo inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"id={c.Id} addr={c.AddressText} laddr={c.LocalAddressText} fd={fd} name={c.Name} ");
        sb.Append(inv, $"age={(now - c.CreatedMs) / 1000} idle={(now - c.LastInteractionMs) / 1000} flags=");
        AppendFlags(sb, c);
        sb.Append(inv, $" db={c.DbIndex} sub={c.Subscriptions} psub={c.PatternSubscriptions} ssub={c.ShardSubscriptions} multi={c.MultiQueued} ");
        sb.Append(inv, $"qbuf={c.QueryBufferLength} qbuf-free={c.QueryBufferFree} argv-mem={argvMem} multi-mem={multiMem} rbs={rbs} rbp={rbs} ");
        sb.Append(inv, $"obl={obl} oll=0 omem=0 tot-mem={totMem} events=r cmd={c.LastCommand} user=default redir=-1 resp={c.Protocol}");
    }

    private static void AppendFlags(StringBuilder sb, ClientSession c)
    {
        int before = sb.Length;
        // Same letters, same order as Redis's catClientInfoString.
        if (c.IsMonitor)
        {
            sb.Append('O');
        }
        if (c.IsPubSub)
        {
            sb.Append('P');
        }
        if (c.MultiQueued >= 0)
        {
            sb.Append('x');
        }
        if (c.IsBlocked || c.PausePending)
        {
            sb.Append('b');
        }
        if (c.Transaction is { WatchTouched: true })
        {
            sb.Append('d');
        }
        if (c.CloseAfterReply)
        {
            sb.Append('c');
        }
        if (c.NoEvict)
        {
            sb.Append('e');
        }
        if (sb.Length == before)
        {
            sb.Append('N');
        }
    }

    private static long SocketFd(System.Net.Sockets.Socket socket)
    {
        try
        {
            return socket.SafeHandle.IsInvalid ? -1 : socket.Handle.ToInt64();
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }
}
