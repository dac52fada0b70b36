namespace Amber.Commands;

/// <summary>Redis 7.0's error replies, byte for byte (without the leading '-').</summary>
internal static class Errors
{
    public const string Syntax = "ERR syntax error";
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string SortScoreNotDouble = "ERR One or more scores can't be converted into double";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string NoSuchKey = "ERR no such key";
    public const string OutOfRange = "ERR index out of range";
    public const string InvalidDbIndex = "ERR DB index is out of range";
    public const string NoAuth = "NOAUTH Authentication required.";
    public const string InvalidExpire = "ERR invalid expire time in '{0}' command";
    public const string BitOffset = "ERR bit offset is not an integer or out of range";
    public const string BitValue = "ERR bit is not an integer or out of range";
    public const string StringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public const string InvalidCursor = "ERR invalid cursor";
    public const string RestorePayloadInvalid = "ERR DUMP payload version or checksum are wrong";
    public const string RestoreBusyKey = "BUSYKEY Target key name already exists.";
    public const string RestoreInvalidTtl = "ERR Invalid TTL value, must be >= 0";
    public const string RestoreBadDataFormat = "ERR Bad data format";
    public const string RestoreInvalidIdleTime = "ERR Invalid IDLETIME value, must be >= 0";
    public const string RestoreInvalidFreq = "ERR Invalid FREQ value, must be >= 0 and <= 255";
    public const string SameObject = "ERR source and destination objects are the same";
    public const string MustBePositive = "ERR value is out of range, must be positive";
    public const string TimeoutNotFloat = "ERR timeout is not a float or out of range";
    public const string TimeoutNegative = "ERR timeout is negative";
    public const string NumKeysNotPositive = "ERR numkeys should be greater than 0";
    public const string CountNotPositive = "ERR count should be greater than 0";
    public const string LposRankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
    public const string LposCountNegative = "ERR COUNT can't be negative";
    public const string LposMaxLenNegative = "ERR MAXLEN can't be negative";
    public const string UnblockReason = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
    public const string Unblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
    public const string HashValueNotInteger = "ERR hash value is not an integer";
    public const string HashValueNotFloat = "ERR hash value is not a float";
    public const string NanOrInfinity = "ERR value is NaN or Infinity";
    public const string ValueOutOfRange = "ERR value is out of range";
    public const string ValueOutOfLongRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
    public const string NumKeysTooMany = "ERR Number of keys can't be greater than number of args";
    public const string LimitNegative = "ERR LIMIT can't be negative";
    public const string ZAddXxAndNx = "ERR XX and NX options at the same time are not compatible";
    public const string ZAddGtLtNx = "ERR GT, LT, and/or NX options at the same time are not compatible";
    public const string ZAddIncrSinglePair = "ERR INCR option supports a single increment-element pair";
    public const string ScoreIsNaN = "ERR resulting score is not a number (NaN)";
    public const string MinMaxNotFloat = "ERR min or max is not a float";
    public const string MinMaxNotLexItem = "ERR min or max not valid string range item";
    public const string LimitNeedsByScoreOrByLex = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
    public const string WithScoresWithByLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
    public const string WeightNotFloat = "ERR weight value is not a float";

    public static string AtLeastOneInputKey(string command) => $"ERR at least 1 input key is needed for '{command}' command";

    public static string ValueNotBetween(long min, long max) => $"ERR value is out of range, value must between {min} and {max}";

    public const string ExpireNxConflict = "ERR NX and XX, GT or LT options at the same time are not compatible";
    public const string ExpireGtLtConflict = "ERR GT and LT options at the same time are not compatible";
    public const string IntOutOfRange = "ERR value is out of range, value must between -2147483648 and 2147483647";
    public const string InvalidFirstDbIndex = "ERR invalid first DB index";
    public const string InvalidSecondDbIndex = "ERR invalid second DB index";
    public const string LfuNotSelected = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
    public const string LfuSelected = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    public static string UnsupportedOption(string option) => $"ERR Unsupported option {option}";
    public const string DebugNotAllowed =
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, " +
        "otherwise you need to set this option in the configuration file, and then restart the server.";
    public const string InvalidCommandSpecified = "ERR Invalid command specified";
    public const string CommandHasNoKeys = "ERR The command has no key arguments";
    public const string InvalidArgCountForCommand = "ERR Invalid number of arguments specified for command";
    public const string InvalidArgsForCommand = "ERR Invalid arguments specified for command";
    public const string SlowlogCount = "ERR count should be greater than or equal to -1";

    /// <summary>Amber-only: DEBUG DIGEST met a value type whose digest is not implemented yet (Redis has no such case).</summary>
    public const string DigestUnsupported = "ERR DEBUG DIGEST does not support this value type yet";

    public static string NoLatencySamples(string ev) => $"ERR No samples available for event '{ev}'";

