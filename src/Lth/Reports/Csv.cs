using System.Globalization;
using CsvHelper;

namespace Lth.Reports;

/// <summary>Cells of the report's CSV files: invariant culture, round-trip doubles, empty for missing or NaN values.</summary>
public static class Csv
{
    public static string Num(double? x) => x is double d && !double.IsNaN(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";
    public static string Num(long? x) => x?.ToString(CultureInfo.InvariantCulture) ?? "";
    public static string Num(int? x) => x?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>Writes a header and rows of already formatted cells (CsvHelper quotes where needed), atomically.</summary>
    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows) =>
        AtomicFile.Write(path, s =>
        {
            using var w = new StreamWriter(s, leaveOpen: true);
            using var csv = new CsvWriter(w, CultureInfo.InvariantCulture);
            foreach (var h in header) csv.WriteField(h);
            csv.NextRecord();
            foreach (var row in rows)
            {
                foreach (var cell in row) csv.WriteField(cell);
                csv.NextRecord();
            }
        });
}
