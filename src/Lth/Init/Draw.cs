using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Init;

/// <summary>
/// The only places initializers touch random numbers: <c>Tensor.normal_</c> and <c>Tensor.uniform_</c> with an
/// explicit generator, in place, under <c>no_grad</c>, so a view into a larger buffer is filled, not replaced.
/// (TorchSharp's <c>nn.init.normal_/uniform_</c> ignore their generator argument.)
/// </summary>
internal static class Draw
{
    /// <summary>In place N(mean, std²): PyTorch's <c>tensor.normal_(mean, std, generator=rng)</c>.</summary>
    public static void Normal(Tensor t, double mean, double std, Generator rng)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        t.normal_(mean, std, generator: rng);
    }

    /// <summary>In place U(low, high): PyTorch's <c>tensor.uniform_(low, high, generator=rng)</c>.</summary>
    public static void Uniform(Tensor t, double low, double high, Generator rng)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        t.uniform_(low, high, generator: rng);
    }

    /// <summary>In place constant: PyTorch's <c>tensor.fill_(value)</c>.</summary>
    public static void Constant(Tensor t, double value)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        t.fill_(value);
    }
}
