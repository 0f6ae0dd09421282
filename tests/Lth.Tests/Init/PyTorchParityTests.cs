using Lth.Init;
using TorchSharp;
using static Lth.Tests.Init.Sampling;
using static TorchSharp.torch;

namespace Lth.Tests.Init;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "Lth.Tests.Init.GlobalRng";
}

/// <summary>
/// Where TorchSharp's own init is right, ours draws bitwise the same numbers from a generator with the same seed
/// (TorchSharp's nn.init uses the global generator, so these tests run alone).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class PyTorchParityTests
{
    private static void AssertClose(Tensor expected, Tensor actual, string label)
    {
        double err = (expected - actual).abs().max().item<float>();
        Assert.True(err == 0, $"{label}: not bitwise identical, max diff {err:G3}");
    }

    [Fact]
    public void Xavier_uniform_and_kaiming_match_torchsharp_with_the_same_seed()
    {
        (string spec, Action<Tensor> reference)[] cases =
        [
            ("xavier-uniform", t => torch.nn.init.xavier_uniform_(t)),
            ("xavier-uniform-double", t => torch.nn.init.xavier_uniform_(t, 2.0)),
            ("kaiming-uniform", t => torch.nn.init.kaiming_uniform_(t, 0, torch.nn.init.FanInOut.FanIn, torch.nn.init.NonlinearityType.ReLU)),
            ("kaiming-normal", t => torch.nn.init.kaiming_normal_(t, 0, torch.nn.init.FanInOut.FanIn, torch.nn.init.NonlinearityType.ReLU)),
            ("kaiming-normal:mode=fan_out", t => torch.nn.init.kaiming_normal_(t, 0, torch.nn.init.FanInOut.FanOut, torch.nn.init.NonlinearityType.ReLU)),
            ("torch-default", t => torch.nn.init.kaiming_uniform_(t, Math.Sqrt(5))),
            ("orthogonal", t => torch.nn.init.orthogonal_(t)),
        ];
        foreach (var (spec, reference) in cases)
            foreach (long[] shape in new[] { Linear, Conv })
            {
                using var expected = torch.empty(shape);
                torch.manual_seed(77);
                using (torch.no_grad()) reference(expected);
                using var actual = Draw(Initializers.Parse(spec), shape, 77);
                AssertClose(expected, actual, $"{spec} {string.Join('x', shape)}");
            }
    }

    [Fact]
    public void Torch_default_matches_a_fresh_nn_Linear()
    {
        torch.manual_seed(5);
        using var linear = torch.nn.Linear(784, 300);
        using var w = Draw(Initializers.Parse("torch-default"), Linear, 5);
        AssertClose(linear.weight!, w, "nn.Linear weight");
    }
}
