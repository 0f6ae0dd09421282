using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Lth.Models;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// A lottery observer that writes TensorBoard event files (<c>events.out.tfevents.&lt;unix time&gt;.&lt;host&gt;</c> in the
/// log folder), readable by TensorBoard without TensorFlow installed here. The file is a TFRecord stream: each record
/// is the data length (uint64 LE), the masked CRC-32C of those 8 bytes, the data (a serialized <c>Event</c> protobuf)
/// and its masked CRC-32C. The protobuf is encoded by hand: Event{wall_time = 1 (double), step = 2 (int64),
/// file_version = 3 (string), summary = 5 {value = 1 {tag = 1, simple_value = 2 (float), histo = 5}}}; the first
/// record carries file_version "brain.Event:2".
/// <list type="bullet">
/// <item>Per evaluation (step = iteration): <c>level_L/train_loss</c>, <c>level_L/val_loss</c>, <c>level_L/val_accuracy</c>,
/// <c>level_L/test_loss</c>, <c>level_L/test_accuracy</c> (cohorts of K &gt; 1: prefixed <c>member_k/</c>).</item>
/// <item>Per level (step = level): <c>lottery/density</c>, <c>lottery/test_accuracy_at_early_stop</c>,
/// <c>lottery/early_stop_iteration</c>, <c>lottery/final_test_accuracy</c>.</item>
/// <item>Weight histograms of the surviving weights of each prunable tensor (step = level): <c>level_L/init/&lt;tensor&gt;</c>
/// at the level's start and <c>level_L/trained/&lt;tensor&gt;</c> at its end (member 0).</item>
/// </list>
/// Records are flushed as they are written, so TensorBoard can follow a running experiment.
/// </summary>
public sealed class TensorBoardWriter : ILotteryObserver, IDisposable
{
    public const int HistogramBins = 30;

    private readonly FileStream stream;
    private readonly object gate = new();
    private int level;
    private Mask? mask;

    public string Path { get; }

    public TensorBoardWriter(string logDir)
    {
        Directory.CreateDirectory(logDir);
        string host = Environment.MachineName is { Length: > 0 } h ? h : "localhost";
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string path = System.IO.Path.Combine(logDir, $"events.out.tfevents.{now.ToString(CultureInfo.InvariantCulture)}.{host}");
        // Two writers started in the same second must not share a file.
        for (int i = 1; File.Exists(path); i++) path = System.IO.Path.Combine(logDir, $"events.out.tfevents.{now.ToString(CultureInfo.InvariantCulture)}.{host}.{i.ToString(CultureInfo.InvariantCulture)}");
        Path = path;
        stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        var ev = new ProtoWriter();
        ev.Double(1, WallTime());
        ev.Bytes(3, Encoding.UTF8.GetBytes("brain.Event:2"));
        WriteRecord(ev.ToArray());
    }

    public void OnLevelStart(int level, IModel model, Mask mask)
    {
        this.level = level;
        this.mask = mask;
        Histograms(model, mask, $"level_{level}/init/");
    }

    public void OnIteration(long iteration, long total, IModel model)
    {
        if (iteration == total && mask is not null) Histograms(model, mask, $"level_{level}/trained/");
    }

    public void OnEvaluated(long iteration, long total, IReadOnlyList<MemberResult> members)
    {
        for (int k = 0; k < members.Count; k++)
        {
            string prefix = (members.Count > 1 ? $"member_{k}/" : "") + $"level_{level}/";
            foreach (var p in members[k].Metrics.Where(p => p.Iteration == iteration))
            {
                Scalar(prefix + p.Split + "_loss", iteration, p.Loss);
                if (p.Accuracy is double a) Scalar(prefix + p.Split + "_accuracy", iteration, a);
            }
        }
    }

    public void OnLevelDone(LevelSummary summary, bool skipped)
    {
        Scalar("lottery/density", summary.Level, summary.Density);
        if (summary.TestAccuracyAtEarlyStop is double acc) Scalar("lottery/test_accuracy_at_early_stop", summary.Level, acc);
        if (summary.EarlyStopIteration is long es) Scalar("lottery/early_stop_iteration", summary.Level, es);
        if (summary.FinalTestAccuracy is double fin) Scalar("lottery/final_test_accuracy", summary.Level, fin);
        mask = null;
    }

