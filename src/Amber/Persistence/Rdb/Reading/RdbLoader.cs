using System.Text;
using Amber.Keyspace;

namespace Amber.Persistence.Rdb.Reading;

/// <summary>
/// Loads an RDB file of any version 1..10 (Redis 2.6 to 7.0) from a stream: header, opcodes, key records, EOF and
/// checksum (spec §1). Values go to an <see cref="IRdbLoadTarget"/> as they are read; nothing is kept here, so a
/// caller that loads into fresh databases and swaps them in on success never exposes a half-loaded dataset.
/// Every failure is an <see cref="RdbLoadException"/> naming the file, the offset and what was being read.
/// </summary>
internal sealed class RdbLoader
{
    private readonly RdbInput _input;
    private readonly RdbValueReader _values;
    private readonly RdbLoadOptions _options;
    private readonly IRdbLoadTarget _target;
    private readonly Action<long>? _progress;
    private long _lastProgress;
    private KeyInsertPipeline? _pipeline;

    public RdbLoader(Stream stream, string fileName, RdbLoadOptions options, IRdbLoadTarget target, Action<long>? progress = null)
    {
        _options = options;
        _input = new RdbInput(stream, fileName, options.VerifyChecksum);
        _values = new RdbValueReader(_input, options.Limits);
        _target = target;
        _progress = progress;
    }

    /// <summary>What has been read so far; complete after <see cref="Run"/> returns, partial after it threw.</summary>
    public RdbLoadResult Result { get; } = new();

    /// <summary>Bytes of the file consumed so far.</summary>
    public long Offset => _input.Offset;

    /// <summary>Loads a whole file. <paramref name="progress"/> receives the bytes read so far, every few megabytes.</summary>
    public static RdbLoadResult Load(Stream stream, string fileName, RdbLoadOptions options, IRdbLoadTarget target,
        Action<long>? progress = null)
    {
        var loader = new RdbLoader(stream, fileName, options, target, progress);
        loader.Run();
        return loader.Result;
    }

    /// <summary>The insert thread of a pipelined load (<see cref="RdbLoadOptions.Pipelined"/>), for tests.</summary>
    internal Thread? PipelineThread { get; private set; }

    public void Run()
    {
        if (_options.Pipelined)
        {
            _pipeline = new KeyInsertPipeline(_target, _input.FileName);
            PipelineThread = _pipeline.Thread;
        }
        try
        {
            RunCore();
        }
        catch (RdbLoadException e)
        {
            Result.BytesRead = _input.Offset;
            if (_pipeline?.EarlierFailure() is { } earlier && earlier != e)
            {
                throw earlier;
            }
            throw;
        }
        catch (Exception e)
        {
            // A bug or a resource failure below: still reported with the file and offset, never as something else.
            Result.BytesRead = _input.Offset;
            throw _pipeline?.EarlierFailure() ?? _input.Error(RdbLoadErrorKind.IoError, $"Error loading the RDB file: {e.Message}", e);
        }
        finally
        {
            // Never leave the insert thread running, whatever happened: the caller may discard the target now.
            _pipeline?.Dispose();
            _pipeline = null;
        }
    }

    /// <summary>Before the target hears of anything but a key: every key read so far must be in it (file order).</summary>
    private void DrainKeys() => _pipeline?.Drain();

