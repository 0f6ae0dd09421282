using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// Moves one member between a cohort's batched model (K members) and one-member working copies: flat
/// parameter buffers, buffers (batch-norm statistics) and named copies. Files, masks and statistics are
/// computed on one-member copies, so a member of a cohort is stored exactly as its solo run.
/// </summary>
public static class CohortCopy
{
    /// <summary>Copies member <paramref name="from"/> of a flat buffer into member <paramref name="to"/> of another (same parameters).</summary>
    public static void Member(Tensor src, ParameterLayout srcLayout, int from, Tensor dst, ParameterLayout dstLayout, int to)
    {
        foreach (var p in srcLayout.Parameters)
        {
            var q = dstLayout[p.Name];
            dst.narrow(0, q.Offset + to * q.Numel, q.Numel).copy_(src.narrow(0, p.Offset + from * p.Numel, p.Numel));
        }
    }

    /// <summary>Copies member <paramref name="from"/> of one model (parameters and buffers) into member <paramref name="to"/> of another.</summary>
    public static void ModelMember(IModel src, int from, IModel dst, int to)
    {
        Member(src.Flat, src.Layout, from, dst.Flat, dst.Layout, to);
        foreach (var b in src.Buffers) dst.Buffer(b.Name)[to].copy_(src.Buffer(b.Name)[from]);
    }

    /// <summary>Sets member <paramref name="member"/> from named tensors (parameters and buffers).</summary>
    public static void Set(IModel model, int member, IReadOnlyDictionary<string, Tensor> named)
    {
        foreach (var p in model.Layout.Parameters) model.View(model.Flat, p, member).copy_(named[p.Name]);
        foreach (var b in model.Buffers) model.Buffer(b.Name)[member].copy_(named[b.Name]);
    }

    /// <summary>Member <paramref name="member"/>'s parameters and buffers as named copies (the caller disposes them).</summary>
    public static Dictionary<string, Tensor> Named(IModel model, int member)
    {
        var named = model.Layout.Parameters.ToDictionary(p => p.Name, p => model.View(model.Flat, p, member).clone());
        foreach (var b in model.Buffers) named[b.Name] = model.Buffer(b.Name)[member].clone();
        return named;
    }
}
