using System.Runtime.CompilerServices;

namespace Amber.Types;

/// <summary>A position in a <see cref="QuickList"/>: a node index and the position of an entry in that node.</summary>
internal struct ListCursor
{
    public int Node;
    public int Pos;
}

/// <summary>
/// The list value, shaped like Redis's quicklist: a deque of <see cref="ListNode"/>s, each a packed byte array of
/// elements up to list-max-listpack-size (negative: -1..-5 = 4..64 KB per node; positive: elements per node).
/// Few objects per list (one per node, not per element) keep the GC's work and the memory per element low.
/// Pushes and pops at both ends are O(1); an index is found by walking nodes, then entries, from the nearer end.
/// Lists are never empty in the keyspace: commands delete the key when the last element goes.
/// </summary>
internal sealed class QuickList : Keyspace.Entry, Keyspace.ITypedValue
{
    /// <summary>Redis's SIZE_SAFETY_LIMIT: a node sized by element count still never grows past 8 KB.</summary>
    private const int SafetyLimit = 8192;

    /// <summary>
    /// Null while there are no nodes, the <see cref="ListNode"/> itself while the list has had only one, else the
    /// node array (nodes at _first.._first+_nodeCount-1). Most lists in a keyspace have one node: they carry no
    /// array (32 bytes less per small list, docs/benchmarks.md "Memory per element").
    /// </summary>
    private object? _nodes;
    private int _first;
    private int _nodeCount;
    private readonly int _fill;

    public QuickList(int fill = -2)
        : base(DetachedKey)
    {
        _fill = Math.Clamp(fill, -5, 32767);
    }

    public long Count { get; private set; }
    public int NodeCount => _nodeCount;

    /// <summary>What OBJECT ENCODING reports: Redis 7.0 always encodes lists as a quicklist.</summary>
    public string Encoding => "quicklist";

    public Keyspace.KeyType Type => Keyspace.KeyType.List;

    public Keyspace.ITypedValue Clone()
    {
        var copy = new QuickList(_fill);
        ListCursor cursor = HeadCursor();
        while (Next(ref cursor, out ReadOnlySpan<byte> value))
        {
            copy.PushTail(value);
        }
        return copy;
    }

