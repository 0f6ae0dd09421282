using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// The CIFAR ResNet-20 of He et al. (2016) as open_lth's <c>cifar_resnet_20</c>: a 3×3 convolution
/// (width W, default 16) with batch norm, three stages of three residual blocks (W, 2W, 4W channels;
/// stride 2 at the start of stages 2 and 3; a 1×1 convolution + batch norm shortcut where the shape
/// changes), global average pooling and a linear output layer. Convolutions have no bias; batch-norm
/// parameters are never pruned and are initialized to weight 1, bias 0 whatever the scheme.
/// Names as open_lth: <c>conv.weight</c>, <c>bn.weight</c>, <c>blocks.0.conv1.weight</c> …, <c>fc.weight</c>.
/// </summary>
public sealed class ResNet : FlatModel
{
    private readonly List<(string Prefix, long In, long Out, int Stride)> blocks = new();

    public ResNet(string spec, int width, long[] example, int classes, int members = 1, Device? device = null)
        : base(spec, BuildLayout(width, example, classes, members, out var blockList), device)
    {
        blocks = blockList;
        foreach (var name in Layout.Parameters.Where(p => p.Kind == LayerKind.Norm && p.Name.EndsWith(".weight")).Select(p => p.Name[..^".weight".Length]))
        {
            long c = Layout[name + ".weight"].Shape[0];
            RegisterBuffer(name + ".running_mean", [c], 0f);
            RegisterBuffer(name + ".running_var", [c], 1f);
        }
    }

    public override int EvalBatch => 100;

    private static ParameterLayout BuildLayout(int width, long[] example, int classes, int members, out List<(string, long, long, int)> blockList)
    {
        var ps = new List<(string, long[], LayerKind, bool, string)>();
        void Conv(string name, long o, long i, long k) => ps.Add(($"{name}.weight", [o, i, k, k], LayerKind.Conv, true, $"{name}.weight"));
        void Bn(string name, long c)
        {
            ps.Add(($"{name}.weight", [c], LayerKind.Norm, false, $"{name}.weight"));
            ps.Add(($"{name}.bias", [c], LayerKind.Norm, false, $"{name}.weight"));
        }
        blockList = new();
        Conv("conv", width, example[0], 3);
        Bn("bn", width);
        long c = width;
        int index = 0;
        for (int stage = 0; stage < 3; stage++)
        {
            long o = width << stage;
            for (int blk = 0; blk < 3; blk++)
            {
                int stride = stage > 0 && blk == 0 ? 2 : 1;
                string prefix = $"blocks.{index++}";
                Conv($"{prefix}.conv1", o, c, 3); Bn($"{prefix}.bn1", o);
                Conv($"{prefix}.conv2", o, o, 3); Bn($"{prefix}.bn2", o);
                if (stride != 1 || c != o) { Conv($"{prefix}.shortcut.0", o, c, 1); Bn($"{prefix}.shortcut.1", o); }
                blockList.Add((prefix, c, o, stride));
                c = o;
            }
        }
        ps.Add(("fc.weight", [classes, c], LayerKind.Output, true, "fc.weight"));
        ps.Add(("fc.bias", [classes], LayerKind.Output, false, "fc.weight"));
        return new ParameterLayout(members, ps);
    }

    private Tensor ConvK(Tensor h, string name, int stride, int padding)
    {
        var w = Parameter(name + ".weight");                              // [K, out, in, k, k]
        long k = Members;
        return nn.functional.conv2d(h, w.reshape(k * w.shape[1], w.shape[2], w.shape[3], w.shape[4]), null,
            strides: [stride, stride], padding: [padding, padding], groups: k);
    }

    private Tensor Bn(Tensor h, string name) =>
        nn.functional.batch_norm(h, Buffer(name + ".running_mean").view(-1), Buffer(name + ".running_var").view(-1),
            Parameter(name + ".weight").reshape(-1), Parameter(name + ".bias").reshape(-1), Training, 0.1, 1e-5);

    public override Tensor Forward(Tensor input)
    {
        long k = Members, b = input.shape[0];
        var h = k == 1 ? input : input.repeat(1, k, 1, 1);
        h = nn.functional.relu(Bn(ConvK(h, "conv", 1, 1), "bn"));
        foreach (var (prefix, cin, cout, stride) in blocks)
        {
            var o = nn.functional.relu(Bn(ConvK(h, prefix + ".conv1", stride, 1), prefix + ".bn1"));
            o = Bn(ConvK(o, prefix + ".conv2", 1, 1), prefix + ".bn2");
            var shortcut = stride != 1 || cin != cout ? Bn(ConvK(h, prefix + ".shortcut.0", stride, 0), prefix + ".shortcut.1") : h;
            h = nn.functional.relu(o + shortcut);
        }
        h = h.mean([2, 3]).reshape(b, k, -1).transpose(0, 1);            // global average pool → [K, B, 4W]
        return h.bmm(Parameter("fc.weight").transpose(1, 2)).add(Parameter("fc.bias").unsqueeze(1));
    }
}
