using ScottPlot;

namespace Lth.Reports;

/// <summary>
/// The colour of each group, the same in every figure: a fixed palette (Category10, then the light half of
/// Category20) indexed by the group's position among the study's non-control groups; a control takes the colour of
/// the group it controls (and is drawn dashed).
/// </summary>
public static class GroupPalette
{
    private static readonly IPalette Strong = new ScottPlot.Palettes.Category10();
    private static readonly IPalette Pairs = new ScottPlot.Palettes.Category20();

    /// <summary>The i-th colour of the palette (20 distinct, then repeating).</summary>
    public static Color At(int i)
    {
        i %= 20;
        return i < 10 ? Strong.GetColor(i) : Pairs.GetColor(2 * (i - 10) + 1);
    }

    public static Color Of(StudyResults study, StudyGroup g)
    {
        var bases = study.Groups.Where(x => !x.IsControl).Select(x => x.Name).ToList();
        string baseName = g.IsControl ? g.Name[..g.Name.LastIndexOf(" [", StringComparison.Ordinal)] : g.Name;
        int i = bases.IndexOf(baseName);
        if (i < 0) i = bases.Count + study.Groups.Where(x => x.IsControl).ToList().IndexOf(g);
        return At(i);
    }

    public static Color Of(StudyResults study, string group) => Of(study, study.Group(group));
}
