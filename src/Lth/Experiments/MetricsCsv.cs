using System.Globalization;
using CsvHelper;
using Lth.Training;

namespace Lth.Experiments;

/// <summary><c>metrics.csv</c>: tidy rows <c>iteration,split,loss,accuracy</c> (accuracy empty for the train split).</summary>
public static class MetricsCsv
{
    private sealed record Row(long Iteration, string Split, double Loss, double? Accuracy);

    /// <summary>Writes the rows atomically; returns the file's SHA-256.</summary>
    public static string Save(string path, IEnumerable<EvalPoint> points) => AtomicFile.Write(path, s =>
    {
        using var w = new StreamWriter(s, leaveOpen: true);
        using var csv = new CsvWriter(w, CultureInfo.InvariantCulture);
        csv.Context.TypeConverterOptionsCache.GetOptions<double>().Formats = ["R"];
        csv.WriteHeader<Row>();
        csv.NextRecord();
        foreach (var p in points) { csv.WriteRecord(new Row(p.Iteration, p.Split, p.Loss, p.Accuracy)); csv.NextRecord(); }
    });

    public static List<EvalPoint> Load(string path)
    {
        using var r = new StreamReader(path);
        using var csv = new CsvReader(r, CultureInfo.InvariantCulture);
        return csv.GetRecords<Row>().Select(x => new EvalPoint(x.Iteration, x.Split, x.Loss, x.Accuracy)).ToList();
    }
}
