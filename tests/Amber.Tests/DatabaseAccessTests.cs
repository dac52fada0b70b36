using System.Text;
using Amber.Keyspace;

namespace Amber.Tests;

/// <summary>Database lookups without a server: lazy expiry and access tracking, with the clock passed in explicitly.</summary>
public class DatabaseAccessTests
{
    private sealed class RecordingEvents(bool lfu = false) : KeyspaceEvents
    {
        public List<string> Expired { get; } = [];

        public override bool TrackFrequency => lfu;

        public override Random Random { get; } = new(12345);

        public override void OnExpired(Database db, Entry entry) => Expired.Add(Encoding.ASCII.GetString(entry.Key));
    }

    private static byte[] K(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void FindExpiresLazilyAtTheDeadlineAndReportsIt()
    {
        var events = new RecordingEvents();
        var db = new Database(0, events);
        const long now = 1_700_000_000_000;
        Entry e = db.Set(K("k"), K("v"), now);
        db.SetExpiry(e, now + 100);
        Assert.Same(e, db.Find(K("k"), now + 99));
        Assert.Equal(1, db.VolatileCount);
        Assert.Null(db.Find(K("k"), now + 100));
        Assert.Equal(0, db.Count);
        Assert.Equal(0, db.VolatileCount);
        Assert.Equal(["k"], events.Expired);
    }

    [Fact]
    public void PeekExpiresButDoesNotCountAsAnAccess()
    {
        var db = new Database(0, new RecordingEvents());
        const long now = 1_700_000_000_000;
        Entry e = db.Set(K("k"), K("v"), now);
        Assert.Equal((uint)(now / 1000), e.LastAccessSeconds);
        Assert.Same(e, db.Peek(K("k"), now + 60_000));
        Assert.Equal((uint)(now / 1000), e.LastAccessSeconds);
        Assert.Same(e, db.Find(K("k"), now + 60_000));
        Assert.Equal((uint)(now / 1000) + 60, e.LastAccessSeconds);
        db.SetExpiry(e, now + 61_000);
        Assert.Null(db.Peek(K("k"), now + 61_000));
        Assert.Equal(0, db.Count);
    }

    [Fact]
    public void SuppressedExpiryKeepsKeysVisible()
    {
        var events = new RecordingEvents { SuppressExpiry = true };
        var db = new Database(0, events);
        Entry e = db.Set(K("k"), K("v"), 1000);
        db.SetExpiry(e, 2000);
        Assert.Same(e, db.Find(K("k"), 5000));
        Assert.Empty(events.Expired);
    }

    [Fact]
    public void LfuCounterStartsAtFiveGrowsLogarithmicallyAndDecays()
    {
        var db = new Database(0, new RecordingEvents(lfu: true));
        const long now = 1_700_000_000_000;
        Entry e = db.Set(K("k"), K("v"), now);
        Assert.Equal(AccessTracking.LfuInitialValue, e.Frequency);
        db.Find(K("k"), now);
        Assert.Equal(6, e.Frequency);
        for (int i = 0; i < 10_000; i++)
        {
            db.Find(K("k"), now);
        }
        // p = 1 / ((counter - 5) * 10 + 1), so n hits reach about 5 + sqrt(n / 5): near 49 for ten thousand, far from the cap.
        Assert.InRange(e.Frequency, 40, 60);
        byte f = e.Frequency;
        Assert.Equal(f - 10, AccessTracking.DecayedFrequency(e, (uint)(now / 1000) + 600));
        Assert.Equal(0, AccessTracking.DecayedFrequency(e, (uint)(now / 1000) + 600 * 60));
    }
}
