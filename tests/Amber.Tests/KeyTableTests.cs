using System.Text;
using Amber.Keyspace;

namespace Amber.Tests;

/// <summary>The keyspace hash table on its own (no server, no sockets): rehashing, SCAN's guarantee, random picks.</summary>
public class KeyTableTests
{
    private static byte[] Key(string name) => Encoding.ASCII.GetBytes(name);

    private static Entry NewEntry(string name)
    {
        byte[] key = Key(name);
        return Entry.Create(key, KeyHash.Of(key), key);
    }

    private static bool Contains(KeyTable table, string name)
    {
        byte[] key = Key(name);
        return table.Find(key, KeyHash.Of(key)) != null;
    }

    private static void Remove(KeyTable table, string name)
    {
        byte[] key = Key(name);
        Assert.NotNull(table.Remove(key, KeyHash.Of(key)));
    }

    [Fact]
    public void GrowsIncrementallyAndEveryKeyStaysFindable()
    {
        var table = new KeyTable();
        bool sawRehash = false;
        for (int i = 0; i < 5000; i++)
        {
            table.Add(NewEntry("k" + i));
            if (table.IsRehashing)
            {
                sawRehash = true;
                // In the middle of a resize, old and new keys are found in either table.
                Assert.True(Contains(table, "k0"));
                Assert.True(Contains(table, "k" + (i / 2)));
                Assert.True(Contains(table, "k" + i));
            }
        }
        Assert.True(sawRehash);
        Assert.Equal(5000, table.Count);
        table.RehashFor(1000);
        Assert.False(table.IsRehashing);
        // Grown by doubling from 4 while the load reached 1: the smallest power of two holding every key.
        Assert.Equal(8192, table.BucketCount);
        for (int i = 0; i < 5000; i++)
        {
            Assert.True(Contains(table, "k" + i));
        }
        Assert.False(Contains(table, "k5000"));
    }

    [Fact]
    public void ShrinksWhenSparseAndKeepsTheRemainingKeys()
    {
        var table = new KeyTable();
        for (int i = 0; i < 4096; i++)
        {
            table.Add(NewEntry("k" + i));
        }
        table.RehashFor(1000);
        int before = table.BucketCount;
        Assert.Equal(4096, before);
        for (int i = 0; i < 4096; i++)
        {
            if (i % 64 != 0)
            {
                Remove(table, "k" + i);
            }
        }
        Assert.Equal(64, table.Count);
        table.ShrinkIfSparse();
        Assert.True(table.IsRehashing);
        int steps = 0;
        while (table.IsRehashing)
        {
            table.RehashStep();
            steps++;
            // Every remaining key is findable at every step of the shrink.
            Assert.True(Contains(table, "k0"));
            Assert.True(Contains(table, "k4032"));
        }
        Assert.True(steps > 1, "the shrink should take several steps");
        Assert.Equal(64, table.BucketCount);
        Assert.Equal(64, table.Count);
        for (int i = 0; i < 4096; i++)
        {
            Assert.Equal(i % 64 == 0, Contains(table, "k" + i));
        }
    }

    [Fact]
    public void ShrinkDoesNotGoBelowTheInitialSize()
    {
        var table = new KeyTable();
        for (int i = 0; i < 100; i++)
        {
            table.Add(NewEntry("k" + i));
        }
        for (int i = 0; i < 100; i++)
        {
            Remove(table, "k" + i);
        }
        table.ShrinkIfSparse();
        table.RehashFor(1000);
        Assert.Equal(4, table.BucketCount);
        Assert.Equal(0, table.Count);
        Assert.Null(table.Random(new Random(1)));
        Assert.Equal(0UL, table.Scan(0, []));
    }

    public static TheoryData<int> Seeds => new() { 1, 7, 42, 1234, 99991 };

