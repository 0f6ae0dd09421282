using Lth.Models;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// Reads and writes one member's weights, a mask and an optimizer state as safetensors with PyTorch names
/// (<c>fc1.weight</c> …), through <see cref="TensorFile"/> (atomic writes). Shared by the runner, export and eval.
/// </summary>
public static class WeightFiles
{
    /// <summary>Saves member 0's parameters and buffers; returns the file's SHA-256.</summary>
    public static string Save(IModel model, string path) => SaveTensors(CohortCopy.Named(model, 0), path);

    /// <summary>Saves named tensors and disposes them; returns the file's SHA-256.</summary>
    public static string SaveTensors(Dictionary<string, Tensor> named, string path)
    {
        try { return TensorFile.Save(path, named); }
        finally { foreach (var t in named.Values) t.Dispose(); }
    }

    /// <summary>Loads PyTorch-named parameters and buffers into member 0; throws naming the file and tensor when one is missing or misshapen.</summary>
    public static void Load(IModel model, string path)
    {
        var named = TensorFile.Load(path);
        try
        {
            using var _ = no_grad();
            foreach (var p in model.Layout.Parameters)
            {
                if (!named.TryGetValue(p.Name, out var t) || t.numel() != p.Numel)
                    throw new InvalidDataException($"{path}: missing or misshapen tensor '{p.Name}'");
                model.View(model.Flat, p, 0).copy_(t.reshape(p.Shape));
            }
            foreach (var b in model.Buffers)
            {
                if (!named.TryGetValue(b.Name, out var t)) throw new InvalidDataException($"{path}: missing buffer '{b.Name}'");
                model.Buffer(b.Name)[0].copy_(t.reshape(b.Shape));
            }
        }
        finally { foreach (var t in named.Values) t.Dispose(); }
    }

    /// <summary>Loads a stored mask into member 0 of <paramref name="mask"/>.</summary>
    public static void LoadMask(Mask mask, string path)
    {
        var named = TensorFile.Load(path);
        try { mask.LoadNamed(named, 0); }
        finally { foreach (var t in named.Values) t.Dispose(); }
    }

    /// <summary>A one-member dense mask for <paramref name="layout"/> filled from a stored mask file.</summary>
    public static Mask ReadMask(ParameterLayout layout, string path)
    {
        var mask = Mask.Dense(layout);
        try { LoadMask(mask, path); return mask; }
        catch { mask.Dispose(); throw; }
    }

    /// <summary>Restores an optimizer state saved after a level (<c>--optimizer-state carry</c>).</summary>
    public static void LoadOptimizer(IFlatOptimizer optimizer, string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: missing optimizer state (needed by --optimizer-state carry)");
        var state = TensorFile.Load(path);
        try { optimizer.LoadState(state); }
        finally { foreach (var t in state.Values) t.Dispose(); }
    }
}
