namespace Lth.Reports;

/// <summary>Which way a test looks: H1 is μ_a ≠ μ_b, μ_a &lt; μ_b or μ_a &gt; μ_b (for one sample: μ vs μ0).</summary>
public enum Alternative { TwoSided, Less, Greater }

/// <summary>
/// The outcome of one hypothesis test: its name, statistic, degrees of freedom (NaN where none), p-value for the
/// requested <see cref="Alternative"/>, and how the p-value was obtained (e.g. "exact", "normal approximation").
/// </summary>
public sealed record TestResult(string Test, double Statistic, double Df, double P, Alternative Alternative, string Method)
{
    /// <summary>A test that could not be run (too few values): NaN throughout, with the reason as its method.</summary>
    public static TestResult NotRun(string test, Alternative alt, string why) => new(test, double.NaN, double.NaN, double.NaN, alt, why);
}
