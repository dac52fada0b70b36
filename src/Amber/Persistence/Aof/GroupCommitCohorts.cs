namespace Amber.Persistence.Aof;

/// <summary>
/// How the group commit under appendfsync always groups busy clients: in one cohort or in two.
/// <para>
/// One cohort: after an fsync released its clients, the flusher holds until they are back, so the next fsync covers
/// all of them. A round is the clients' round trip (replies sent, next commands received and run: the "chain") and
/// then the fsync, one after the other: the event thread idles during the fsync, the disk during the chain. Two
/// cohorts: each fsync covers the oldest half of the clients while the event thread serves the other half, so one
/// half's chain overlaps the other half's fsync; but there are twice as many fsyncs, each with its CPU cost (on a
/// virtual machine mostly exits to the hypervisor), and twice as many wake-ups. Which is faster depends on the disk
/// (an fsync took 0.15 to 5 ms on the shared test machine within minutes) and on how busy the cores are, so neither
/// a fixed choice nor a model of chain against fsync time held up in measurements (docs/benchmarks.md).
/// </para>
/// <para>
/// So it is measured, as .NET's thread pool climbs hills: the clients released per second over epochs of
/// <see cref="EpochMs"/> ms; after every <see cref="EpochsBetweenProbes"/> epochs, one epoch tries the other way, and
/// if it released more than <see cref="SwitchGain"/> times the mean of the epochs just before and just after it (so a
/// load that changes meanwhile does not count), that way is kept. Fewer than <see cref="MinClientsToSplit"/> clients
/// are never split, and such epochs are not measured.
/// </para>
/// <para>All members are called under the AOF writer's lock.</para>
/// </summary>
internal sealed class GroupCommitCohorts(Func<long>? clock = null)
{
    public const int MinClientsToSplit = 4;
    public const int EpochMs = 100;
    public const int EpochsBetweenProbes = 8;
    public const double SwitchGain = 1.1;

    private readonly Func<long> _clock = clock ?? System.Diagnostics.Stopwatch.GetTimestamp;
    private readonly long _epochTicks = EpochMs * System.Diagnostics.Stopwatch.Frequency / 1000;
    private int _lastWaiting;
    private long _epochStart;
    private long _epochReleased;
    private int _epochsInMode;
    private Phase _phase;
    private double _rateBefore;
    private double _probeRate;
    private bool _pinned;

    private enum Phase : byte
    {
        Settled,
        Probing,
        AfterProbe,
    }

    /// <summary>Whether fsyncs alternate between two halves of the clients now (a probe included).</summary>
    public bool TwoCohorts { get; private set; }

    /// <summary>Clients taking part: the larger of the waiters counted at the last two releases.</summary>
    public int Clients { get; private set; }

    /// <summary>How many waiters the flusher holds for before a round (see AofWriter.HoldForReleasedClients).</summary>
    public int HoldTarget { get; private set; }

    /// <summary>The most waiters one fsync covers: half the clients with two cohorts, else all.</summary>
    public int RoundLimit => Split ? (Clients + 1) / 2 : int.MaxValue;

    /// <summary>Decided switches (tests, diagnostics).</summary>
    public int Switches { get; private set; }

    private bool Split => TwoCohorts && Clients >= MinClientsToSplit;

    /// <summary>Fixes the grouping and stops measuring (tests).</summary>
    internal void Pin(bool twoCohorts)
    {
        _pinned = true;
        TwoCohorts = twoCohorts;
    }

    /// <summary>
    /// A release: <paramref name="released"/> of the <paramref name="waiting"/> waiters are answered (the others
    /// registered after the round's write).
    /// </summary>
    public void Released(int released, int waiting)
    {
        Clients = Math.Max(waiting, _lastWaiting);
        _lastWaiting = waiting;
        if (!_pinned)
        {
            Measure(released);
        }
        HoldTarget = Split ? (Clients + 1) / 2 : waiting;
    }

    private void Measure(int released)
    {
        long now = _clock();
        if (_epochStart == 0 || Clients < MinClientsToSplit || now - _epochStart > 4 * _epochTicks)
        {
            // Too few clients to compare the two ways, or a pause: start over.
            _epochStart = now;
            _epochReleased = 0;
            _epochsInMode = 0;
            _phase = Phase.Settled;
            TwoCohorts &= Clients >= MinClientsToSplit;
            return;
        }
        _epochReleased += released;
        if (now - _epochStart >= _epochTicks)
        {
            EndEpoch(_epochReleased / (double)(now - _epochStart));
            _epochStart = now;
            _epochReleased = 0;
        }
    }

    private void EndEpoch(double rate)
    {
        switch (_phase)
        {
            case Phase.Settled:
                _epochsInMode++;
                _rateBefore = rate;
                if (_epochsInMode >= EpochsBetweenProbes)
                {
                    _phase = Phase.Probing;
                    TwoCohorts = !TwoCohorts;
                }
                break;
            case Phase.Probing:
                _probeRate = rate;
                _phase = Phase.AfterProbe;
                TwoCohorts = !TwoCohorts;
                break;
            case Phase.AfterProbe:
                _phase = Phase.Settled;
                _epochsInMode = 0;
                if (_probeRate > SwitchGain * (_rateBefore + rate) / 2)
                {
                    TwoCohorts = !TwoCohorts;
                    Switches++;
                }
                break;
        }
    }
}
