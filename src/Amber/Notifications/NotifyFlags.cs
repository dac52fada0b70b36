namespace Amber.Notifications;

/// <summary>Keyspace notification classes, as the letters of notify-keyspace-events.</summary>
[Flags]
internal enum NotifyFlags
{
    None = 0,
    Keyspace = 1 << 0,   // K
    Keyevent = 1 << 1,   // E
    Generic = 1 << 2,    // g
    String = 1 << 3,     // $
    List = 1 << 4,       // l
    Set = 1 << 5,        // s
    Hash = 1 << 6,       // h
    SortedSet = 1 << 7,  // z
    Expired = 1 << 8,    // x
    Evicted = 1 << 9,    // e
    Stream = 1 << 10,    // t
    KeyMiss = 1 << 11,   // m
    New = 1 << 12,       // n
}
