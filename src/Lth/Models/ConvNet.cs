using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// Frankle &amp; Carbin's Conv-2/4/6 (VGG-like): pairs of 3×3 convolutions (padding 1, ReLU) each followed
/// by 2×2 max pooling — conv2: 64,64 · conv4: 64,64,128,128 · conv6: 64,64,128,128,256,256 — then fully
/// connected 256, 256 and the output layer. Names as PyTorch: <c>conv1.weight</c> …, <c>fc1.weight</c> ….
/// Input channels and size come from the dataset (1×28×28 and 3×32×32 both work). A cohort of K
/// members runs its convolutions as one grouped convolution (groups = K) and its fully-connected
/// layers as batched matmuls.
/// </summary>
public sealed class ConvNet : FlatModel
{
    private readonly int convs;
    private readonly int fcs;
    private readonly long[] example;
    private ConvGradients? manual;

    public static int[] Channels(int depth) => depth switch
    {
        2 => [64, 64],
        4 => [64, 64, 128, 128],
        6 => [64, 64, 128, 128, 256, 256],
        _ => throw new ArgumentException($"conv{depth}: only conv2, conv4 and conv6 exist"),
    };

    public ConvNet(string spec, int depth, long[] example, int classes, int members = 1, Device? device = null)
        : base(spec, BuildLayout(depth, example, classes, members), device)
    {
        convs = Channels(depth).Length;
        fcs = 3;
        this.example = [.. example];
    }

    /// <inheritdoc/>
    /// <remarks>ConvNet computes its own gradients (<see cref="ConvGradients"/>) on CPUs with AVX-512, for images of the shape it was built for.</remarks>
    public override float[]? TrainingStep(BatchRows batch)
    {
        if (!OwnStepApplies(batch) || batch.Images.dim() != 4 || !batch.Images.shape.AsSpan(1).SequenceEqual(example)) return null;
        return Own().Step(Flat, FlatGrad, batch, get_num_threads());
    }

    /// <summary>
    /// Evaluation (not training, no autograd graph) of a contiguous float32 CPU batch runs ConvGradients' forward pass on
    /// the CPUs it trains on: about twice libtorch's speed on a 2-core AMD EPYC, and the same at any thread count.
    /// </summary>
    internal bool OwnForwardApplies(Tensor x) =>
        ManualGradients && !Training && !is_grad_enabled() && Device.type == TorchSharp.DeviceType.CPU && FcGradients.Supported
        && x.dtype == ScalarType.Float32 && x.device_type == TorchSharp.DeviceType.CPU && x.is_contiguous() && x.dim() == 4
        && x.shape.AsSpan(1).SequenceEqual(example);

    private unsafe Tensor OwnLogits(Tensor x)
    {
        var own = Own();
        var logits = empty([Members, x.shape[0], Layout[$"fc{fcs}.weight"].Shape[0]], ScalarType.Float32);
        own.Logits(Flat, x, (float*)DenseKernels.Address(logits), get_num_threads());
        return logits;
    }

    private ConvGradients Own()
    {
        if (manual is not null) return manual;
        var layers = new ConvGradients.Conv[convs];
        int h = (int)example[1], w = (int)example[2];
        for (int i = 0; i < convs; i++)
        {
            var weight = Layout[$"conv{i + 1}.weight"];
            bool pool = i % 2 == 1;   // as BuildLayout: a 2 × 2 pool after every second convolution
            layers[i] = new ConvGradients.Conv(weight.Offset, Layout[$"conv{i + 1}.bias"].Offset, (int)weight.Shape[1], (int)weight.Shape[0], h, w, pool);
            if (pool) { h /= 2; w /= 2; }
        }
        var head = Enumerable.Range(0, fcs).Select(i =>
        {
            var fw = Layout[$"fc{i + 1}.weight"];
            return new FcGradients.Layer(fw.Offset, Layout[$"fc{i + 1}.bias"].Offset, (int)fw.Shape[1], (int)fw.Shape[0], i < fcs - 1);
        }).ToArray();
        return manual = new ConvGradients(layers, head, Members);
    }

    /// <summary>The registry's factory: checks that the images are large enough for three poolings' worth of layers.</summary>
    internal static ConvNet Create(string spec, int depth, ModelArgs a)
    {
        var shape = a.ExampleShape;
        if (shape.Length != 3 || shape[1] < 8 || shape[2] < 8)
            throw new FormatException($"model: conv{depth} needs images of at least 8×8, got {string.Join("×", shape)}");
        return new ConvNet(spec, depth, shape, a.Classes, a.Members, a.Device);
    }

    public override int EvalBatch => 100;   // large conv batches are slow in libtorch 2.10 (measured: batch 1000 is 7x slower)

    private static ParameterLayout BuildLayout(int depth, long[] example, int classes, int members)
    {
        var ps = new List<(string, long[], LayerKind, bool, string)>();
        long c = example[0], h = example[1], w = example[2];
        var channels = Channels(depth);
        for (int i = 0; i < channels.Length; i++)
        {
            string wn = $"conv{i + 1}.weight";
            ps.Add((wn, [channels[i], c, 3, 3], LayerKind.Conv, true, wn));
            ps.Add(($"conv{i + 1}.bias", [channels[i]], LayerKind.Conv, false, wn));
            c = channels[i];
            if (i % 2 == 1) { h /= 2; w /= 2; }
        }
        long features = c * h * w;
        long[] widths = [256, 256, classes];
        for (int i = 0; i < widths.Length; i++)
        {
            string wn = $"fc{i + 1}.weight";
            var kind = i < widths.Length - 1 ? LayerKind.Hidden : LayerKind.Output;
            ps.Add((wn, [widths[i], features], kind, true, wn));
            ps.Add(($"fc{i + 1}.bias", [widths[i]], kind, false, wn));
            features = widths[i];
        }
        return new ParameterLayout(members, ps);
    }

    public override Tensor Forward(Tensor input)
    {
        if (OwnForwardApplies(input)) return OwnLogits(input);
        long k = Members, b = input.shape[0];
        var h = k == 1 ? input : input.repeat(1, k, 1, 1);              // [B, K·C, H, W]: each member sees the same images
        for (int i = 0; i < convs; i++)
        {
            var w = Parameter($"conv{i + 1}.weight");                  // [K, out, in, 3, 3]
            var bias = Parameter($"conv{i + 1}.bias");
            h = nn.functional.conv2d(h, w.reshape(k * w.shape[1], w.shape[2], 3, 3), bias.reshape(-1), padding: [1, 1], groups: k);
            h = nn.functional.relu(h);
            if (i % 2 == 1) h = nn.functional.max_pool2d(h, [2, 2]);
        }
        h = h.reshape(b, k, -1).transpose(0, 1);                         // [K, B, features], PyTorch's flatten order per member
        for (int i = 0; i < fcs; i++)
        {
            h = h.bmm(Parameter($"fc{i + 1}.weight").transpose(1, 2)).add(Parameter($"fc{i + 1}.bias").unsqueeze(1));
            if (i < fcs - 1) h = nn.functional.relu(h);
        }
        return h;
    }
}
