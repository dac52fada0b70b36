namespace Amber.Commands;

/// <summary>
/// The Bentley–McIlroy quicksort of 4.4BSD ("Engineering a Sort Function", 1993), restricted to the partitions that
/// overlap a range of wanted positions, as Redis sorts with BY and LIMIT. It is not stable: which of several equal
/// elements lands where follows from the exact sequence of swaps, so SORT ... ALPHA BY ... LIMIT reproduces Redis's
/// choice among ties only by doing the same steps.
/// </summary>
internal static class PartialQuickSort
{
    /// <summary>Sorts enough of <paramref name="a"/> that positions <paramref name="low"/>..<paramref name="high"/> hold what a full sort would put there.</summary>
    public static void Sort<T>(T[] a, IComparer<T> cmp, long low, long high) => Sort(a, 0, a.Length, cmp, low, high);

    private static void Sort<T>(T[] a, int start, int n, IComparer<T> cmp, long low, long high)
    {
        while (true)
        {
            bool swapped = false;
            if (n < 7)
            {
                InsertionSort(a, start, n, cmp);
                return;
            }
            int pm = start + n / 2;
            if (n > 7)
            {
                int pl = start;
                int pn = start + n - 1;
                if (n > 40)
                {
                    int d = n / 8;
                    pl = Median3(a, pl, pl + d, pl + 2 * d, cmp);
                    pm = Median3(a, pm - d, pm, pm + d, cmp);
                    pn = Median3(a, pn - 2 * d, pn - d, pn, cmp);
                }
                pm = Median3(a, pl, pm, pn, cmp);
            }
            Swap(a, start, pm);
            int pa = start + 1, pb = start + 1;
            int pc = start + n - 1, pd = start + n - 1;
            while (true)
            {
                int r;
                while (pb <= pc && (r = cmp.Compare(a[pb], a[start])) <= 0)
                {
                    if (r == 0)
                    {
                        swapped = true;
                        Swap(a, pa, pb);
                        pa++;
                    }
                    pb++;
                }
                while (pb <= pc && (r = cmp.Compare(a[pc], a[start])) >= 0)
                {
                    if (r == 0)
                    {
                        swapped = true;
                        Swap(a, pc, pd);
                        pd--;
                    }
                    pc--;
                }
                if (pb > pc)
                {
                    break;
                }
                Swap(a, pb, pc);
                swapped = true;
                pb++;
                pc--;
            }
            if (!swapped)
            {
                InsertionSort(a, start, n, cmp);
                return;
            }
            int end = start + n;
            int s = Math.Min(pa - start, pb - pa);
            SwapRanges(a, start, pb - s, s);
            s = Math.Min(pd - pc, end - pd - 1);
            SwapRanges(a, pb, end - s, s);

            int left = pb - pa;
            if (left > 1 && Overlaps(start, start + left - 1, low, high))
            {
                Sort(a, start, left, cmp, low, high);
            }
            int right = pd - pc;
            if (right <= 1)
            {
                return;
            }
            start = end - right;
            n = right;
            if (!Overlaps(start, start + n - 1, low, high))
            {
                return;
            }
        }
    }

    /// <summary>Whether a partition [first, last] holds any wanted position (the wanted range's ends may be reversed).</summary>
    private static bool Overlaps(int first, int last, long low, long high) =>
        !((low < first && high < first) || (low > last && high > last));

    private static void InsertionSort<T>(T[] a, int start, int n, IComparer<T> cmp)
    {
        for (int m = start + 1; m < start + n; m++)
        {
            for (int l = m; l > start && cmp.Compare(a[l - 1], a[l]) > 0; l--)
            {
                Swap(a, l, l - 1);
            }
        }
    }

    private static int Median3<T>(T[] a, int x, int y, int z, IComparer<T> cmp) =>
        cmp.Compare(a[x], a[y]) < 0
            ? (cmp.Compare(a[y], a[z]) < 0 ? y : (cmp.Compare(a[x], a[z]) < 0 ? z : x))
            : (cmp.Compare(a[y], a[z]) > 0 ? y : (cmp.Compare(a[x], a[z]) < 0 ? x : z));

    private static void Swap<T>(T[] a, int i, int j) => (a[i], a[j]) = (a[j], a[i]);

    private static void SwapRanges<T>(T[] a, int i, int j, int count)
    {
        for (int k = 0; k < count; k++)
        {
            Swap(a, i + k, j + k);
        }
    }
}
