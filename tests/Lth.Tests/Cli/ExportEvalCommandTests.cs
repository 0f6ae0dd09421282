using System.Text.Json;
using Lth.Experiments;

namespace Lth.Tests.Cli;

public class ExportEvalCommandTests
{
    [Fact]
    public void ExportWritesTheTicketAndEvalReproducesTheRecordedAccuracy()
    {
        using var dir = new TempDir();
        var run = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "1", "--seed", "2", "--quiet");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var seedDir = Directory.GetDirectories(Directory.GetDirectories(Path.Combine(dir, "runs"), "lottery_*").Single(), "seed_*").Single();

        var outDir = Path.Combine(dir, "ticket");
        var export = CliRunner.Run(dir, "export", seedDir, "--level", "1", "--out", outDir);
        Assert.True(export.ExitCode == 0, export.Stderr);
        var ticket = TensorFile.Load(Path.Combine(outDir, "ticket.safetensors"));
        var mask = TensorFile.Load(Path.Combine(outDir, "mask.safetensors"));
        var init = TensorFile.Load(Path.Combine(seedDir, RunStore.InitFile));
        var trained = TensorFile.Load(Path.Combine(outDir, "trained.safetensors"));
        Assert.Equal(new[] { "fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight", "fc3.bias", "fc3.weight" }, ticket.Keys.Order());
        foreach (var name in ticket.Keys)
        {
            Assert.True(ticket[name].eq(init[name] * mask[name]).all().item<bool>(), name);
            Assert.Equal(ticket[name].shape, trained[name].shape);
        }
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")));
        Assert.Equal(1, manifest.RootElement.GetProperty("level").GetInt32());
        Assert.Equal(0.8, manifest.RootElement.GetProperty("layer_density").GetProperty("fc1.weight").GetDouble(), 2);

        var eval = CliRunner.Run(dir, "eval", seedDir, "--level", "1");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        var summary = LevelSummary.Load(Path.Combine(seedDir, "level_1", RunStore.SummaryFile));
        Assert.Contains($"test accuracy {summary.FinalTestAccuracy:0.0000} (recorded at the end of training: {summary.FinalTestAccuracy:0.0000})", eval.Stdout);

        var missing = CliRunner.Run(dir, "export", seedDir, "--level", "7", "--out", outDir);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("level 7", missing.Stderr);
    }

    [Fact]
    public void DatasetsListsFashionMnistAsFound()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "datasets");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Matches(@"fashion-mnist\s+found", r.Stdout);
        Assert.Matches(@"synthetic\s+found", r.Stdout);
    }
}
