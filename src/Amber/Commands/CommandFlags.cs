namespace Amber.Commands;

/// <summary>Redis's command flags, as COMMAND INFO reports them and as the dispatcher enforces them.</summary>
[Flags]
internal enum CommandFlags
{
    None = 0,
    Write = 1 << 0,
    ReadOnly = 1 << 1,
    DenyOom = 1 << 2,
    Admin = 1 << 3,
    PubSub = 1 << 4,
    NoScript = 1 << 5,
    Blocking = 1 << 6,
    Loading = 1 << 7,
    Stale = 1 << 8,
    SkipMonitor = 1 << 9,
    SkipSlowlog = 1 << 10,
    Fast = 1 << 11,
    NoAuth = 1 << 12,
    MayReplicate = 1 << 13,
    Sentinel = 1 << 14,
    OnlySentinel = 1 << 15,
    NoMandatoryKeys = 1 << 16,
    Protected = 1 << 17,
    NoAsyncLoading = 1 << 18,
    NoMulti = 1 << 19,
    MovableKeys = 1 << 20,
    AllowBusy = 1 << 21,
}
