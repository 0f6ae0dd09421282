namespace Lth.Reports;

/// <summary>A landmark density of the headline table: the target and the study's level nearest to it.</summary>
public sealed record Landmark(double Target, int Level, double Density);

/// <summary>
/// The levels the headline reports: for each of ≈50%, 20%, 7% and 2% of weights remaining, the study's level whose
/// mean density is nearest on a log scale, if the study reached within a factor <see cref="Reach"/> of it; a level
/// picked for two targets is reported once.
/// </summary>
public static class Landmarks
{
    public static readonly double[] Targets = [0.5, 0.2, 0.07, 0.02];

    /// <summary>How far (as a ratio) the nearest level may lie from a target and still stand for it.</summary>
    public const double Reach = 1.5;

    public static List<Landmark> Of(StudyResults study)
    {
        var levels = study.Rows.Where(r => r.Level > 0).GroupBy(r => r.Level)
            .Select(g => (Level: g.Key, Density: g.Average(r => r.Summary.Density))).Where(x => x.Density > 0).ToList();
        var list = new List<Landmark>();
        foreach (var t in Targets)
        {
            if (levels.Count == 0) break;
            var near = levels.MinBy(x => Math.Abs(Math.Log(x.Density / t)));
            if (Math.Abs(Math.Log(near.Density / t)) > Math.Log(Reach) || list.Any(l => l.Level == near.Level)) continue;
            list.Add(new Landmark(t, near.Level, near.Density));
        }
        return list;
    }
}
