namespace Lth.Init;

/// <summary>The nonlinearities PyTorch's <c>torch.nn.init.calculate_gain</c> knows (the ones that matter for weights).</summary>
public enum Nonlinearity
{
    /// <summary><c>linear</c> (and identity, conv): gain 1.</summary>
    Linear,
    /// <summary><c>sigmoid</c>: gain 1.</summary>
    Sigmoid,
    /// <summary><c>tanh</c>: gain 5/3.</summary>
    Tanh,
    /// <summary><c>relu</c>: gain √2.</summary>
    Relu,
    /// <summary><c>leaky_relu</c> with negative slope a: gain √(2/(1+a²)).</summary>
    LeakyRelu,
    /// <summary><c>selu</c>: gain 3/4.</summary>
    Selu,
}
