using System.CommandLine;
using System.Globalization;
using Lth.Experiments;
using Lth.Init;
using Lth.Models;
using Lth.Native;
using Lth.Reports;
using Spectre.Console;

namespace Lth.Cli.Commands;

/// <summary>
/// <c>lth inits</c>: what each weight initialization scheme draws for each prunable weight of a model (or for
/// one fan_in/fan_out pair): theoretical σ and bound next to an actual draw's σ, min and max; optionally a
/// plot of one layer's draws.
/// </summary>
public static class InitsCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model whose prunable weights to draw", DefaultValueFactory = _ => "lenet:300,100" };
        var fanIn = new Option<long?>("--fan-in") { Description = "draw one [fan_out, fan_in] weight instead of a model's (give --fan-out too)" };
        var fanOut = new Option<long?>("--fan-out") { Description = "fan_out of that weight (with --fan-in)" };
        var input = new Option<string>("--input") { Description = "example shape the model is built for", DefaultValueFactory = _ => "1,28,28" };
        var classes = new Option<int>("--classes") { Description = "output classes of the model", DefaultValueFactory = _ => 10 };
        var init = new Option<string?>("--init") { Description = "comma-separated scheme specs, e.g. xavier-normal,kaiming-normal:mode=fan_out,nonlinearity=tanh [default: every registered scheme]" };
        var seed = new Option<long>("--seed") { Description = "seed of the generator each draw uses (new torch.Generator(seed))", DefaultValueFactory = _ => 1 };
        var plot = new Option<string?>("--plot") { Description = "write histograms of one layer's draws to this .png or .svg file" };
        var layer = new Option<string?>("--layer") { Description = "layer to plot [default: the first]" };
        var cmd = new Command("inits", "the weight initialization schemes: theoretical and drawn σ, bounds, per layer")
        {
            model, fanIn, fanOut, input, classes, init, seed, plot, layer,
        };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var specs = r.GetValue(init) is string list ? SweepPlan.SplitValues(list) : Initializers.Names.ToList();
            if (specs.Count == 0) throw new HparamsException("--init: no scheme given");
            var schemes = specs.Select(s => (Spec: s, Scheme: Initializers.Parse(s))).ToList();
            var layers = Layers(r.GetValue(model)!, r.GetValue(fanIn), r.GetValue(fanOut), r.GetValue(input)!, r.GetValue(classes));
            string? plotPath = r.GetValue(plot);
            string plotLayer = r.GetValue(layer) ?? layers[0].Name;
            if (!layers.Any(l => l.Name == plotLayer))
                throw new HparamsException($"--layer: no prunable weight '{plotLayer}' (known: {string.Join(", ", layers.Select(l => l.Name))})");
            if (plotPath is not null && Path.GetExtension(plotPath).ToLowerInvariant() is not (".png" or ".svg"))
                throw new HparamsException($"--plot: '{plotPath}' must end in .png or .svg");
            long s = r.GetValue(seed);
            TorchRuntime.Initialize(TorchRuntime.DefaultThreads);

            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("scheme", "layer", "fan_in", "fan_out", "distribution", "σ", "bound", "drawn σ", "drawn min", "drawn max");
            foreach (var c in table.Columns.Skip(2)) c.RightAligned();
            table.Columns[4].LeftAligned();
            var plotted = new List<InitSample>();
            foreach (var (spec, scheme) in schemes)
            {
                foreach (var (name, shape) in layers)
                {
                    bool keep = plotPath is not null && name == plotLayer;
                    var d = InitSample.Draw(spec, scheme, name, shape, s, keep);
                    if (keep) plotted.Add(d);
                    table.AddRow(new[] { spec, name, d.Fans.FanIn.ToString(CultureInfo.InvariantCulture),
                        d.Fans.FanOut.ToString(CultureInfo.InvariantCulture), d.Theory.Kind, Num(d.Theory.Std), Bound(d.Theory),
                        Num(d.Std), Fixed(d.Min), Fixed(d.Max) }.Select(cell => new Text(cell)));
                }
            }
            if (Console.IsOutputRedirected && AnsiConsole.Profile.Width < 200) AnsiConsole.Profile.Width = 200;   // no wrapped rows in files and pipes
            AnsiConsole.Write(table);
            Console.WriteLine($"seed {s}; σ and bound are the scheme's theory for the layer's shape, drawn σ/min/max one actual draw of it.");
            if (plotPath is not null)
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(plotPath));
                if (dir is not null) Directory.CreateDirectory(dir);
                InitHistogramPlot.Write(plotPath, plotted);
                Console.WriteLine($"wrote {plotPath} ({plotLayer}, {plotted.Count} schemes)");
            }
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static List<(string Name, long[] Shape)> Layers(string model, long? fanIn, long? fanOut, string input, int classes)
    {
        if (fanIn is not null || fanOut is not null)
        {
            if (fanIn is not long i || fanOut is not long o)
                throw new HparamsException("--fan-in and --fan-out go together: give both");
            if (i <= 0 || o <= 0) throw new HparamsException($"--fan-in/--fan-out: must be > 0, got {i} and {o}");
            return [("weight", [o, i])];
        }
        if (classes <= 0) throw new HparamsException($"--classes: must be > 0, got {classes}");
        var parts = input.Split(',', StringSplitOptions.TrimEntries);
        var shape = new long[parts.Length];
        for (int k = 0; k < parts.Length; k++)
            if (!long.TryParse(parts[k], NumberStyles.None, CultureInfo.InvariantCulture, out shape[k]) || shape[k] <= 0)
                throw new HparamsException($"--input: '{parts[k]}' in '{input}' is not a positive integer (write e.g. 1,28,28)");
        ModelRegistry.Validate(model);
        using var m = ModelRegistry.Create(new ModelHparams { Name = model }, shape, classes);
        return m.Layout.Parameters.Where(p => p.IsWeight).Select(p => (p.Name, p.Shape)).ToList();
    }

    private static string Num(double x) => Math.Abs(x) >= 1e-3 || x == 0
        ? x.ToString("0.0000", CultureInfo.InvariantCulture)
        : x.ToString("0.###e0", CultureInfo.InvariantCulture);

    private static string Fixed(double x) => x.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Bound(Distribution d) => (d.Low, d.High) switch
    {
        (double lo, double hi) when lo == hi => "= " + Num(lo),
        (double lo, double hi) when lo == -hi => "±" + Num(hi),
        (double lo, double hi) => $"[{Num(lo)}, {Num(hi)}]",
        _ => "-",
    };
}