    public const string InvalidClientName = "ERR Client names cannot contain spaces, newlines or special characters.";
    public const string NoSuchClient = "ERR No such client";
    public const string InvalidClientId = "ERR Invalid client ID";
    public const string ClientIdNotPositive = "ERR client-id should be greater than 0";
    public const string PauseTimeoutNotInteger = "ERR timeout is not an integer or out of range";
    public const string PauseTimeoutNegative = "ERR timeout is negative";
    public const string PauseMode = "ERR CLIENT PAUSE mode must be WRITE or ALL";
    public const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
    public const string AuthWithoutPassword = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    public const string HelloNoAuth = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
    public const string HelloBadProtocol = "ERR Protocol version is not an integer or out of range";
    public const string NoProto = "NOPROTO unsupported protocol version";
    public const string NoShutdownInProgress = "ERR No shutdown in progress.";
    public const string ShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs.";
    public const string Loading = "LOADING Redis is loading the dataset in memory";
    public const string MisconfRdb =
        "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify " +
        "the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails " +
        "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
    public const string BgsaveInProgress = "ERR Background save already in progress";
    public const string AofRewriteInProgress = "ERR Background append only file rewriting already in progress";
    public const string AofRewriteFailed = "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
    public const string BgsaveOtherChild = "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";

    /// <summary>Redis's shared.err: what SAVE (and DEBUG RELOAD's save) reply when the save fails.</summary>
    public const string Generic = "ERR";
    public const string DebugReloadOptions = "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.";
    public const string DebugReloadFailed = "ERR Error trying to load the RDB dump";

    /// <summary>Amber's own: Redis exits when DEBUG LOADAOF finds no AOF or a damaged one; the reason goes to the log.</summary>
    public const string DebugLoadAofFailed = "ERR Error trying to load the AOF files, check server logs.";
    public const string CachingWithoutTracking = "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled";

    public const string SSubscribeDenyBlocking = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client";

    public static string HelloSyntax(string option) => $"ERR Syntax error in HELLO option '{option}'";

    public static string UnknownClientType(string type) => $"ERR Unknown client type '{type}'";

    public static string NoSuchUser(string user) => $"ERR No such user '{user}'";

    /// <summary>Redis's addReplySubcommandSyntaxError: the subcommand as typed (at most 128 characters), the command upper-case.</summary>
    public static string SubcommandSyntax(string sub, string command) =>
        $"ERR unknown subcommand or wrong number of arguments for '{(sub.Length > 128 ? sub[..128] : sub)}'. Try {command.ToUpperInvariant()} HELP.";

    // String and bitmap commands.
    public const string DecrementOverflow = "ERR decrement would overflow";
    public const string OffsetOutOfRange = "ERR offset is out of range";
    public const string IncrFloatNaN = "ERR increment would produce NaN or Infinity";
    public const string BitArgument = "ERR The bit argument must be 1 or 0.";
    public const string BitopNotArity = "ERR BITOP NOT must be called with a single source key.";
    public const string BitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    public const string BitfieldOverflowType = "ERR Invalid OVERFLOW type specified";
    public const string BitfieldReadOnly = "ERR BITFIELD_RO only supports the GET subcommand";
    public const string LcsWrongType = "ERR The specified keys must contain string values";
    public const string LcsLenAndIdx = "ERR If you want both the length and indexes, please just use IDX.";
    public const string LcsTooLong = "ERR String too long for LCS";
    public const string LcsTableTooLarge = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
    public const string LcsAllocationFailed = "ERR Insufficient memory, failed allocating transient memory for LCS";

    public static string WrongArgs(string command) => $"ERR wrong number of arguments for '{command}' command";

    public static string UnknownCommand(string name, string argsPreview) => $"ERR unknown command '{name}', with args beginning with: {argsPreview}";

    public static string UnknownSubcommand(string sub, string command) =>
        $"ERR unknown subcommand '{sub}'. Try {command.ToUpperInvariant()} HELP.";

    public const string NoConfigFile = "ERR The server is running without a config file";

    public static string ConfigSetUnknown(string name) => $"ERR Unknown option or number of arguments for CONFIG SET - '{name}'";

    public static string ConfigSetFailed(string name, string reason) => $"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}";

    // Transactions.
    public const string ExecWithoutMulti = "ERR EXEC without MULTI";
    public const string DiscardWithoutMulti = "ERR DISCARD without MULTI";
    public const string NestedMulti = "ERR MULTI calls can not be nested";
    public const string WatchInsideMulti = "ERR WATCH inside MULTI is not allowed";
    public const string NotAllowedInMulti = "ERR Command not allowed inside a transaction";
    public const string MonitorDenyBlocking = "ERR MONITOR isn't allowed for DENY BLOCKING client";
    public const string ExecAbort = "EXECABORT Transaction discarded because of previous errors.";

    /// <summary>EXEC itself rejected (wrong arity, NOAUTH ...): the reason without its "ERR " code.</summary>
    public static string ExecAbortBecause(string error) =>
        "EXECABORT Transaction discarded because of: " + (error.StartsWith("ERR ", StringComparison.Ordinal) ? error[4..] : error);
}
