using System.Text;
using Amber.Types;

namespace Amber.Tests;

/// <summary>The quicklist against a plain List model: random operations, small node limits so nodes split and merge.</summary>
public class QuickListTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static List<string> Contents(QuickList list)
    {
        var result = new List<string>();
        ListCursor c = list.HeadCursor();
        while (list.Next(ref c, out ReadOnlySpan<byte> v))
        {
            result.Add(Encoding.UTF8.GetString(v));
        }
        return result;
    }

    private static List<string> ContentsBackward(QuickList list)
    {
        var result = new List<string>();
        ListCursor c = list.TailCursor();
        while (list.Previous(ref c, out ReadOnlySpan<byte> v))
        {
            result.Add(Encoding.UTF8.GetString(v));
        }
        result.Reverse();
        return result;
    }

    private static void AssertSame(List<string> model, QuickList list)
    {
        Assert.Equal(model.Count, list.Count);
        Assert.Equal(model, Contents(list));
        Assert.Equal(model, ContentsBackward(list));
        long sum = 0;
        for (int i = 0; i < list.NodeCount; i++)
        {
            Assert.True(list.NodeAt(i).Count > 0);
            sum += list.NodeAt(i).Count;
        }
        Assert.Equal(list.Count, sum);
    }

    [Theory]
    [InlineData(-2, 1)]
    [InlineData(-1, 2)]
    [InlineData(3, 3)]
    [InlineData(1, 4)]
    [InlineData(0, 5)]
    public void RandomOperationsMatchModel(int fill, int seed)
    {
        var random = new Random(seed);
        var list = new QuickList(fill);
        var model = new List<string>();
        string RandomValue()
        {
            int kind = random.Next(10);
            int length = kind == 0 ? random.Next(200, 20000) : kind < 3 ? random.Next(0, 3) : random.Next(1, 150);
            return new string((char)('a' + random.Next(4)), length);
        }
        for (int step = 0; step < 4000; step++)
        {
            int op = random.Next(100);
            if (op < 25)
            {
                string v = RandomValue();
                list.PushHead(B(v));
                model.Insert(0, v);
            }
            else if (op < 50)
            {
                string v = RandomValue();
                list.PushTail(B(v));
                model.Add(v);
            }
            else if (op < 58 && model.Count > 0)
            {
                bool head = random.Next(2) == 0;
                string expected = head ? model[0] : model[^1];
                Assert.Equal(expected, Encoding.UTF8.GetString(list.Pop(head)));
                model.RemoveAt(head ? 0 : model.Count - 1);
            }
            else if (op < 64 && model.Count > 0)
            {
                int n = random.Next(1, Math.Min(model.Count, 50) + 1);
                if (random.Next(2) == 0)
                {
                    list.RemoveHead(n);
                    model.RemoveRange(0, n);
                }
                else
                {
                    list.RemoveTail(n);
                    model.RemoveRange(model.Count - n, n);
                }
            }
            else if (op < 74 && model.Count > 0)
            {
                int i = random.Next(model.Count);
                Assert.Equal(model[i], Encoding.UTF8.GetString(list.Get(list.Seek(i))));
                string v = RandomValue();
                list.Set(list.Seek(i), B(v));
                model[i] = v;
            }
            else if (op < 86 && model.Count > 0)
            {
                int i = random.Next(model.Count);
                bool after = random.Next(2) == 0;
                string v = RandomValue();
                list.Insert(list.Seek(i), after, B(v));
                model.Insert(after ? i + 1 : i, v);
            }
            else if (op < 90 && model.Count > 0)
            {
                string target = model[random.Next(model.Count)];
                long count = random.Next(-3, 4);
                long removed = list.RemoveMatches(B(target), count);
                long expected = 0;
                if (count >= 0)
                {
                    for (int i = 0; i < model.Count && (count == 0 || expected < count);)
                    {
                        if (model[i] == target)
                        {
                            model.RemoveAt(i);
                            expected++;
                        }
                        else
                        {
                            i++;
                        }
                    }
                }
                else
                {
                    for (int i = model.Count - 1; i >= 0 && expected < -count; i--)
                    {
                        if (model[i] == target)
                        {
                            model.RemoveAt(i);
                            expected++;
                        }
                    }
                }
                Assert.Equal(expected, removed);
            }
            if (step % 97 == 0)
            {
                AssertSame(model, list);
            }
        }
        AssertSame(model, list);
    }

    [Fact]
    public void NodesRespectTheSizeLimit()
    {
        var list = new QuickList(-1);
        for (int i = 0; i < 10000; i++)
        {
            list.PushTail(B("element-" + i));
        }
        Assert.True(list.NodeCount > 10);
        for (int i = 0; i < list.NodeCount; i++)
        {
            Assert.True(list.NodeAt(i).Bytes <= 4096);
        }
        var counted = new QuickList(5);
        for (int i = 0; i < 100; i++)
        {
            counted.PushHead(B("x"));
        }
        Assert.Equal(20, counted.NodeCount);
    }

    [Fact]
    public void LargeElementGetsItsOwnNode()
    {
        var list = new QuickList(-2);
        list.PushTail(B("a"));
        list.PushTail(new byte[100_000]);
        list.PushTail(B("b"));
        Assert.Equal(3, list.NodeCount);
        Assert.Equal(100_000, list.Get(list.Seek(1)).Length);
        Assert.Equal("b", Encoding.UTF8.GetString(list.Peek(head: false)));
    }
}
