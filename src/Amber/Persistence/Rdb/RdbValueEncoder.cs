using System.Buffers;
using System.Buffers.Binary;
using Amber.Types;

namespace Amber.Persistence.Rdb;

/// <summary>
/// Serializes one Amber value as an RDB object (type byte + payload) in the encoding Redis 7.0 itself writes for
/// the same value (docs/formats/rdb.md): compact values as listpack/intset blobs, large ones element by element.
/// Used by <see cref="RdbWriter.WriteEntry"/> and by DUMP. Collections are never empty in the keyspace, and an
/// empty one must never be written (redis-check-rdb rejects it), so that is an error here.
/// </summary>
internal static class RdbValueEncoder
{
    /// <summary>Redis's packed_threshold: list elements at least this long get a node of their own (PLAIN).</summary>
    public const int PlainElementThreshold = 1 << 30;

    /// <summary>Redis's SIZE_SAFETY_LIMIT: a node sized by element count still stays within 8 KB.</summary>
    private const int NodeSafetyLimit = 8192;

    /// <summary>What Redis adds to an element's length when it estimates whether the element still fits a node.</summary>
    private const int NodeSizeEstimateOverhead = 8;

    /// <summary>Beyond this the per-thread builder's buffer is given back after use rather than kept.</summary>
    private const int MaxRetainedBuilderBytes = 1 << 20;

    /// <summary>A builder per thread: values are serialized one at a time, and it keeps its grown buffer.</summary>
    [ThreadStatic]
    private static ListPackBuilder? t_builder;

    /// <summary>The type byte Redis 7.0 writes for this value in its current encoding.</summary>
    public static RdbType TypeOf(object value) => value switch
    {
        byte[] => RdbType.String,
        HashValue h => h.IsListPack ? RdbType.HashListPack : RdbType.Hash,
        SetValue s => s.IsIntSet ? RdbType.SetIntSet : RdbType.Set,
        SortedSet z => z.IsCompact ? RdbType.ZSetListPack : RdbType.ZSet2,
        QuickList => RdbType.ListQuicklist2,
        _ => throw new NotSupportedException($"no RDB encoding for {value.GetType().Name}"),
    };

    /// <summary>
    /// Writes the type byte and the payload. <paramref name="compress"/> is rdbcompression (LZF for strings and
    /// blobs longer than 20 bytes that shrink); <paramref name="listMaxListpackSize"/> sizes list nodes as Redis
    /// fills them with that list-max-listpack-size.
    /// </summary>
    public static void WriteValue(IBufferWriter<byte> output, object value, bool compress, int listMaxListpackSize = -2)
    {
        RdbPrimitives.WriteByte(output, (byte)TypeOf(value));
        WritePayload(output, value, compress, listMaxListpackSize);
    }

    /// <summary>The payload alone (what follows the key in an RDB entry); its type byte is <see cref="TypeOf"/>.</summary>
    public static void WritePayload(IBufferWriter<byte> output, object value, bool compress, int listMaxListpackSize = -2)
    {
        ListPackBuilder builder = t_builder ??= new ListPackBuilder(1024);
        switch (value)
        {
            case byte[] s:
                RdbPrimitives.WriteString(output, s, compress);
                break;
            case HashValue h:
                WriteHash(output, h, compress, builder);
                break;
            case SetValue set:
                WriteSet(output, set, compress);
                break;
            case SortedSet z:
                WriteSortedSet(output, z, compress, builder);
                break;
            case QuickList list:
                WriteList(output, list, compress, listMaxListpackSize, builder);
                break;
            default:
                throw new NotSupportedException($"no RDB encoding for {value.GetType().Name}");
        }
        if (builder.Capacity > MaxRetainedBuilderBytes)
        {
            t_builder = null;
            builder.Dispose();
        }
    }

    private static void WriteHash(IBufferWriter<byte> output, HashValue hash, bool compress, ListPackBuilder builder)
    {
        RequireNonEmpty(hash.Count);
        HashValue.PairEnumerator pairs = hash.GetEnumerator();
        if (hash.IsListPack)
        {
            builder.Reset();
            while (pairs.MoveNext())
            {
                builder.Append(pairs.Field);
                builder.Append(pairs.Value);
            }
            RdbPrimitives.WriteString(output, builder.Finish(), compress);
            return;
        }
        RdbPrimitives.WriteLength(output, (ulong)hash.Count);
        while (pairs.MoveNext())
        {
            RdbPrimitives.WriteString(output, pairs.Field, compress);
            RdbPrimitives.WriteString(output, pairs.Value, compress);
        }
    }

    private static void WriteSet(IBufferWriter<byte> output, SetValue set, bool compress)
    {
        RequireNonEmpty(set.Count);
        if (set.Ints is { } ints)
        {
            WriteIntSet(output, ints, compress);
            return;
        }
        RdbPrimitives.WriteLength(output, (ulong)set.Count);
        Span<byte> scratch = stackalloc byte[SetValue.ScratchSize];
        for (int i = 0; i < set.Count; i++)
        {
            RdbPrimitives.WriteString(output, set.MemberAt(i, scratch), compress);
        }
    }

