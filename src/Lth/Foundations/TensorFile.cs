using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Lth.Foundations;

/// <summary>
/// Named tensors in safetensors format (via TorchSharp.PyBridge), readable from Python with
/// <c>safetensors.torch.load_file</c>. Writes are atomic.
/// </summary>
public static class TensorFile
{
    /// <summary>Writes the tensors atomically; returns the file's SHA-256.</summary>
    public static string Save(string path, Dictionary<string, Tensor> tensors) =>
        AtomicFile.Write(path, s => Safetensors.SaveStateDict(s, tensors, leaveOpen: true));

    public static Dictionary<string, Tensor> Load(string path)
    {
        try { return Safetensors.LoadStateDict(path); }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a readable safetensors file ({e.Message.Split('\n')[0]})", e);
        }
    }
}
