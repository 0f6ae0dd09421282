namespace Lth.Experiments;

/// <summary>A user-supplied hyperparameter, preset or flag is invalid. The message is one line naming it.</summary>
public sealed class HparamsException(string message) : ArgumentException(message);
