using System.Text.Json.Nodes;
using System.Text.Json;
using Lth.Models;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// Writes a level's winning ticket as portable files: <c>ticket.safetensors</c> (the level's starting
/// weights: iteration-0 — or rewind — values ⊙ mask), <c>mask.safetensors</c>, <c>trained.safetensors</c>
/// (weights after training), all with PyTorch parameter names (<c>fc1.weight</c> …), and
/// <c>manifest.json</c> (hparams, level, densities, accuracies, parameter shapes). Every stored file is checked against
/// its recorded SHA-256 before anything is written (<see cref="StoredFiles"/>).
/// </summary>
public static class TicketExport
{
    public static IReadOnlyList<string> Export(StoredRun run, int level, string outDir)
    {
        var summary = run.Summary(level);
        var hp = run.Hparams;
        var shapes = ModelShapes(hp);
        using var model = ModelRegistry.Create(hp.Model, shapes.Example, shapes.Classes);
        var maskPath = StoredFiles.Level(run.LevelDir(level), summary, RunStore.MaskFile);
        var finalPath = StoredFiles.Level(run.LevelDir(level), summary, RunStore.FinalFile);
        long rewind = summary.StartIteration;
        var startFile = level > 0 && rewind > 0 ? RunStore.RewindFile(rewind) : RunStore.InitFile;
        var startPath = StoredFiles.Seed(run.SeedDir, startFile);
        using var mask = WeightFiles.ReadMask(model.Layout, maskPath);
        WeightFiles.Load(model, startPath);
        mask.Apply(model.Flat);
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        string Out(string f) { var p = Path.Combine(outDir, f); written.Add(p); return p; }
        WeightFiles.Save(model, Out("ticket.safetensors"));
        File.Copy(maskPath, Out("mask.safetensors"), overwrite: true);
        File.Copy(finalPath, Out("trained.safetensors"), overwrite: true);

        var manifest = new JsonObject
        {
            ["format"] = "lth-ticket/1",
            ["run"] = Path.GetFileName(run.LotteryDir),
            ["seed"] = run.Seed,
            ["level"] = level,
            ["weights_from"] = startFile,
            ["density"] = summary.Density,
            ["layer_density"] = JsonNode.Parse(JsonSerializer.Serialize(summary.LayerDensity)),
            ["test_accuracy_at_early_stop"] = summary.TestAccuracyAtEarlyStop,
            ["early_stop_iteration"] = summary.EarlyStopIteration,
            ["final_test_accuracy"] = summary.FinalTestAccuracy,
            ["parameters"] = new JsonObject(model.Layout.Parameters.Select(p =>
                KeyValuePair.Create(p.Name, (JsonNode?)new JsonArray(p.Shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray())))),
            ["files"] = new JsonObject
            {
                ["ticket"] = "ticket.safetensors",
                ["mask"] = "mask.safetensors",
                ["trained"] = "trained.safetensors",
            },
            ["hparams"] = JsonNode.Parse(Hparams.ToJson(hp)),
        };
        AtomicFile.WriteText(Out("manifest.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return written;
    }

    /// <summary>The example shape and class count of the run's dataset, from the dataset catalog, without loading it.</summary>
    public static (long[] Example, int Classes) ModelShapes(LotteryHparams hp)
    {
        var source = Data.DatasetSources.Get(hp.Dataset.Name);
        return (source.ExampleShape, source.Classes);
    }

    /// <summary>Loss and accuracy of a stored level's trained weights on the test split.</summary>
    public static (double Loss, double Accuracy) Evaluate(StoredRun run, int level, Data.DatasetSplits data)
    {
        var final = StoredFiles.Level(run.LevelDir(level), run.Summary(level), RunStore.FinalFile);
        using var model = ModelRegistry.Create(run.Hparams.Model, data.Test.ExampleShape, data.Test.NumClasses);
        WeightFiles.Load(model, final);
        var (loss, acc) = Evaluation.Run(model, data.Test);
        return (loss[0], acc[0]);
    }
}
