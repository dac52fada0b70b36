using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Amber.Keyspace;

/// <summary>
/// Asks the CPU to start loading an object's first cache line. For walks over many keys in bucket order (the snapshot
/// walker), where each key costs a cache miss on its entry and another on its byte array and the walk is otherwise
/// memory-bound. A hint only: the address may be stale by the time the line arrives (a collection moved the object),
/// which costs nothing but the wasted load; a prefetch never faults. A no-op where SSE is not available.
/// </summary>
internal static class CachePrefetch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Object(object? value)
    {
        if (Sse.IsSupported && value != null)
        {
            Sse.Prefetch0(*(void**)Unsafe.AsPointer(ref value));
        }
    }

    /// <summary>Asks the CPU to start loading the cache line of <paramref name="array"/>[<paramref name="index"/>] (in range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Element<T>(T[] array, long index)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(array), (nint)index)));
        }
    }
}