    private void RunCore()
    {
        RdbInput input = _input;
        Result.Version = ReadHeader();
        long now = _options.NowMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        int db = 0;
        long expireAtMs = -1;
        long idleSeconds = -1;
        int frequency = -1;
        while (true)
        {
            input.Phase = RdbLoadPhase.ReadType;
            byte type = input.ReadByte();
            switch ((RdbOpcode)type)
            {
                case RdbOpcode.ExpireTimeMs:
                    input.Phase = RdbLoadPhase.ReadExpire;
                    // Little-endian since version 9; older files were written in the machine's order, in practice LE too.
                    expireAtMs = input.ReadInt64LittleEndian();
                    Result.KeysWithExpiry++;
                    continue;
                case RdbOpcode.ExpireTime:
                    input.Phase = RdbLoadPhase.ReadExpire;
                    expireAtMs = (int)input.ReadUInt32LittleEndian() * 1000L;
                    Result.KeysWithExpiry++;
                    continue;
                case RdbOpcode.Idle:
                    idleSeconds = (long)Math.Min(input.ReadLength(), long.MaxValue);
                    continue;
                case RdbOpcode.Freq:
                    frequency = input.ReadByte();
                    continue;
                case RdbOpcode.SelectDb:
                    input.Phase = RdbLoadPhase.ReadLength;
                    ulong selected = input.ReadLength();
                    if (selected >= (ulong)_options.Databases)
                    {
                        throw input.Error(RdbLoadErrorKind.Unsupported,
                            $"FATAL: Data file was created with a Redis server configured to handle more than {_options.Databases} databases. Exiting");
                    }
                    db = (int)selected;
                    DrainKeys();
                    _target.OnSelectDb(db, input.Offset);
                    continue;
                case RdbOpcode.ResizeDb:
                    input.Phase = RdbLoadPhase.ReadLength;
                    ulong dbSize = input.ReadLength();
                    ulong expiresSize = input.ReadLength();
                    DrainKeys();
                    _target.OnResizeDb((long)Math.Min(dbSize, long.MaxValue), (long)Math.Min(expiresSize, long.MaxValue));
                    continue;
                case RdbOpcode.Aux:
                    ReadAux();
                    continue;
                case RdbOpcode.ModuleAux:
                    SkipModuleAux();
                    continue;
                case RdbOpcode.Function2:
                    input.Phase = RdbLoadPhase.ReadFunction;
                    _values.SkipString();
                    Warn("Skipping a function library in the RDB file: Amber has no functions");
                    continue;
                case RdbOpcode.Function:
                    SkipPreReleaseFunction();
                    continue;
                case RdbOpcode.Eof:
                    DrainKeys();
                    ReadChecksum();
                    Result.BytesRead = input.Offset;
                    Report(force: true);
                    return;
            }
            if (!RdbValueReader.IsValueType(type))
            {
                throw input.Error(RdbLoadErrorKind.InvalidType, $"Unknown RDB encoding type {type}");
            }
            ReadKeyRecord(type, db, expireAtMs, idleSeconds, frequency, now);
            expireAtMs = -1;
            idleSeconds = -1;
            frequency = -1;
        }
    }