    /// <summary>Redis's intset blob: element width, count, then the members ascending, all little-endian.</summary>
    private static void WriteIntSet(IBufferWriter<byte> output, IntSet ints, bool compress)
    {
        int width = ints.Width;
        int size = 8 + (ints.Count * width);
        byte[] blob = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Span<byte> span = blob.AsSpan(0, size);
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)width);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)ints.Count);
            for (int i = 0; i < ints.Count; i++)
            {
                Span<byte> at = span[(8 + (i * width))..];
                long v = ints[i];
                switch (width)
                {
                    case 2: BinaryPrimitives.WriteInt16LittleEndian(at, (short)v); break;
                    case 4: BinaryPrimitives.WriteInt32LittleEndian(at, (int)v); break;
                    default: BinaryPrimitives.WriteInt64LittleEndian(at, v); break;
                }
            }
            RdbPrimitives.WriteString(output, span, compress);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(blob);
        }
    }

    private static void WriteSortedSet(IBufferWriter<byte> output, SortedSet zset, bool compress, ListPackBuilder builder)
    {
        RequireNonEmpty(zset.Count);
        if (zset.IsCompact)
        {
            // member, score pairs in (score, member) order; scores as Redis's %.17g text, which the listpack
            // stores as an integer when the text is one (1 -> 0x01, 2.5 -> "2.5").
            Span<byte> text = stackalloc byte[40];
            builder.Reset();
            for (int h = zset.First(); h != SortedSet.Nil; h = zset.Next(h))
            {
                builder.Append(zset.MemberAt(h));
                builder.Append(text[..Protocol.NumberFormat.FormatDouble(zset.ScoreAt(h), text)]);
            }
            RdbPrimitives.WriteString(output, builder.Finish(), compress);
            return;
        }
        // Highest score first, as Redis writes it (its loader then always inserts at the head of the skiplist).
        RdbPrimitives.WriteLength(output, (ulong)zset.Count);
        for (int h = zset.Last(); h != SortedSet.Nil; h = zset.Prev(h))
        {
            RdbPrimitives.WriteString(output, zset.MemberAt(h), compress);
            RdbPrimitives.WriteBinaryDouble(output, zset.ScoreAt(h));
        }
    }

    /// <summary>
    /// LIST_QUICKLIST_2: node count, then per node its container and a listpack (PACKED). Nodes are cut where
    /// Redis cuts them when a list is built by pushing at the tail, so a list built that way serializes to
    /// Redis's bytes: a node takes the next element while its size plus the element's length plus 8 stays within
    /// the list-max-listpack-size limit (negative: 4 KB..64 KB; positive: that many elements, within 8 KB).
    /// </summary>
    private static void WriteList(IBufferWriter<byte> output, QuickList list, bool compress, int fill, ListPackBuilder builder)
    {
        RequireNonEmpty(list.Count);
        // First pass: count the nodes (the count precedes them); the second pass cuts them at the same places.
        long nodes = 0;
        long nodeBytes = 0;
        int nodeCount = 0;
        ListCursor cursor = list.HeadCursor();
        while (list.Next(ref cursor, out ReadOnlySpan<byte> element))
        {
            if (element.Length >= PlainElementThreshold)
            {
                nodes++;
                nodeCount = 0;
                continue;
            }
            if (nodeCount == 0 || !Fits(nodeBytes, nodeCount, element.Length, fill))
            {
                nodes++;
                nodeBytes = ListPackBuilder.HeaderSize + 1;
                nodeCount = 0;
            }
            nodeBytes += ListPackBuilder.EntrySize(element);
            nodeCount++;
        }
        RdbPrimitives.WriteLength(output, (ulong)nodes);

        builder.Reset();
        cursor = list.HeadCursor();
        while (list.Next(ref cursor, out ReadOnlySpan<byte> element))
        {
            if (element.Length >= PlainElementThreshold)
            {
                FlushNode(output, builder, compress);
                RdbPrimitives.WriteLength(output, RdbFormat.QuicklistNodePlain);
                RdbPrimitives.WriteString(output, element, compress);
                continue;
            }
            if (builder.Count > 0 && !Fits(builder.TotalBytes, builder.Count, element.Length, fill))
            {
                FlushNode(output, builder, compress);
            }
            builder.Append(element);
        }
        FlushNode(output, builder, compress);
    }

    private static bool Fits(long nodeBytes, int nodeCount, int elementLength, int fill)
    {
        long estimate = nodeBytes + elementLength + NodeSizeEstimateOverhead;
        if (fill < 0)
        {
            return estimate <= 4096L << (Math.Min(-fill, 5) - 1);
        }
        return estimate <= NodeSafetyLimit && nodeCount < fill;
    }

    private static void FlushNode(IBufferWriter<byte> output, ListPackBuilder builder, bool compress)
    {
        if (builder.Count == 0)
        {
            return;
        }
        RdbPrimitives.WriteLength(output, RdbFormat.QuicklistNodePacked);
        RdbPrimitives.WriteString(output, builder.Finish(), compress);
        builder.Reset();
    }

    private static void RequireNonEmpty(long count)
    {
        if (count == 0)
        {
            throw new InvalidOperationException("an empty collection has no RDB form (Redis never stores one)");
        }
    }
}
