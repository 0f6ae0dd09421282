using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// (Semi-)orthogonal initialization (Saxe et al. 2014), as PyTorch's <c>torch.nn.init.orthogonal_(w, gain)</c>:
/// flatten the weight to [rows, cols] = [shape[0], numel/shape[0]], draw a standard normal matrix with the
/// generator (transposed when rows &lt; cols), take its QR decomposition, multiply Q's columns by sign(diag R)
/// so the result is Haar-distributed, transpose back and multiply by gain. Then WᵀW = gain²·I when rows ≥ cols,
/// WWᵀ = gain²·I otherwise. Fans are not used; the tensor must have at least 2 dimensions.
/// </summary>
public sealed class OrthogonalInitializer : IInitializer
{
    /// <summary>Creates the scheme with the given gain.</summary>
    public OrthogonalInitializer(double gain = 1.0) => Gain = InitChecks.Gain("orthogonal", gain);

    /// <summary>Multiplier on the orthogonal matrix.</summary>
    public double Gain { get; }

    /// <inheritdoc/>
    public string Spec
    {
        get
        {
            var parts = new List<(string, string)>();
            InitChecks.Gain(parts, Gain);
            return InitSpec.Format("orthogonal", parts);
        }
    }

    /// <summary>
    /// Treats the fans as a 2-D weight [fan_out, fan_in]; for conv weights use <see cref="Describe(long[])"/>.
    /// </summary>
    public Distribution Describe(Fans fans) => Describe(fans.FanOut, fans.FanIn);

    /// <summary>
    /// Mean ≈ 0 and root mean square gain/√max(rows, cols) exactly (the squared entries sum to gain²·min(rows, cols));
    /// for large matrices the entries are close to normal with that std.
    /// </summary>
    public Distribution Describe(long[] shape)
    {
        if (shape.Length < 2)
            throw new ArgumentException($"orthogonal init needs a tensor of at least 2 dimensions, got {shape.Length}");
        long rows = shape[0];
        long cols = shape.Aggregate(1L, (a, b) => a * b) / rows;
        return Describe(rows, cols);
    }

    private Distribution Describe(long rows, long cols) =>
        new("orthogonal", 0, Gain / Math.Sqrt(Math.Max(rows, cols)), -Gain, Gain);

    /// <inheritdoc/>
    public void Apply(Tensor tensor, Fans fans, Generator rng)
    {
        if (tensor.dim() < 2)
            throw new ArgumentException($"orthogonal init needs a tensor of at least 2 dimensions, got shape [{string.Join(", ", tensor.shape)}]");
        long rows = tensor.shape[0];
        long cols = rows == 0 ? 0 : tensor.numel() / rows;
        if (rows == 0 || cols == 0) return;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        bool wide = rows < cols;
        var flat = torch.empty(new[] { rows, cols }, dtype: tensor.dtype, device: tensor.device);
        flat.normal_(0, 1, generator: rng);   // drawn as [rows, cols] and then transposed, as PyTorch does
        if (wide) flat = flat.t();
        var (q, r) = torch.linalg.qr(flat);
        q = q * r.diagonal().sign();
        if (wide) q = q.t();
        tensor.copy_((q * Gain).reshape(tensor.shape));
    }

    /// <inheritdoc/>
    public override string ToString() => Spec;
}
