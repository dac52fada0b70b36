using Amber.Config;
using Amber.Server;

namespace Amber.PubSub;

/// <summary>
/// client-output-buffer-limit for pushes a client does not read fast enough (a slow subscriber, or MONITOR):
/// over the hard limit, or over the soft limit for longer than its seconds, the client is closed, as Redis
/// does (class pubsub for subscribed clients, normal otherwise). Pushes queued after that are dropped.
/// </summary>
internal sealed class PushBacklogLimit
{
    private long _softSinceMs = -1;
    private bool _closed;

    /// <summary>Checks the queued push bytes after a push; true when the client was (or is now) closed for it.</summary>
    public bool CheckPushBacklog(ClientSession session, long queuedBytes)
    {
        if (_closed)
        {
            return true;
        }
        ClientOutputBufferLimit[] limits = session.Server.Config.ClientOutputBufferLimits;
        ClientOutputBufferLimit limit = limits[session.IsPubSub ? 2 : 0];
        bool hard = limit.HardBytes > 0 && queuedBytes >= limit.HardBytes;
        bool soft = false;
        if (limit.SoftBytes > 0 && queuedBytes >= limit.SoftBytes)
        {
            long now = Environment.TickCount64;
            if (_softSinceMs < 0)
            {
                _softSinceMs = now;
            }
            soft = now - _softSinceMs >= limit.SoftSeconds * 1000;
        }
        else
        {
            _softSinceMs = -1;
        }
        if (!hard && !soft)
        {
            return false;
        }
        _closed = true;
        session.Server.Log.Warning($"Client id={session.Id} addr={session.AddressText} scheduled to be closed ASAP for overcoming of output buffer limits.");
        session.Close();
        return true;
    }
}
