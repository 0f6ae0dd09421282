namespace Lth.Init;

/// <summary>Which fan scales a Kaiming scheme: PyTorch's <c>mode='fan_in'</c> or <c>mode='fan_out'</c>.</summary>
public enum FanMode
{
    /// <summary><c>fan_in</c>: preserves the variance of activations in the forward pass.</summary>
    FanIn,
    /// <summary><c>fan_out</c>: preserves the variance of gradients in the backward pass.</summary>
    FanOut,
}
