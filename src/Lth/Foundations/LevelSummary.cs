using System.Text.Json.Serialization;
using System.Text.Json;

namespace Lth.Foundations;

/// <summary>What one level of one run produced (<c>summary.json</c>).</summary>
public sealed record LevelSummary
{
    public required int Level { get; init; }
    public required long Seed { get; init; }
    public required string Hash { get; init; }
    public required string Init { get; init; }
    /// <summary>The control branch (<c>none</c> for the lottery run itself).</summary>
    public string Control { get; init; } = "none";
    /// <summary>Fraction of prunable weights (not biases) alive.</summary>
    public required double Density { get; init; }
    public required Dictionary<string, double> LayerDensity { get; init; }
    /// <summary>Pruned weight tensors with no weight left: the network is disconnected there and the level trains at chance.</summary>
    public List<string> CollapsedLayers { get; init; } = [];
    public long? EarlyStopIteration { get; init; }
    public double? TestAccuracyAtEarlyStop { get; init; }
    public double? ValLossAtEarlyStop { get; init; }
    public double? FinalTestAccuracy { get; init; }
    public double? FinalValAccuracy { get; init; }
    public double? FinalTrainLoss { get; init; }
    public bool Diverged { get; init; }
    public long? DivergedAt { get; init; }
    public required long StartIteration { get; init; }
    public required long Iterations { get; init; }
    public required double WallSeconds { get; init; }
    public required int Threads { get; init; }
    /// <summary>How many runs trained this level together (1 = alone). Results do not depend on it.</summary>
    public int CohortSize { get; init; } = 1;

    /// <summary>The data files the level trained and was evaluated on: full path → SHA-256 (absent for generated data).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? DataFiles { get; init; }

    /// <summary>With <c>--instability</c>: the test-error barrier on the line between this level's run and its second copy (fraction, ≥ 0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? InstabilityTest { get; init; }
    /// <summary>With <c>--instability</c>: the same barrier on the fixed training subset.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? InstabilityTrain { get; init; }
    /// <summary>With <c>--instability</c>: the second copy's final test accuracy (the path's α = 1 end).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? InstabilityCopyTestAccuracy { get; init; }
    /// <summary>With <c>--instability</c>: the iteration both copies trained from (the rewind point, or 0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? InstabilityStart { get; init; }
    /// <summary>With <c>--instability</c>: true when the second copy diverged (the barrier is then not meaningful).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? InstabilityCopyDiverged { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static LevelSummary FromJson(string json, string path) =>
        JsonSerializer.Deserialize<LevelSummary>(json, Options) ?? throw new InvalidDataException($"{path}: empty summary");

    public static LevelSummary Load(string path) => FromJson(File.ReadAllText(path), path);
}
