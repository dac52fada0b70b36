using System.Runtime;

namespace Amber.Persistence;

/// <summary>
/// While a dataset file loads, nearly every object allocated survives, so every collection re-marks a heap that only
/// grows and frees nothing. Two measures for the duration of the load, undone on dispose so request latency
/// afterwards is unaffected:
/// <list type="bullet">
/// <item>Batch latency mode: the collections that do run are blocking, not background ones competing for the core
/// the load's second thread needs (measured on 2M keys: about 15% less CPU).</item>
/// <item>For a large file, a no-GC region sized from the file (<see cref="RegionBytesFor"/>): the load allocates
/// into it without any collection (measured on 2M keys: 5 collections, 3 of them full, went to none; their pauses
/// were a third of the load). If the load allocates more than estimated, the runtime ends the region with an
/// ordinary collection and the load goes on in batch mode; if the runtime cannot reserve the region, nothing
/// changes.</item>
/// </list>
/// Nested or overlapping loads leave the mode as the outermost one found it; only the outermost starts a region.
/// </summary>
internal sealed class BulkLoadGcMode : IDisposable
{
    /// <summary>Below this estimate a load is too short for collections to matter; no region.</summary>
    internal const long MinRegionBytes = 64L * 1024 * 1024;

    /// <summary>Bytes allocated per byte of file, about: keys, values and entries as objects, plus the tables.</summary>
    internal const int AllocationPerFileByte = 3;

    private static readonly Lock s_lock = new();
    private static int s_active;
    private static GCLatencyMode s_saved;
    private static bool s_region;
    private bool _disposed;

    /// <param name="fileBytes">The size of what is about to be loaded (0: unknown, no region).</param>
    public BulkLoadGcMode(long fileBytes = 0)
    {
        lock (s_lock)
        {
            if (s_active++ == 0)
            {
                s_saved = GCSettings.LatencyMode;
                if (s_saved == GCLatencyMode.Interactive)
                {
                    GCSettings.LatencyMode = GCLatencyMode.Batch;
                }
                s_region = TryStartRegion(RegionBytesFor(fileBytes, AvailableMemory()));
            }
        }
    }

    /// <summary>True while the outermost load runs inside its no-GC region (tests).</summary>
    internal static bool InRegion => GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    /// <summary>
    /// The no-GC region for a file of <paramref name="fileBytes"/>: what the load is expected to allocate, at most a
    /// quarter of the memory available to the process; 0 (none) when that is below <see cref="MinRegionBytes"/>.
    /// </summary>
    internal static long RegionBytesFor(long fileBytes, long availableMemory)
    {
        if (fileBytes <= 0)
        {
            return 0;
        }
        long bytes = Math.Min(fileBytes > long.MaxValue / AllocationPerFileByte ? long.MaxValue : fileBytes * AllocationPerFileByte, availableMemory / 4);
        return bytes < MinRegionBytes ? 0 : bytes;
    }

    private static long AvailableMemory() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    private static bool TryStartRegion(long bytes)
    {
        if (bytes == 0)
        {
            return false;
        }
        try
        {
            // disallowFullBlockingGC: a reload under a large live dataset must not pay a full collection to start.
            return GC.TryStartNoGCRegion(bytes, disallowFullBlockingGC: true);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // More than the runtime can reserve, or a region already started elsewhere: load without one.
            return false;
        }
    }

    public void Dispose()
    {
        lock (s_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (--s_active != 0)
            {
                return;
            }
            if (s_region)
            {
                s_region = false;
                if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
                {
                    try
                    {
                        GC.EndNoGCRegion();
                    }
                    catch (InvalidOperationException)
                    {
                        // A collection ended the region meanwhile (the load allocated more than estimated).
                    }
                }
            }
            if (GCSettings.LatencyMode == GCLatencyMode.Batch)
            {
                GCSettings.LatencyMode = s_saved;
            }
        }
    }
}
