using System.Globalization;
using Lth.Init;

namespace Lth.Tests.Cli;

public class InitsCommandTests
{
    [Fact]
    public void DefaultTableListsEverySchemeForEveryLeNetLayer()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "inits");
        Assert.True(r.ExitCode == 0, r.Stderr);
        foreach (var name in Initializers.Names) Assert.Contains(name, r.Stdout);
        foreach (var layer in new[] { "fc1.weight", "fc2.weight", "fc3.weight" }) Assert.Contains(layer, r.Stdout);
        // LeNet-300-100 on 1×28×28: fc1 has fan_in 784, fan_out 300; kaiming-normal's σ there is √(2/784).
        var kaiming = r.Stdout.Split('\n').Single(l => l.Contains("kaiming-normal ") && l.Contains("fc1.weight"));
        Assert.Contains("784", kaiming);
        Assert.Contains(Math.Sqrt(2.0 / 784).ToString("0.0000", CultureInfo.InvariantCulture), kaiming);
    }

    [Fact]
    public void OneFanPairShowsTheTheoreticalStd()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "inits", "--fan-in", "784", "--fan-out", "300", "--init", "xavier-normal");
        Assert.True(r.ExitCode == 0, r.Stderr);
        // xavier-normal: σ = √(2/(784+300)) = 0.04295…
        string sigma = Math.Sqrt(2.0 / 1084).ToString("0.0000", CultureInfo.InvariantCulture);
        Assert.Equal("0.0430", sigma);
        var row = r.Stdout.Split('\n').Single(l => l.Contains("xavier-normal"));
        Assert.Contains(sigma, row);
        Assert.Contains("normal", row);
        Assert.DoesNotContain("fc1.weight", r.Stdout);
    }

    [Fact]
    public void SchemeSpecsMayContainCommas()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "inits", "--fan-in", "784", "--fan-out", "300",
            "--init", "xavier-uniform,kaiming-normal:mode=fan_out,nonlinearity=leaky_relu,a=0.1,torch-default");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("kaiming-normal:mode=fan_out,nonlinearity=leaky_relu,a=0.1", r.Stdout);
        // √(2/(1+0.1²))/√300
        Assert.Contains((Math.Sqrt(2.0 / 1.01) / Math.Sqrt(300)).ToString("0.0000", CultureInfo.InvariantCulture), r.Stdout);
        Assert.Contains("±0.0744", r.Stdout);   // xavier-uniform's bound √(6/1084)
        Assert.Contains("torch-default", r.Stdout);
    }

    [Theory]
    [InlineData("nope", "--init", "nope")]
    [InlineData("--fan-in", "--fan-in", "784")]
    [InlineData("--layer", "--layer", "fc9.weight")]
    [InlineData(".png or .svg", "--plot", "out.gif")]
    [InlineData("model", "--model", "resnet")]
    public void MistakesExitWith2NamingTheProblem(string named, params string[] args)
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, ["inits", .. args]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void PlotWritesAPng()
    {
        using var dir = new TempDir();
        string png = Path.Combine(dir, "plots", "x.png");
        var r = CliRunner.Run(dir, "inits", "--init", "xavier-normal,xavier-normal-double,kaiming-uniform", "--plot", png, "--layer", "fc2.weight");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.True(bytes.Length > 5 * 1024, $"{bytes.Length} bytes");
        Assert.Contains("fc2.weight", r.Stdout);
    }
}
