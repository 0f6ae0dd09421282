namespace Lth.Foundations;

/// <summary>A user-supplied hyperparameter, preset or flag is invalid. The message is one line naming it; the CLI exits 2. (Not an ArgumentException: those are internal invariants, i.e. bugs.)</summary>
public sealed class HparamsException(string message) : Exception(message);
