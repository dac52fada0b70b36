using System.Text;
using Amber.Config;
using Amber.Diagnostics;
using Amber.Protocol;
using Amber.Server;

namespace Amber.Tests;

/// <summary>
/// The ordering rules of ClientSession's push queue against its replies, driven directly (no sockets, so the
/// interleavings a socket test can only hope to hit are forced here).
/// </summary>
public class PushOrderTests
{
    private static (AmberServer Server, ClientSession Session, Func<int> Signals) NewSession()
    {
        var server = new AmberServer(new ServerConfig(), new ServerLog(TextWriter.Null));
        var session = new ClientSession(1, server, null, null);
        int signals = 0;
        session.PushSignal = () => signals++;
        return (server, session, () => signals);
    }

    private static void PushMessage(ClientSession s, string text) =>
        s.PushArrayFrame(Encoding.ASCII.GetBytes($"*1\r\n${text.Length}\r\n{text}\r\n"));

    private static string Taken(ClientSession s)
    {
        var into = new RespWriter(256);
        return s.TakePushes(into) ? Encoding.ASCII.GetString(into.WrittenSpan) : "";
    }

    private static string ReplyText(ClientSession s) => Encoding.ASCII.GetString(s.Reply.WrittenSpan);

    [Fact]
    public void PushesWaitUntilTheBatchRepliesAreSent()
    {
        var (server, s, _) = NewSession();
        lock (server.KeyspaceLock)
        {
            s.BeginBatchPushes();
            s.Reply.WriteRaw("+OK\r\n"u8);
            s.EndBatchPushes();
        }
        // Published after the batch ran, before its reply left: must not overtake it.
        PushMessage(s, "late");
        Assert.Equal("", Taken(s));
        s.Reply.Reset();
        s.ReplySent();
        Assert.Equal("*1\r\n$4\r\nlate\r\n", Taken(s));
    }

    [Fact]
    public void PushesQueuedBeforeABatchGoBeforeItsReplies()
    {
        var (server, s, _) = NewSession();
        PushMessage(s, "early");
        lock (server.KeyspaceLock)
        {
            s.BeginBatchPushes();
            s.Reply.WriteRaw("+OK\r\n"u8);
            s.EndBatchPushes();
        }
        Assert.Equal("*1\r\n$5\r\nearly\r\n+OK\r\n", ReplyText(s));
        Assert.Equal("", Taken(s));
    }

    [Fact]
    public void OwnPushGoesBeforeAnUnstartedReplyAndAfterAStartedOne()
    {
        var (server, s, _) = NewSession();
        lock (server.KeyspaceLock)
        {
            s.BeginBatchPushes();
            s.BeginCommandPushes(s.Reply.Length);
            PushMessage(s, "a");
            PushMessage(s, "b");
            s.Reply.WriteRaw(":2\r\n"u8);
            s.EndCommandPushes();

            s.BeginCommandPushes(s.Reply.Length);
            s.Reply.WriteRaw("*2\r\n$1\r\nx\r\n"u8);
            // A push in the middle of a reply waits for the reply's end.
            PushMessage(s, "c");
            s.Reply.WriteRaw("$1\r\ny\r\n"u8);
            s.EndCommandPushes();
            s.EndBatchPushes();
        }
        Assert.Equal("*1\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n:2\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n*1\r\n$1\r\nc\r\n", ReplyText(s));
    }

    [Fact]
    public void NestedCommandsReleaseHeldPushesOnlyAtTheOuterEnd()
    {
        var (server, s, _) = NewSession();
        lock (server.KeyspaceLock)
        {
            s.BeginBatchPushes();
            s.BeginCommandPushes(s.Reply.Length);
            s.Reply.WriteRaw("*1\r\n"u8);
            s.BeginCommandPushes(s.Reply.Length);
            PushMessage(s, "m");
            s.Reply.WriteRaw(":1\r\n"u8);
            s.EndCommandPushes();
            s.EndCommandPushes();
            s.EndBatchPushes();
        }
        Assert.Equal("*1\r\n:1\r\n*1\r\n$1\r\nm\r\n", ReplyText(s));
    }

    [Fact]
    public void SilencedReplyKeepsOwnPushes()
    {
        var (server, s, _) = NewSession();
        lock (server.KeyspaceLock)
        {
            s.BeginBatchPushes();
            s.ReplyMode = ReplyMode.Off;
            int start = s.Reply.Length;
            s.BeginCommandPushes(start);
            PushMessage(s, "kept");
            s.Reply.WriteRaw(":1\r\n"u8);
            s.Reply.Truncate(start);
            s.EndCommandPushes();
            s.EndBatchPushes();
        }
        Assert.Equal("*1\r\n$4\r\nkept\r\n", ReplyText(s));
    }

    [Fact]
    public void PushesUseTheProtocolInForceWhenPushed()
    {
        var (_, s, signals) = NewSession();
        PushMessage(s, "two");
        Assert.Equal("*1\r\n$3\r\ntwo\r\n", Taken(s));
        s.Protocol = 3;
        PushMessage(s, "three");
        s.Push(w => w.WriteNull());
        Assert.Equal(">1\r\n$5\r\nthree\r\n_\r\n", Taken(s));
        Assert.Equal(3, signals());
    }
}
