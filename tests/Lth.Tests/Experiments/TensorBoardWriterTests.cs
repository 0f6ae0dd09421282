using System.Buffers.Binary;
using System.Text;
using Lth.Experiments;
using Lth.Reports;

namespace Lth.Tests.Experiments;

public class TensorBoardWriterTests
{
    /// <summary>A decoded event: wall time, step, file_version, and its summary values (tag → simple value or histogram).</summary>
    internal sealed record Event(double WallTime, long Step, string? FileVersion, List<(string Tag, float? Value, Histo? Histo)> Values);

    internal sealed record Histo(double Min, double Max, double Num, double Sum, double SumSquares, double[] Limits, double[] Buckets);

    /// <summary>Reads a TFRecord file, checking both masked CRC-32Cs of every record, and decodes the Event protobufs.</summary>
    internal static List<Event> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            Assert.True(pos + 12 <= bytes.Length, "truncated record header");
            ulong len = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos));
            Assert.Equal(Crc32C.Masked(bytes.AsSpan(pos, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8)));
            var data = bytes.AsSpan(pos + 12, (int)len);
            Assert.Equal(Crc32C.Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 12 + (int)len)));
            events.Add(DecodeEvent(data.ToArray()));
            pos += 12 + (int)len + 4;
        }
        return events;
    }

    private static Event DecodeEvent(byte[] b)
    {
        double wall = 0; long step = 0; string? version = null;
        var values = new List<(string, float?, Histo?)>();
        foreach (var (field, wire, num, data) in Fields(b))
        {
            if (field == 1 && wire == 1) wall = BitConverter.Int64BitsToDouble((long)num);
            else if (field == 2 && wire == 0) step = (long)num;
            else if (field == 3 && wire == 2) version = Encoding.UTF8.GetString(data!);
            else if (field == 5 && wire == 2)
                foreach (var (f2, w2, _, value) in Fields(data!))
                    if (f2 == 1 && w2 == 2)
                    {
                        string tag = ""; float? simple = null; Histo? histo = null;
                        foreach (var (f3, w3, n3, d3) in Fields(value!))
                        {
                            if (f3 == 1 && w3 == 2) tag = Encoding.UTF8.GetString(d3!);
                            else if (f3 == 2 && w3 == 5) simple = BitConverter.Int32BitsToSingle((int)n3);
                            else if (f3 == 5 && w3 == 2) histo = DecodeHisto(d3!);
                        }
                        values.Add((tag, simple, histo));
                    }
        }
        return new Event(wall, step, version, values);
    }

    private static Histo DecodeHisto(byte[] b)
    {
        var d = new double[6]; double[] limits = [], buckets = [];
        foreach (var (f, w, n, data) in Fields(b))
        {
            if (w == 1) d[f] = BitConverter.Int64BitsToDouble((long)n);
            else if (w == 2)
            {
                var arr = Enumerable.Range(0, data!.Length / 8).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(8 * i))).ToArray();
                if (f == 6) limits = arr; else if (f == 7) buckets = arr;
            }
        }
        return new Histo(d[1], d[2], d[3], d[4], d[5], limits, buckets);
    }

    private static IEnumerable<(int Field, int Wire, ulong Num, byte[]? Data)> Fields(byte[] b)
    {
        int pos = 0;
        ulong Varint()
        {
            ulong v = 0; int shift = 0;
            while (true) { byte x = b[pos++]; v |= (ulong)(x & 0x7F) << shift; if (x < 0x80) return v; shift += 7; }
        }
        while (pos < b.Length)
        {
            ulong key = Varint();
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, Varint(), null); break;
                case 1: { ulong v = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(pos)); pos += 8; yield return (field, wire, v, null); break; }
                case 5: { ulong v = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos)); pos += 4; yield return (field, wire, v, null); break; }
                case 2: { int len = (int)Varint(); var d = b.AsSpan(pos, len).ToArray(); pos += len; yield return (field, wire, 0, d); break; }
                default: throw new InvalidDataException($"unexpected wire type {wire}");
            }
        }
    }

    [Fact]
    public void Crc32CMatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void ScalarsAndHistogramsRoundTrip()
    {
        using var dir = new TempDir();
        string path;
        using (var w = new TensorBoardWriter(dir))
        {
            path = w.Path;
            w.Scalar("level_0/val_accuracy", 100, 0.875);
            w.Scalar("lottery/density", 3, 0.512);
            w.Histogram("h", 2, [1f, 2f, 2f, 4f]);
        }
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path));
        var events = Read(path);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.True(events[0].WallTime > 1.6e9);
        Assert.Equal(("level_0/val_accuracy", 0.875f), (events[1].Values[0].Tag, events[1].Values[0].Value!.Value));
        Assert.Equal(100, events[1].Step);
        Assert.Equal(3, events[2].Step);
        Assert.Equal(0.512f, events[2].Values[0].Value);
        var h = events[3].Values[0].Histo!;
        Assert.Equal((1.0, 4.0, 4.0, 9.0, 25.0), (h.Min, h.Max, h.Num, h.Sum, h.SumSquares));
        Assert.Equal(4.0, h.Buckets.Sum());
        Assert.Equal(h.Limits.Length, h.Buckets.Length);
        Assert.Equal(4.0, h.Limits[^1]);
    }

    [Fact]
    public void ALotteryRunWritesPerEvaluationAndPerLevelScalars()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var hp = LotteryRunnerTests.Tiny() with { Training = LotteryRunnerTests.Tiny().Training with { Steps = "2ep" } };
        string path;
        IReadOnlyList<LevelSummary> summaries;
        using (var tb = new TensorBoardWriter(Path.Combine(dir, "tb")))
        {
            path = tb.Path;
            summaries = new LotteryRunner(new RunStore(Path.Combine(dir, "runs")), hp, data).Run(seed: 1, levels: 1, tb);
        }
        var events = Read(path);
        var scalars = events.SelectMany(e => e.Values.Where(v => v.Value is not null).Select(v => (v.Tag, e.Step, Value: v.Value!.Value))).ToList();
        foreach (var tag in new[] { "train_loss", "val_loss", "val_accuracy", "test_loss", "test_accuracy" })
        {
            Assert.Contains(scalars, s => s.Tag == "level_0/" + tag);
            Assert.Contains(scalars, s => s.Tag == "level_1/" + tag);
        }
        foreach (var s in summaries)
        {
            Assert.Equal((float)s.Density, scalars.Single(x => x.Tag == "lottery/density" && x.Step == s.Level).Value);
            Assert.Equal((float)s.TestAccuracyAtEarlyStop!.Value, scalars.Single(x => x.Tag == "lottery/test_accuracy_at_early_stop" && x.Step == s.Level).Value);
            // The test accuracy logged at the early-stop iteration is the summary's.
            Assert.Equal((float)s.TestAccuracyAtEarlyStop.Value,
                scalars.Single(x => x.Tag == $"level_{s.Level}/test_accuracy" && x.Step == s.EarlyStopIteration).Value);
        }
        var hist = events.SelectMany(e => e.Values.Where(v => v.Histo is not null).Select(v => (v.Tag, e.Step, v.Histo!))).ToList();
        var fc1 = hist.Single(h => h.Tag == "level_1/init/fc1.weight");
        Assert.Equal(1, fc1.Step);
        Assert.Equal(32 * 16 * summaries[1].LayerDensity["fc1.weight"], fc1.Item3.Num, 0);   // survivors only
        Assert.Contains(hist, h => h.Tag == "level_1/trained/fc3.weight");
    }
}
