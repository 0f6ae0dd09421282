using System.Text.Json;
using Lth.Tests.Data;

namespace Lth.Tests.Cli;

/// <summary>The convolutional models run with the same commands as LeNet (short budgets; real Fashion-MNIST subsets).</summary>
public class ConvNetRunTests
{
    private static readonly string[] Short = ["--levels", "3", "--train-subset", "600", "--validation", "500", "--test-subset", "500", "--steps", "30it", "--eval-every", "15it", "--threads", "2"];

    private static List<JsonElement> Summaries(string dir)
    {
        var run = Directory.GetDirectories(Path.Combine(dir, "runs"), "lottery_*").Single();
        return Enumerable.Range(0, 4)
            .Select(l => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "seed_1", $"level_{l}", "summary.json"))).RootElement)
            .ToList();
    }

    [Fact]
    public void Conv2FashionRunsThreeLevelsWithConvAndFcRates()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, ["run", "--preset", "conv2-fashion", .. Short]);
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var s = Summaries(dir);
        double[] conv = [1, 0.9, 0.81, 0.729], fc = [1, 0.8, 0.64, 0.512];
        for (int l = 0; l <= 3; l++)
        {
            var d = s[l].GetProperty("layer_density");
            Assert.Equal(conv[l], d.GetProperty("conv2.weight").GetDouble(), 3);
            Assert.Equal(fc[l], d.GetProperty("fc1.weight").GetDouble(), 3);
            Assert.True(s[l].GetProperty("test_accuracy_at_early_stop").GetDouble() > 0.45, $"level {l}: above chance (0.1)");
        }
    }

    [Fact]
    public void ResNet20FashionRunsThreeLevelsWithGlobalPruningAndUnprunedBatchNorm()
    {
        using var dir = new TempDir();
        // Adam rather than the preset's SGD 0.1: with 30 steps, SGD leaves batch-norm running statistics too far behind for a stable level-0 accuracy.
        // --lr-drops none: the preset's milestones (80ep, 120ep) lie past the shortened level and would be refused.
        var r = CliRunner.Run(dir, ["run", "--preset", "resnet20-fashion", "--batch", "32", "--optimizer", "adam", "--lr", "0.002", "--momentum", "0", "--weight-decay", "0", "--lr-drops", "none", .. Short]);
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var s = Summaries(dir);
        for (int l = 0; l <= 3; l++)
        {
            Assert.Equal(Math.Pow(0.8, l), s[l].GetProperty("density").GetDouble(), 2);
            Assert.True(s[l].GetProperty("test_accuracy_at_early_stop").GetDouble() > 0.35, $"level {l}: above chance (0.1)");
        }
        var run = Directory.GetDirectories(Path.Combine(dir, "runs"), "lottery_*").Single();
        var mask = Lth.Foundations.TensorFile.Load(Path.Combine(run, "seed_1", "level_3", "mask.safetensors"));
        Assert.True(mask["bn.weight"].eq(1f).all().item<bool>());
        var final = Lth.Foundations.TensorFile.Load(Path.Combine(run, "seed_1", "level_3", "final.safetensors"));
        Assert.Contains("blocks.8.bn2.running_var", final.Keys);
    }

    [Fact]
    public void Conv2RunsOnCifarFilesInTheRealBinaryFormat()
    {
        using var dir = new TempDir();
        var data = Path.Combine(dir, "cifar");
        DataFiles.WriteCifarFolder(data, DataFiles.CifarFiles());
        var r = CliRunner.Run(dir, "run", "--dataset", "cifar10", "--data", data, "--model", "conv2", "--validation", "2",
                              "--steps", "4it", "--batch", "4", "--levels", "1", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var run = Directory.GetDirectories(Path.Combine(dir, "runs"), "lottery_*").Single();
        var final = Lth.Foundations.TensorFile.Load(Path.Combine(run, "seed_1", "level_1", "final.safetensors"));
        Assert.Equal(new long[] { 64, 3, 3, 3 }, final["conv1.weight"].shape);
    }
}