    /// <summary>
    /// SCAN's guarantee: a key present from the first call to the last is returned at least once, even when the
    /// table grows (and is caught mid-rehash) between calls.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void ScanReturnsEveryStableKeyWhileTheTableGrows(int seed)
    {
        var rng = new Random(seed);
        var table = new KeyTable();
        var stable = new HashSet<string>();
        for (int i = 0; i < 300; i++)
        {
            stable.Add("s" + i);
            table.Add(NewEntry("s" + i));
        }
        int next = 0;
        var stats = RunScan(table, stable, between: () =>
        {
            // Bounded growth: a table that doubles faster than the cursor advances would never finish a scan.
            int adds = next < 6000 ? rng.Next(0, 40) : 0;
            for (int i = 0; i < adds; i++)
            {
                table.Add(NewEntry("g" + next++));
            }
            RandomRehashSteps(table, rng);
        });
        Assert.True(table.Count > 1000, "the table should have grown a lot during the scan");
        Assert.True(stats.CallsWhileRehashing > 0, "some calls should have seen a table mid-rehash");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ScanReturnsEveryStableKeyWhileTheTableShrinks(int seed)
    {
        var rng = new Random(seed);
        var table = new KeyTable();
        var stable = new HashSet<string>();
        var churn = new List<string>();
        for (int i = 0; i < 8000; i++)
        {
            string name = i % 40 == 0 ? "s" + i : "c" + i;
            table.Add(NewEntry(name));
            (name[0] == 's' ? (ICollection<string>)stable : churn).Add(name);
        }
        table.RehashFor(1000);
        int startBuckets = table.BucketCount;
        var stats = RunScan(table, stable, between: () =>
        {
            int removes = Math.Min(churn.Count, rng.Next(0, 400));
            for (int i = 0; i < removes; i++)
            {
                int at = rng.Next(churn.Count);
                Remove(table, churn[at]);
                churn[at] = churn[^1];
                churn.RemoveAt(churn.Count - 1);
            }
            table.ShrinkIfSparse();
            RandomRehashSteps(table, rng);
        });
        table.RehashFor(1000);
        Assert.True(table.BucketCount <= startBuckets / 8, $"the table should have shrunk: {startBuckets} -> {table.BucketCount}");
        Assert.True(stats.CallsWhileRehashing > 0, "some calls should have seen a table mid-rehash");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ScanReturnsEveryStableKeyWhileTheTableGrowsAndShrinks(int seed)
    {
        var rng = new Random(seed);
        var table = new KeyTable();
        var stable = new HashSet<string>();
        var churn = new List<string>();
        for (int i = 0; i < 200; i++)
        {
            stable.Add("s" + i);
            table.Add(NewEntry("s" + i));
        }
        int next = 0;
        int call = 0;
        RunScan(table, stable, between: () =>
        {
            // Alternate phases of growth and mass deletion.
            if ((call++ / 8) % 2 == 0 && next < 20000)
            {
                for (int i = rng.Next(0, 300); i > 0; i--)
                {
                    string name = "c" + next++;
                    table.Add(NewEntry(name));
                    churn.Add(name);
                }
            }
            else
            {
                for (int i = Math.Min(churn.Count, rng.Next(0, 600)); i > 0; i--)
                {
                    int at = rng.Next(churn.Count);
                    Remove(table, churn[at]);
                    churn[at] = churn[^1];
                    churn.RemoveAt(churn.Count - 1);
                }
                table.ShrinkIfSparse();
            }
            RandomRehashSteps(table, rng);
        });
    }

    private static void RandomRehashSteps(KeyTable table, Random rng)
    {
        for (int i = rng.Next(0, 20); i > 0; i--)
        {
            table.RehashStep();
        }
    }

    private sealed record ScanStats(int Calls, int CallsWhileRehashing);

    /// <summary>Runs a full SCAN (one bucket step per call), changing the table between calls; asserts the guarantee.</summary>
    private static ScanStats RunScan(KeyTable table, HashSet<string> stable, Action between)
    {
        var seen = new HashSet<string>();
        var output = new List<Entry>();
        ulong cursor = 0;
        int calls = 0;
        int whileRehashing = 0;
        do
        {
            if (table.IsRehashing)
            {
                whileRehashing++;
            }
            output.Clear();
            cursor = table.Scan(cursor, output);
            foreach (Entry e in output)
            {
                seen.Add(Encoding.ASCII.GetString(e.Key));
            }
            calls++;
            Assert.True(calls < 200_000, "the scan did not terminate");
            between();
        }
        while (cursor != 0);
        var missing = new List<string>();
        foreach (string name in stable)
        {
            Assert.True(Contains(table, name));
            if (!seen.Contains(name))
            {
                missing.Add(name);
            }
        }
        Assert.True(missing.Count == 0, $"keys never returned: {string.Join(", ", missing)}");
        return new ScanStats(calls, whileRehashing);
    }

    [Fact]
    public void ScanWithoutChangesReturnsEveryKeyExactlyOnce()
    {
        var table = new KeyTable();
        for (int i = 0; i < 1000; i++)
        {
            table.Add(NewEntry("k" + i));
        }
        // Stop half way through a resize so both tables are walked.
        for (int i = 0; i < 1000 && !table.IsRehashing; i++)
        {
            table.Add(NewEntry("x" + i));
        }
        Assert.True(table.IsRehashing);
        for (int i = 0; i < 5; i++)
        {
            table.RehashStep();
        }
        var counts = new Dictionary<string, int>();
        var output = new List<Entry>();
        ulong cursor = 0;
        do
        {
            output.Clear();
            cursor = table.Scan(cursor, output);
            foreach (Entry e in output)
            {
                string name = Encoding.ASCII.GetString(e.Key);
                counts[name] = counts.GetValueOrDefault(name) + 1;
            }
        }
        while (cursor != 0);
        Assert.Equal(table.Count, counts.Count);
        Assert.All(counts.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public void RandomReturnsOnlyPresentKeys()
    {
        var rng = new Random(5);
        var table = new KeyTable();
        var present = new HashSet<string>();
        for (int i = 0; i < 2000; i++)
        {
            table.Add(NewEntry("k" + i));
            present.Add("k" + i);
        }
        var picked = new HashSet<string>();
        for (int round = 0; round < 40; round++)
        {
            // Delete a batch, sometimes triggering a shrink, and leave the table mid-rehash now and then.
            foreach (string name in present.Where(_ => rng.Next(4) == 0).Take(60).ToList())
            {
                Remove(table, name);
                present.Remove(name);
            }
            if (round % 3 == 0)
            {
                table.ShrinkIfSparse();
            }
            for (int i = 0; i < 50; i++)
            {
                Entry? e = table.Random(rng);
                Assert.NotNull(e);
                string name = Encoding.ASCII.GetString(e!.Key);
                Assert.Contains(name, present);
                picked.Add(name);
            }
        }
        Assert.True(picked.Count > 500, "random picks should spread over many keys");
        while (present.Count > 0)
        {
            string name = present.First();
            Remove(table, name);
            present.Remove(name);
        }
        Assert.Null(table.Random(rng));
    }
}

public sealed class KeyTableReserveTests
{
    [Fact]
    public void ReserveSizesAnEmptyTableOnceAndCapsAHostileHint()
    {
        var table = new KeyTable();
        table.Reserve(1000);
        Assert.Equal(1024, table.BucketCount);
        table.Reserve(long.MaxValue);
        Assert.Equal(1 << 22, table.BucketCount);

        var used = new KeyTable();
        byte[] key = "k"u8.ToArray();
        used.Add(Entry.Create(key, KeyHash.Of(key), key));
        int before = used.BucketCount;
        used.Reserve(100_000);
        Assert.Equal(before, used.BucketCount);
        Assert.NotNull(used.Find(key, KeyHash.Of(key)));
    }
}
