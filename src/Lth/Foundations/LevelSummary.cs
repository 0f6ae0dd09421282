using System.Text;
using System.Text.Json.Serialization;
using System.Text.Json;

namespace Lth.Foundations;

/// <summary>
/// What one level of one run produced (<c>summary.json</c>, the level's completion marker). It records the SHA-256 of
/// every other file of the level (<see cref="Files"/>) and of itself (<see cref="Sha256"/>), so that a file changed
/// after it was written is caught before it is used (<see cref="StoredFiles"/>). Summaries written by an lth before
/// digests were recorded have neither: they load as <em>unverified</em> (<see cref="Verified"/> is false).
/// </summary>
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
    /// <summary>
    /// The SHA-256 (lowercase hex) of each other file of the level folder, by file name, from the bytes written
    /// (<c>mask.safetensors</c>, <c>final.safetensors</c>, <c>metrics.csv</c>, <c>winners.json</c>, and
    /// <c>optimizer.safetensors</c> when the optimizer is carried). Null in a summary written before lth recorded digests.
    /// </summary>
    public Dictionary<string, string>? Files { get; init; }
    /// <summary>
    /// The SHA-256 of this <c>summary.json</c> itself, taken over the file's bytes with these 64 digits written as zeros
    /// (<see cref="ToSealedJson"/>); checked by <see cref="FromJson"/>. Null in a summary written before lth recorded digests.
    /// </summary>
    public string? Sha256 { get; init; }

    /// <summary>Whether the level's files have recorded digests (false: written by an earlier lth; usable, unverified).</summary>
    [JsonIgnore]
    public bool Verified => Files is not null;

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

    private static readonly string Zeros = new('0', 64);
    private static string Seal(string digest) => $"\"sha256\": \"{digest}\"";

    /// <summary>The record as JSON, as it is (<see cref="Sha256"/> included as it is).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>The text of <c>summary.json</c>: the record with <see cref="Sha256"/> set to the digest of this very text (taken with it zeroed).</summary>
    public string ToSealedJson()
    {
        var text = JsonSerializer.Serialize(this with { Sha256 = Zeros }, Options);
        return text.Replace(Seal(Zeros), Seal(FileDigest.Of(Encoding.UTF8.GetBytes(text))), StringComparison.Ordinal);
    }

    /// <summary>Writes <c>summary.json</c> atomically (<see cref="ToSealedJson"/>).</summary>
    public void Save(string path) => AtomicFile.WriteText(path, ToSealedJson());

    /// <summary>
    /// Reads a summary; throws <see cref="InvalidDataException"/> (one line naming the file and how to redo the level)
    /// when it is not valid JSON (truncated, edited) or no longer matches its own recorded SHA-256.
    /// </summary>
    public static LevelSummary FromJson(string json, string path)
    {
        LevelSummary? s;
        try { s = JsonSerializer.Deserialize<LevelSummary>(json, Options); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a valid summary ({e.Message.Split('\n')[0].TrimEnd()}); {Redo(path)}", e); }
        if (s is null) throw new InvalidDataException($"{path}: empty summary; {Redo(path)}");
        if (s.Sha256 is null && s.Files is null) return s;   // written before lth recorded digests
        if (!FileDigest.IsDigest(s.Sha256)) throw new InvalidDataException($"{path}: its own SHA-256 is missing or malformed; {Redo(path)}");
        var seal = Seal(s.Sha256!);
        int at = json.IndexOf(seal, StringComparison.Ordinal);
        bool ok = at >= 0 && json.IndexOf(seal, at + 1, StringComparison.Ordinal) < 0
                  && FileDigest.Of(Encoding.UTF8.GetBytes(string.Concat(json.AsSpan(0, at), Seal(Zeros), json.AsSpan(at + seal.Length)))) == s.Sha256;
        if (!ok) throw new InvalidDataException($"{path}: contents differ from the SHA-256 recorded in it (changed or damaged after it was written); {Redo(path)}");
        return s;
    }

    /// <summary>Reads <c>summary.json</c> (see <see cref="FromJson"/>).</summary>
    public static LevelSummary Load(string path) => FromJson(File.ReadAllText(path), path);

    private static string Redo(string path) => StoredFiles.RedoLevel(Path.GetDirectoryName(Path.GetFullPath(path))!);
}
