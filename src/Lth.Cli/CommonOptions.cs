using System.CommandLine;
using Lth.Experiments;
using Lth.Native;

namespace Lth.Cli;

/// <summary>Options shared by the commands that train: where runs and data live, threads, quiet.</summary>
public sealed class CommonOptions
{
    public Option<string?> Runs { get; } = new("--runs") { Description = "runs root [default: $LTH_RUNS or ./runs]" };
    public Option<string?> Data { get; } = new("--data") { Description = "dataset folder [default: $LTH_DATA, ~/.cache/lth/<name>, system locations]" };
    public Option<int?> Threads { get; } = new("--threads") { Description = "libtorch threads [default: 1 for a single fully-connected network, else min(cores, 2)]; results are bitwise reproducible for a fixed thread count" };
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "no progress output" };
    public Option<string> DeviceName { get; } = new("--device") { Description = "cpu | cuda | cuda:N: where models train (cuda needs a CUDA build, see README 'GPU')", DefaultValueFactory = _ => "cpu" };
    public Option<bool> AllowThreadChange { get; } = new("--allow-thread-change") { Description = "resume runs whose done levels used another --threads (their resumed levels then match no uninterrupted run bit for bit)" };
    public Option<bool> TensorBoard { get; } = new("--tensorboard") { Description = "also write TensorBoard event files per run (seed_<s>/tensorboard/): scalars per evaluation, weight histograms per level" };

    public void AddTo(Command c)
    {
        c.Options.Add(Runs);
        c.Options.Add(Data);
        c.Options.Add(Threads);
        c.Options.Add(Quiet);
        c.Options.Add(DeviceName);
        c.Options.Add(TensorBoard);
        c.Options.Add(AllowThreadChange);
    }

    /// <summary>A TensorBoard writer for the run at <paramref name="seedDir"/> when --tensorboard is given.</summary>
    public Experiments.TensorBoardWriter? TensorBoardFor(ParseResult r, string seedDir) =>
        r.GetValue(TensorBoard) ? new Experiments.TensorBoardWriter(Path.Combine(seedDir, RunStore.TensorBoardFolder)) : null;

    /// <summary>Sets the libtorch thread count: --threads, else the default for <paramref name="hp"/>'s model trained <paramref name="members"/> at a time (<see cref="TorchRuntime.DefaultThreadsFor"/>).</summary>
    public void Apply(ParseResult r, LotteryHparams? hp = null, int members = 1)
    {
        int? t = r.GetValue(Threads);
        if (t is <= 0) throw new HparamsException("--threads: must be > 0");
        TorchRuntime.Initialize(t ?? (hp is null ? TorchRuntime.DefaultThreads
            : TorchRuntime.DefaultThreadsFor(Models.ModelRegistry.Family(hp.Model.Name).HasConv, members)));
    }

    /// <summary>The runs store; a root that cannot be a folder (it or a parent is a file) is refused before anything is written.</summary>
    public RunStore Store(ParseResult r)
    {
        var root = r.GetValue(Runs) ?? RunStore.DefaultRoot;
        StoreErrors.CheckRoot(root);
        return new(root);
    }

    /// <summary>The --device, checked: cuda only where this build's libtorch has CUDA and a GPU is visible.</summary>
    public TorchSharp.torch.Device Device(ParseResult r)
    {
        var name = (r.GetValue(DeviceName) ?? "cpu").Trim().ToLowerInvariant();
        if (name == "cpu") return TorchSharp.torch.CPU;
        if (name == "cuda" || (name.StartsWith("cuda:") && int.TryParse(name[5..], out _)))
        {
            if (!TorchSharp.torch.cuda.is_available())
                throw new HparamsException($"--device {name}: CUDA is not available (this build uses the CPU libtorch; build with -p:LthCuda=true on a machine with an NVIDIA driver, see README 'GPU')");
            return TorchSharp.torch.device(name);
        }
        throw new HparamsException($"--device: '{name}' is not cpu, cuda or cuda:N");
    }

    /// <summary>The dataset, on the --device.</summary>
    public Data.DatasetSplits LoadData(ParseResult r, DatasetHparams hp)
    {
        var device = Device(r);
        var data = DataAccess.Load(hp, DataDir(r));
        if (device.type == TorchSharp.DeviceType.CPU) return data;
        var moved = data.To(device);
        data.Dispose();
        return moved;
    }

    public string? DataDir(ParseResult r) => r.GetValue(Data);
}
