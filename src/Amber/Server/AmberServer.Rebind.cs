using System.Net.Sockets;

namespace Amber.Server;

/// <summary>CONFIG SET port / bind: listen on the new addresses, as Redis does, without a restart.</summary>
internal sealed partial class AmberServer
{
    private readonly HashSet<Socket> _retiredListeners = [];

    /// <summary>What the current listeners were opened for ("addresses port N"); set by Start and each rebind.</summary>
    private string? _listeningOn;

    private string ListenTarget => string.Join(' ', Config.Bind) + " port " + Config.Port;

    private bool IsRetired(Socket listener)
    {
        lock (_retiredListeners)
        {
            return _retiredListeners.Contains(listener);
        }
    }

    /// <summary>
    /// Closes the listeners and opens new ones for the configured bind addresses and port (closing first, so the same
    /// port can be rebound). When a required address cannot be bound, the previous addresses are bound again and false
    /// is returned; the caller then restores the previous settings.
    /// </summary>
    public bool TryRebind()
    {
        string target = ListenTarget;
        if (target == _listeningOn)
        {
            // CONFIG SET port and bind together: the second apply finds the listeners already in place.
            return true;
        }
        Socket[] old = [.. _listeners];
        int oldBoundPort = old.Length > 0 ? ((System.Net.IPEndPoint)old[0].LocalEndPoint!).Port : 0;
        CloseListeners(old);
        if (OpenListeners(Config.Bind, Config.Port) is { } fresh)
        {
            StartListeners(fresh, target);
            return true;
        }
        // Rebind what was there before (best effort: the old addresses were free a moment ago).
        if (_listeningOn != null && old.Length > 0)
        {
            int split = _listeningOn.LastIndexOf(" port ", StringComparison.Ordinal);
            string[] oldBind = _listeningOn[..split].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int oldPort = int.Parse(_listeningOn.AsSpan(split + 6), System.Globalization.CultureInfo.InvariantCulture);
            oldPort = oldPort == 0 ? oldBoundPort : oldPort;
            if (OpenListeners(oldBind, oldPort) is { } previous)
            {
                StartListeners(previous, _listeningOn);
            }
        }
        return false;
    }

    private void CloseListeners(Socket[] listeners)
    {
        lock (_retiredListeners)
        {
            foreach (Socket s in listeners)
            {
                _retiredListeners.Add(s);
            }
        }
        _listeners.Clear();
        foreach (Socket s in listeners)
        {
            s.Dispose();
        }
    }

    private List<Socket>? OpenListeners(string[] bind, int port)
    {
        var fresh = new List<Socket>();
        foreach (string address in bind)
        {
            bool optional = address.StartsWith('-');
            string host = optional ? address[1..] : address;
            try
            {
                fresh.Add(Listen(host, port));
            }
            catch (Exception e) when (e is SocketException or FormatException)
            {
                if (optional && e is SocketException)
                {
                    continue;
                }
                Log.Warning($"Could not create server TCP listening socket {host}:{port}: {e.Message}");
                foreach (Socket s in fresh)
                {
                    s.Dispose();
                }
                return null;
            }
        }
        return fresh;
    }

    private void StartListeners(List<Socket> listeners, string target)
    {
        _listeningOn = target;
        _listeners.AddRange(listeners);
        foreach (Socket listener in listeners)
        {
            _ = AcceptLoopAsync(listener);
        }
    }
}