    private int ReadHeader()
    {
        RdbInput input = _input;
        if (input.Remaining < 9)
        {
            throw input.Eof();
        }
        ReadOnlySpan<byte> header = input.Read(9);
        if (!header[..5].SequenceEqual(RdbFormat.Magic))
        {
            throw input.Error(RdbLoadErrorKind.WrongSignature, "Wrong signature trying to load DB from file");
        }
        // atoi: the leading digits; anything else reads as 0 and is refused with the rest.
        int version = 0;
        foreach (byte b in header[5..])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                break;
            }
            version = version * 10 + (b - '0');
        }
        if (version is < 1 or > RdbFormat.Version)
        {
            throw input.Error(RdbLoadErrorKind.UnsupportedVersion, $"Can't handle RDB format version {version}");
        }
        return version;
    }

    private void ReadKeyRecord(byte type, int db, long expireAtMs, long idleSeconds, int frequency, long now)
    {
        RdbInput input = _input;
        input.ObjectType = type;
        long start = input.Offset;
        input.Phase = RdbLoadPhase.ReadKey;
        byte[] key = _values.ReadString();
        input.Key = key;
        Result.KeysRead++;
        input.Phase = RdbLoadPhase.ReadObjectValue;
        uint hash = KeyHash.Of(key);
        // Every value leaves here as its key's entry: a string with its key in one array, any other type attached to
        // its key now (a copy of its compact encoding after the key) rather than on the serial insert thread.
        object? value = type == (byte)RdbType.String ? _values.ReadStringEntry(key, hash) : _values.ReadValue(type) is { } typed ? Entry.Create(key, hash, typed) : null;
        bool expired = expireAtMs != -1 && expireAtMs < now;
        if (expired)
        {
            Result.KeysAlreadyExpired++;
        }
        if (value == null)
        {
            if (!_options.SkipEmptyKeys)
            {
                throw input.Error(RdbLoadErrorKind.EmptyKey, "Empty keys skipped");
            }
            Result.EmptyKeysSkipped++;
            if (Result.EmptyKeysSkipped <= 10)
            {
                Warn($"rdbLoadObject skipping empty key: {Encoding.UTF8.GetString(key)}");
            }
        }
        else if (expired && _options.DropExpiredKeys)
        {
            Result.KeysExpired++;
        }
        else if (_pipeline != null)
        {
            // Counted now; if the insert thread refuses the key the load fails anyway.
            _pipeline.Add(new RdbKeyRecord(db, key, hash, value, expireAtMs, idleSeconds, frequency), input.Offset, type, input.Offset - start);
            Result.KeysLoaded++;
            Result.KeysByType[type]++;
        }
        else
        {
            if (!_target.OnKey(new RdbKeyRecord(db, key, hash, value, expireAtMs, idleSeconds, frequency)))
            {
                throw input.Error(RdbLoadErrorKind.DuplicateKey, "Duplicated key found in RDB file");
            }
            Result.KeysLoaded++;
            Result.KeysByType[type]++;
        }
        input.Key = null;
        input.ObjectType = -1;
        Report(force: false);
    }

    private void ReadAux()
    {
        _input.Phase = RdbLoadPhase.ReadAux;
        byte[] key = _values.ReadString();
        byte[] value = _values.ReadString();
        Result.AuxFields.Add(new(Encoding.UTF8.GetString(key), value));
        DrainKeys();
        _target.OnAuxField(key, value, _input.Offset);
    }

    private void SkipModuleAux()
    {
        RdbInput input = _input;
        input.Phase = RdbLoadPhase.ReadModuleAux;
        ulong moduleId = input.ReadLength();
        ulong whenOpcode = input.ReadLength();
        input.ReadLength();
        if (whenOpcode != 2)
        {
            throw input.Corrupt("bad when_opcode");
        }
        _values.SkipModuleFields();
        Warn($"Skipping AUX data of module '{RdbValueReader.ModuleTypeName(moduleId)}': Amber has no modules");
    }

    /// <summary>Redis 7.0-rc1/rc2's FUNCTION opcode: name, engine, optional description, code.</summary>
    private void SkipPreReleaseFunction()
    {
        _input.Phase = RdbLoadPhase.ReadFunction;
        _values.SkipString();
        _values.SkipString();
        if (_input.ReadLength() != 0)
        {
            _values.SkipString();
        }
        _values.SkipString();
        Warn("Skipping a function in the RDB file: Amber has no functions");
    }

    private void ReadChecksum()
    {
        RdbInput input = _input;
        if (Result.Version < 5)
        {
            return;
        }
        input.Phase = RdbLoadPhase.CheckSum;
        ulong computed = input.Crc;
        ulong stored = (ulong)input.ReadInt64LittleEndian();
        if (!_options.VerifyChecksum)
        {
            return;
        }
        if (stored == 0)
        {
            Warn("RDB file was saved with checksum disabled: no check performed.");
            return;
        }
        if (stored != computed)
        {
            throw input.Error(RdbLoadErrorKind.Checksum,
                $"Wrong RDB checksum expected: ({computed:x}) got: ({stored:x}). Aborting now.");
        }
        Result.ChecksumVerified = true;
    }

    private void Report(bool force)
    {
        if (_progress == null)
        {
            return;
        }
        long offset = _input.Offset;
        if (force || offset - _lastProgress >= _options.ProgressIntervalBytes)
        {
            _lastProgress = offset;
            _progress(offset);
        }
    }

    private void Warn(string message) => _options.Warning?.Invoke(message);
}