    /// <summary>Writes one scalar summary (a float, as TensorBoard stores them).</summary>
    public void Scalar(string tag, long step, double value)
    {
        var v = new ProtoWriter();
        v.Bytes(1, Encoding.UTF8.GetBytes(tag));
        v.Float(2, (float)value);
        WriteSummary(step, v);
    }

    /// <summary>Writes one histogram summary (HistogramProto: min, max, num, sum, sum_squares, bucket_limit, bucket).</summary>
    public void Histogram(string tag, long step, ReadOnlySpan<float> values)
    {
        if (values.Length == 0) return;
        double min = double.MaxValue, max = double.MinValue, sum = 0, sq = 0;
        foreach (float f in values) { min = Math.Min(min, f); max = Math.Max(max, f); sum += f; sq += (double)f * f; }
        int bins = max > min ? HistogramBins : 1;
        double width = max > min ? (max - min) / bins : 1;
        var counts = new double[bins];
        foreach (float f in values) counts[Math.Clamp((int)((f - min) / width), 0, bins - 1)]++;
        var limits = Enumerable.Range(1, bins).Select(i => i == bins ? max : min + i * width).ToArray();
        var h = new ProtoWriter();
        h.Double(1, min); h.Double(2, max); h.Double(3, values.Length); h.Double(4, sum); h.Double(5, sq);
        h.PackedDoubles(6, limits); h.PackedDoubles(7, counts);
        var v = new ProtoWriter();
        v.Bytes(1, Encoding.UTF8.GetBytes(tag));
        v.Bytes(5, h.ToArray());
        WriteSummary(step, v);
    }

    private void Histograms(IModel model, Mask mask, string prefix)
    {
        using var _ = no_grad();
        foreach (var p in model.Layout.Parameters.Where(p => p.IsWeight))
        {
            using var scope = NewDisposeScope();
            var w = model.View(model.Flat, p, 0).flatten();
            var alive = mask.View(p, 0).flatten() > 0.5f;
            var kept = w.masked_select(alive).to(ScalarType.Float32).data<float>().ToArray();
            Histogram(prefix + p.Name, level, kept);
        }
    }

    private void WriteSummary(long step, ProtoWriter value)
    {
        var summary = new ProtoWriter();
        summary.Bytes(1, value.ToArray());
        var ev = new ProtoWriter();
        ev.Double(1, WallTime());
        ev.Varint(2, (ulong)step);
        ev.Bytes(5, summary.ToArray());
        WriteRecord(ev.ToArray());
    }

    private void WriteRecord(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        lock (gate)
        {
            stream.Write(header);
            stream.Write(data);
            stream.Write(footer);
            stream.Flush();
        }
    }

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    public void Dispose()
    {
        lock (gate) stream.Dispose();
    }

    /// <summary>The few protobuf wire-format pieces an Event needs.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream buf = new();

        private void Tag(int field, int wire) => Raw((ulong)((field << 3) | wire));

        private void Raw(ulong v)
        {
            while (v >= 0x80) { buf.WriteByte((byte)(v | 0x80)); v >>= 7; }
            buf.WriteByte((byte)v);
        }

        public void Varint(int field, ulong v) { Tag(field, 0); Raw(v); }

        public void Double(int field, double v)
        {
            Tag(field, 1);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, v);
            buf.Write(b);
        }

        public void Float(int field, float v)
        {
            Tag(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, v);
            buf.Write(b);
        }

        public void Bytes(int field, byte[] v) { Tag(field, 2); Raw((ulong)v.Length); buf.Write(v); }

        public void PackedDoubles(int field, double[] vs)
        {
            var b = new byte[8 * vs.Length];
            for (int i = 0; i < vs.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(8 * i), vs[i]);
            Bytes(field, b);
        }

        public byte[] ToArray() => buf.ToArray();
    }
}