    internal ListNode NodeAt(int i) => Node(i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ListNode Node(int i) => _nodes is ListNode single ? single : Unsafe.As<ListNode[]>(_nodes!)[_first + i];

    private bool AllowInsert(ListNode node, int entrySize)
    {
        if (node.Count == 0)
        {
            return true;
        }
        int newSize = node.Bytes + entrySize;
        if (_fill >= 0)
        {
            return node.Count < _fill && newSize <= SafetyLimit;
        }
        return newSize <= 4096 << (-_fill - 1);
    }

    private bool AllowMerge(ListNode a, ListNode b)
    {
        int size = a.Bytes + b.Bytes;
        if (_fill >= 0)
        {
            return a.Count + b.Count <= _fill && size <= SafetyLimit;
        }
        return size <= 4096 << (-_fill - 1);
    }

    public void PushHead(ReadOnlySpan<byte> value)
    {
        int size = ListNode.EntrySize(value.Length);
        if (_nodeCount == 0 || !AllowInsert(Node(0), size))
        {
            int capacity = size + 16;
            if (_nodeCount > 0)
            {
                ListNode full = Node(0);
                full.TrimExcess();
                capacity = NextNodeCapacity(full, size);
            }
            InsertNode(0, new ListNode(capacity, fillFromHead: true));
        }
        Node(0).PushHead(value);
        Count++;
    }

    public void PushTail(ReadOnlySpan<byte> value)
    {
        int size = ListNode.EntrySize(value.Length);
        if (_nodeCount == 0 || !AllowInsert(Node(_nodeCount - 1), size))
        {
            int capacity = size + 16;
            if (_nodeCount > 0)
            {
                ListNode full = Node(_nodeCount - 1);
                full.TrimExcess();
                capacity = NextNodeCapacity(full, size);
            }
            InsertNode(_nodeCount, new ListNode(capacity));
        }
        Node(_nodeCount - 1).PushTail(value);
        Count++;
    }

    /// <summary>
    /// Room for a node opened because the end node filled up: a list that filled one node is likely to fill the next,
    /// so it gets the full node's size at once (capped by the fill limit) instead of growing from a few bytes, which
    /// reallocated and copied each node a dozen times per 8 KB of pushes.
    /// </summary>
    private int NextNodeCapacity(ListNode full, int entrySize)
    {
        int limit = _fill >= 0 ? SafetyLimit : 4096 << (-_fill - 1);
        return Math.Max(entrySize + 16, Math.Min(full.Bytes, limit));
    }

    public void Push(ReadOnlySpan<byte> value, bool head)
    {
        if (head)
        {
            PushHead(value);
        }
        else
        {
            PushTail(value);
        }
    }

    /// <summary>The first (head) or last element; the span is valid until the list changes. The list must not be empty.</summary>
    public ReadOnlySpan<byte> Peek(bool head)
    {
        ListNode node = head ? Node(0) : Node(_nodeCount - 1);
        node.Read(head ? node.Start : node.EntryBefore(node.End), out ReadOnlySpan<byte> value);
        return value;
    }

    /// <summary>Removes and returns the head or tail element as a new array.</summary>
    public byte[] Pop(bool head)
    {
        byte[] value = Peek(head).ToArray();
        if (head)
        {
            RemoveHead(1);
        }
        else
        {
            RemoveTail(1);
        }
        return value;
    }

    /// <summary>Removes the first <paramref name="n"/> elements (at most Count).</summary>
    public void RemoveHead(long n)
    {
        n = Math.Min(n, Count);
        Count -= n;
        while (n > 0)
        {
            ListNode node = Node(0);
            if (node.Count <= n)
            {
                n -= node.Count;
                RemoveNode(0);
            }
            else
            {
                node.RemoveHead((int)n);
                n = 0;
            }
        }
    }

    /// <summary>Removes the last <paramref name="n"/> elements (at most Count).</summary>
    public void RemoveTail(long n)
    {
        n = Math.Min(n, Count);
        Count -= n;
        while (n > 0)
        {
            ListNode node = Node(_nodeCount - 1);
            if (node.Count <= n)
            {
                n -= node.Count;
                RemoveNode(_nodeCount - 1);
            }
            else
            {
                node.RemoveTail((int)n);
                n = 0;
            }
        }
    }

    /// <summary>A cursor at element <paramref name="index"/> (0 ≤ index &lt; Count), found from the nearer end.</summary>
    public ListCursor Seek(long index)
    {
        int n;
        if (index < Count / 2)
        {
            n = 0;
            while (index >= Node(n).Count)
            {
                index -= Node(n).Count;
                n++;
            }
        }
        else
        {
            long fromEnd = Count - 1 - index;
            n = _nodeCount - 1;
            while (fromEnd >= Node(n).Count)
            {
                fromEnd -= Node(n).Count;
                n--;
            }
            index = Node(n).Count - 1 - fromEnd;
        }
        return new ListCursor { Node = n, Pos = Node(n).Seek((int)index) };
    }

    /// <summary>
    /// Reads the element at the cursor and moves the cursor to the next one; false past the tail. (Hides the
    /// entry's chain link, which only the key table uses.)
    /// </summary>
    public new bool Next(ref ListCursor cursor, out ReadOnlySpan<byte> value)
    {
        if (cursor.Node >= _nodeCount)
        {
            value = default;
            return false;
        }
        ListNode node = Node(cursor.Node);
        int next = node.Read(cursor.Pos, out value);
        if (next >= node.End)
        {
            cursor.Node++;
            cursor.Pos = cursor.Node < _nodeCount ? Node(cursor.Node).Start : 0;
        }
        else
        {
            cursor.Pos = next;
        }
        return true;
    }

    /// <summary>Reads the element at the cursor and moves the cursor to the previous one; false past the head.</summary>
    public bool Previous(ref ListCursor cursor, out ReadOnlySpan<byte> value)
    {
        if (cursor.Node < 0)
        {
            value = default;
            return false;
        }
        ListNode node = Node(cursor.Node);
        node.Read(cursor.Pos, out value);
        if (cursor.Pos == node.Start)
        {
            cursor.Node--;
            if (cursor.Node >= 0)
            {
                ListNode prev = Node(cursor.Node);
                cursor.Pos = prev.EntryBefore(prev.End);
            }
        }
        else
        {
            cursor.Pos = node.EntryBefore(cursor.Pos);
        }
        return true;
    }

    /// <summary>A cursor at the first element (for <see cref="Next"/>).</summary>
    public ListCursor HeadCursor() => new() { Node = 0, Pos = _nodeCount == 0 ? 0 : Node(0).Start };

    /// <summary>A cursor at the last element (for <see cref="Previous"/>).</summary>
    public ListCursor TailCursor()
    {
        if (_nodeCount == 0)
        {
            return new ListCursor { Node = -1 };
        }
        ListNode last = Node(_nodeCount - 1);
        return new ListCursor { Node = _nodeCount - 1, Pos = last.EntryBefore(last.End) };
    }

    public ReadOnlySpan<byte> Get(ListCursor cursor)
    {
        Node(cursor.Node).Read(cursor.Pos, out ReadOnlySpan<byte> value);
        return value;
    }

    /// <summary>Replaces the element at the cursor (LSET). A node that grows past its limit is split.</summary>
    public void Set(ListCursor cursor, ReadOnlySpan<byte> value)
    {
        ListNode node = Node(cursor.Node);
        node.ReplaceAt(cursor.Pos, value);
        SplitIfOversized(cursor.Node);
    }

    /// <summary>Inserts before or after the element at the cursor (LINSERT).</summary>
    public void Insert(ListCursor cursor, bool after, ReadOnlySpan<byte> value)
    {
        ListNode node = Node(cursor.Node);
        int size = ListNode.EntrySize(value.Length);
        int pos = after ? node.EntryAfter(cursor.Pos) : cursor.Pos;
        Count++;
        if (!AllowInsert(node, size))
        {
            // A full node: use a neighbour when inserting at the node's edge, else insert and split.
            if (pos == node.End && cursor.Node + 1 < _nodeCount && AllowInsert(Node(cursor.Node + 1), size))
            {
                Node(cursor.Node + 1).PushHead(value);
                return;
            }
            if (pos == node.Start && cursor.Node > 0 && AllowInsert(Node(cursor.Node - 1), size))
            {
                Node(cursor.Node - 1).PushTail(value);
                return;
            }
            if (pos == node.End)
            {
                var fresh = new ListNode(size + 16);
                fresh.PushTail(value);
                InsertNode(cursor.Node + 1, fresh);
                return;
            }
            if (pos == node.Start)
            {
                var fresh = new ListNode(size + 16);
                fresh.PushTail(value);
                InsertNode(cursor.Node, fresh);
                return;
            }
        }
        node.InsertAt(pos, value);
        SplitIfOversized(cursor.Node);
    }

    private void SplitIfOversized(int n)
    {
        ListNode node = Node(n);
        if (node.Count < 2)
        {
            return;
        }
        bool oversized = _fill >= 0 ? node.Count > Math.Max(_fill, 1) || node.Bytes > SafetyLimit : node.Bytes > 4096 << (-_fill - 1);
        if (!oversized)
        {
            return;
        }
        // Split in the middle by bytes, keeping at least one entry on each side.
        int half = node.Start + node.Bytes / 2;
        int p = node.Start;
        int entries = 0;
        while (entries < node.Count - 1)
        {
            int next = node.EntryAfter(p);
            entries++;
            p = next;
            if (p >= half)
            {
                break;
            }
        }
        ListNode tail = node.SplitAt(p, node.Count - entries);
        node.TrimExcess();
        InsertNode(n + 1, tail);
    }

    /// <summary>
    /// LREM: removes elements equal to <paramref name="value"/>: all when count is 0, the first count from the head
    /// when positive, the last -count from the tail when negative. Returns how many went.
    /// </summary>
    public long RemoveMatches(ReadOnlySpan<byte> value, long count)
    {
        // LONG_MIN has no positive counterpart; Redis's negation leaves it negative, so it removes every match.
        long budget = count is 0 or long.MinValue ? long.MaxValue : Math.Abs(count);
        bool fromTail = count < 0;
        long removed = 0;
        List<int>? matches = null;
        for (int k = 0; k < _nodeCount && budget > 0; k++)
        {
            int n = fromTail ? _nodeCount - 1 - k : k;
            ListNode node = Node(n);
            matches?.Clear();
            for (int p = node.Start; p < node.End;)
            {
                int next = node.Read(p, out ReadOnlySpan<byte> element);
                if (element.SequenceEqual(value))
                {
                    (matches ??= []).Add(p);
                }
                p = next;
            }
            if (matches == null || matches.Count == 0)
            {
                continue;
            }
            int take = (int)Math.Min(budget, matches.Count);
            int skip = fromTail ? matches.Count - take : 0;
            node.RemoveEntries(matches, skip, take);
            budget -= take;
            removed += take;
        }
        if (removed > 0)
        {
            Count -= removed;
            Compact();
        }
        return removed;
    }

    /// <summary>Drops empty nodes and merges neighbours that fit in one node (after removals in the middle).</summary>
    private void Compact()
    {
        int i = 0;
        while (i < _nodeCount)
        {
            ListNode node = Node(i);
            if (node.Count == 0)
            {
                RemoveNode(i);
                continue;
            }
            if (i > 0 && AllowMerge(Node(i - 1), node))
            {
                Node(i - 1).Append(node);
                RemoveNode(i);
                continue;
            }
            i++;
        }
    }

    private void InsertNode(int index, ListNode node)
    {
        if (_nodes == null)
        {
            // The first node of a list: held directly, without a node array (most lists in a keyspace have one node).
            _nodes = node;
            _first = 0;
            _nodeCount = 1;
            return;
        }
        if (_nodes is ListNode single)
        {
            var array = new ListNode[4];
            array[1] = single;
            _nodes = array;
            _first = 1;
        }
        ListNode[] nodes = Unsafe.As<ListNode[]>(_nodes);
        if (_nodeCount == 0)
        {
            _first = nodes.Length / 2;
            nodes[_first] = node;
            _nodeCount = 1;
            return;
        }
        if (_nodeCount == nodes.Length || (index == 0 && _first == 0) || (index == _nodeCount && _first + _nodeCount == nodes.Length) ||
            (index > 0 && index < _nodeCount && _first + _nodeCount == nodes.Length))
        {
            nodes = Regrow(nodes);
        }
        if (index == 0)
        {
            _first--;
        }
        else
        {
            Array.Copy(nodes, _first + index, nodes, _first + index + 1, _nodeCount - index);
        }
        nodes[_first + index] = node;
        _nodeCount++;
    }

    private void RemoveNode(int index)
    {
        if (_nodes is ListNode)
        {
            _nodes = null;
            _nodeCount = 0;
            return;
        }
        ListNode[] nodes = Unsafe.As<ListNode[]>(_nodes!);
        if (index == 0)
        {
            nodes[_first] = null!;
            _first++;
        }
        else
        {
            Array.Copy(nodes, _first + index + 1, nodes, _first + index, _nodeCount - index - 1);
            nodes[_first + _nodeCount - 1] = null!;
        }
        _nodeCount--;
        if (_nodeCount == 0)
        {
            _first = nodes.Length / 2;
        }
    }

    /// <summary>Re-centres the node array, doubling it when more than half full (and leaving room at both ends).</summary>
    private ListNode[] Regrow(ListNode[] old)
    {
        int size = _nodeCount * 2 + 4 > old.Length ? Math.Max(old.Length * 2, _nodeCount + 4) : old.Length;
        var nodes = new ListNode[size];
        int first = (size - _nodeCount) / 2;
        Array.Copy(old, _first, nodes, first, _nodeCount);
        _nodes = nodes;
        _first = first;
        return nodes;
    }
}
