
namespace Lth.Tests.Cli;

public class CliTests
{
    [Theory]
    [InlineData("run --frobnicate 3", "--frobnicate")]
    [InlineData("run --preset no-such-preset", "no-such-preset")]
    [InlineData("run --preset synthetic-tiny --rate 1.5", "--rate")]
    [InlineData("run --preset synthetic-tiny --levels -1", "--levels")]
    [InlineData("run --preset synthetic-tiny --batch 0", "--batch")]
    [InlineData("run --preset synthetic-tiny --init xavier-normal:gian=2", "gian")]
    [InlineData("run --preset synthetic-tiny --dataset imagenet", "imagenet")]
    [InlineData("run --preset synthetic-tiny --steps 5 ", "steps")]
    [InlineData("run --preset synthetic-tiny --device cuda", "--device cuda: CUDA is not available")]
    [InlineData("run --preset synthetic-tiny --device tpu", "--device")]
    [InlineData("run --preset synthetic-tiny --model conv2 --activation leaky-relu:0.1", "--activation: conv2 does not use it")]
    [InlineData("run --preset synthetic-tiny --strategy magnitud", "--strategy")]
    [InlineData("run --preset synthetic-tiny --seed=-1", "--seed")]
    [InlineData("run --preset synthetic-tiny --rates fc9=0.2", "--rates: 'fc9' is not a layer or parameter")]
    [InlineData("run --preset synthetic-tiny --rates FC1=0.5", "--rates: 'FC1'")]
    [InlineData("sweep --preset synthetic-tiny --seeds=-2", "--seeds")]
    [InlineData("run --preset synthetic-tiny --control reinitt", "--control")]
    [InlineData("run --preset synthetic-tiny --prune global --rates fc1=0.3", "--rates")]
    [InlineData("sweep --preset synthetic-tiny --prune global --rates fc1=0.3,fc2=0.3", "--rates")]
    public void UserMistakesGiveOneLineNamingTheProblemAndExitCode2(string args, string named)
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr); // no stack trace
    }

    [Fact]
    public void MissingDataExitsWith3AndSaysWhereItLooked()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "run", "--dataset", "mnist", "--data", Path.Combine(dir, "nowhere"), "--steps", "1it");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("nowhere", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void PresetsAreListed()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "presets");
        Assert.Equal(0, r.ExitCode);
        foreach (var p in new[] { "lenet-fashion", "lenet-fashion-quick", "lenet-mnist", "synthetic-tiny" }) Assert.Contains(p, r.Stdout);
    }

    [Fact]
    public void RunWritesTheLevelsAndARerunDoesNothing()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "2", "--seed", "4");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("% weights remaining", r.Stdout);
        var run = Directory.GetDirectories(Path.Combine(dir, "runs"), "lottery_*").Single();
        foreach (var level in new[] { 0, 1, 2 })
            foreach (var f in new[] { "mask.safetensors", "final.safetensors", "metrics.csv", "summary.json" })
                Assert.True(File.Exists(Path.Combine(run, "seed_4", $"level_{level}", f)), $"level {level} {f}");
        Assert.True(File.Exists(Path.Combine(run, "seed_4", "init.safetensors")));
        Assert.True(File.Exists(Path.Combine(run, "hparams.json")));

        var again = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "2", "--seed", "4");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already complete", again.Stdout);
    }

    [Fact]
    public void SweepPlanListsEveryRunWithoutRunningAnything()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "sweep", "--preset", "synthetic-tiny", "--init", "kaiming-normal,xavier-normal", "--seeds", "1-3", "--plan");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("6 runs", r.Stdout);
        Assert.False(Directory.Exists(Path.Combine(dir, "runs")));
    }

    [Fact]
    public void TensorBoardEventFilesAreWrittenPerRun()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "run", "--preset", "synthetic-tiny", "--levels", "1", "--tensorboard", "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var events = Directory.GetFiles(Path.Combine(dir, "runs"), "events.out.tfevents.*", SearchOption.AllDirectories);
        var file = Assert.Single(events);
        Assert.Contains(Path.Combine("seed_1", "tensorboard"), file);
        var bytes = File.ReadAllBytes(file);
        Assert.True(bytes.Length > 1000);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        Assert.Contains("level_1/val_accuracy", text);
        Assert.Contains("lottery/test_accuracy_at_early_stop", text);
    }
}
