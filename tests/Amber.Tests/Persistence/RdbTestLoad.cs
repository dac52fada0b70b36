using Amber.Keyspace;
using Amber.Persistence.Rdb.Reading;

namespace Amber.Tests.Persistence;

/// <summary>Loads RDB bytes into fresh databases, as the server will, for tests.</summary>
internal static class RdbTestLoad
{
    public sealed class QuietEvents : KeyspaceEvents
    {
        public override void OnExpired(Database db, Entry entry)
        {
        }
    }

    public static (Database[] Databases, RdbLoadResult Result) Load(byte[] file, RdbLoadOptions? options = null, Stream? stream = null)
    {
        Database[] dbs = DatabaseLoadTarget.CreateDatabases(16, new QuietEvents());
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var target = new DatabaseLoadTarget(dbs, replaceExisting: false, "noeviction", now);
        RdbLoadResult result = RdbLoader.Load(stream ?? new MemoryStream(file), "test.rdb", options ?? new RdbLoadOptions(), target);
        return (dbs, result);
    }

    /// <summary>Loads and expects a failure; anything other than <see cref="RdbLoadException"/> fails the test.</summary>
    public static RdbLoadException LoadFails(byte[] file, RdbLoadOptions? options = null, Stream? stream = null)
    {
        try
        {
            Load(file, options, stream);
        }
        catch (RdbLoadException e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("the load succeeded");
    }

    /// <summary>A stream that hides its length, like a socket (replication), to exercise the untrusted-length paths.</summary>
    public sealed class UnseekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
