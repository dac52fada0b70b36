namespace Amber.Hosting;

/// <summary>
/// Makes .NET run socket completions on its event (epoll) thread instead of handing each one to the thread pool:
/// a request is then read, executed and answered on the thread that saw it arrive, as on Redis's event loop, with
/// no thread hop per request and no contention for the keyspace lock between pool threads. With one event thread
/// (the default set here) every command runs on that thread, so anything a command waits for must be async
/// (blocking pops, CLIENT PAUSE, appendfsync always); a command that blocks (SAVE, DEBUG SLEEP) stops every client,
/// as it does in Redis.
/// <para>
/// .NET reads these settings only from the environment, once, when the first socket operation starts the engine
/// (there is no runtimeconfig knob), so <see cref="Configure"/> must run before any socket is used. An operator's
/// own value of either variable wins.
/// </para>
/// </summary>
public static class SocketScheduling
{
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    public const string EventThreadsVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    public static void Configure()
    {
        SetDefault(InlineCompletionsVariable, "1");
        SetDefault(EventThreadsVariable, "1");
    }

    private static void SetDefault(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
