namespace Lth.Models;

/// <summary>What a prunable tensor belongs to; pruning rates are chosen per kind.</summary>
public enum LayerKind
{
    /// <summary>A hidden fully-connected layer.</summary>
    Hidden,
    /// <summary>The output (classifier) layer.</summary>
    Output,
    /// <summary>A convolutional layer.</summary>
    Conv,
    /// <summary>A normalization layer (batch norm): its weight and bias are never pruned.</summary>
    Norm,
}
