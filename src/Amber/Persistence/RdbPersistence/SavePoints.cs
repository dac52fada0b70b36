using Amber.Config;

namespace Amber.Persistence.RdbPersistence;

/// <summary>The "save &lt;seconds&gt; &lt;changes&gt;" rule the cron applies, as Redis's serverCron does.</summary>
internal static class SavePoints
{
    /// <summary>After a failed background save, save points wait this long before trying again (CONFIG_BGSAVE_RETRY_DELAY).</summary>
    public const long RetryDelaySeconds = 5;

    /// <summary>
    /// The first point that is due: at least Changes writes since the last save and more than Seconds since it, and
    /// either the last background save succeeded or the retry delay has passed since the last attempt.
    /// </summary>
    public static bool TryFindDue(IReadOnlyList<SavePoint> points, long dirty, long nowUnixSeconds, long lastSaveUnixSeconds,
        bool lastBgsaveOk, long lastBgsaveTryUnixSeconds, out SavePoint due)
    {
        bool mayTry = lastBgsaveOk || nowUnixSeconds - lastBgsaveTryUnixSeconds > RetryDelaySeconds;
        foreach (SavePoint p in points)
        {
            if (mayTry && dirty >= p.Changes && nowUnixSeconds - lastSaveUnixSeconds > p.Seconds)
            {
                due = p;
                return true;
            }
        }
        due = default;
        return false;
    }
}
