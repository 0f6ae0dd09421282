using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// LeNet: a fully-connected network with any hidden widths (LeNet-300-100 = widths 300, 100), as
/// Frankle &amp; Carbin's and open_lth's <c>mnist_lenet_300_100</c>. Layer i is PyTorch's
/// <c>nn.Linear</c> named <c>fc{i+1}</c> with weight [out, in]; the last layer is the output layer.
/// Members compute <c>h·Wᵀ + b</c> as one batched matmul over [K, out, in] weights.
/// </summary>
public sealed class LeNet : FlatModel
{
    private readonly string[] weights;
    private readonly string?[] biases;
    private readonly Activation activation;

    public LeNet(string spec, long inputs, IReadOnlyList<int> widths, int classes, Activation activation, bool bias, int members = 1, Device? device = null)
        : base(spec, BuildLayout(inputs, widths, classes, bias, members), device)
    {
        this.activation = activation;
        int layers = widths.Count + 1;
        weights = Enumerable.Range(1, layers).Select(i => $"fc{i}.weight").ToArray();
        biases = Enumerable.Range(1, layers).Select(i => bias ? $"fc{i}.bias" : null).ToArray();
    }

    private static ParameterLayout BuildLayout(long inputs, IReadOnlyList<int> widths, int classes, bool bias, int members)
    {
        var ps = new List<(string, long[], LayerKind, bool, string)>();
        long fanIn = inputs;
        for (int i = 0; i <= widths.Count; i++)
        {
            long outs = i < widths.Count ? widths[i] : classes;
            var kind = i < widths.Count ? LayerKind.Hidden : LayerKind.Output;
            string w = $"fc{i + 1}.weight";
            ps.Add((w, [outs, fanIn], kind, true, w));
            if (bias) ps.Add(($"fc{i + 1}.bias", [outs], kind, false, w));
            fanIn = outs;
        }
        return new ParameterLayout(members, ps);
    }

    public override Tensor Forward(Tensor input)
    {
        long k = Members;
        // Input [B, C, H, W] is shared by all members (stride-0 expand); [K, B, C, H, W] is per member.
        bool perMember = input.dim() == 5;
        long b = perMember ? input.shape[1] : input.shape[0];
        Tensor h = perMember ? input.reshape(k, b, -1) : input.reshape(1, b, -1).expand(k, b, -1);
        for (int i = 0; i < weights.Length; i++)
        {
            var w = Parameter(weights[i]);                  // [K, out, in]
            h = h.bmm(w.transpose(1, 2));                   // [K, B, out]
            if (biases[i] is string bn) h = h.add(Parameter(bn).unsqueeze(1));
            if (i < weights.Length - 1) h = activation.Apply(h);
        }
        return h;
    }
}
