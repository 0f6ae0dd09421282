namespace Lth.Foundations;

/// <summary>
/// Marks a property of an hparams record as a hyperparameter. The flag name, the preset key,
/// the canonical string and the run hash are all derived from this one declaration.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HparamAttribute(string flag, string description) : Attribute
{
    /// <summary>The command-line flag without dashes, e.g. <c>lr</c> for <c>--lr</c>; also the key in preset files.</summary>
    public string Flag { get; } = flag;

    /// <summary>One line for <c>--help</c> and <c>lth presets</c>.</summary>
    public string Description { get; } = description;

    /// <summary>
    /// The value is a comma-separated <c>NAME=VALUE</c> map (<c>--rates fc1=0.2,fc2=0.2</c>) or list
    /// (<c>--lr-drops 80ep,120ep</c>): in a sweep its commas never split values; several are separated by <c>;</c>.
    /// </summary>
    public bool Map { get; init; }
}
