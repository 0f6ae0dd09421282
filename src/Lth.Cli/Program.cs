using System.CommandLine;
using Lth.Cli.Commands;
using Lth.Cli;

var root = new RootCommand("lth: lottery-ticket experiments — how does initialization change the search for winning tickets?")
{
    RunCommand.Create(),
    SweepCommand.Create(),
    PresetsCommand.Create(),
    DatasetsCommand.Create(),
    ExportCommand.Create(),
    EvalCommand.Create(),
    InitsCommand.Create(),
    StrategiesCommand.Create(),
    ReportCommand.Create(),
    VerifyCommand.Create(),
};

// Logs and pipes get long lines rather than tables wrapped at 80 columns.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 200;

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var e in parsed.Errors.Take(1)) Console.Error.WriteLine("lth: " + e.Message);
    Console.Error.WriteLine("lth: see 'lth --help'");
    return ExitCodes.Usage;
}
return await parsed.InvokeAsync();
