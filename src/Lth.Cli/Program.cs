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

// One write per stderr line: the console's own writer writes every 256 characters, and a sweep's workers share the
// parent's stderr, so their long lines (a bug's, a restart's) would interleave mid-line.
Console.SetError(new StreamWriter(Console.OpenStandardError(), new System.Text.UTF8Encoding(false), 1 << 14) { AutoFlush = true });

// Logs and pipes get long lines rather than tables wrapped at 80 columns.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 200;

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine($"lth: {parsed.Errors[0].Message.TrimEnd('.')} (see 'lth --help')");
    return ExitCodes.Usage;
}
// SIGINT and SIGTERM cancel the running command between steps (a run loses at most the level in progress), which then
// says how to resume; a command that does not stop within a few seconds is ended with the same message.
using var interrupt = new CancellationTokenSource();
void OnSignal(System.Runtime.InteropServices.PosixSignalContext c)
{
    c.Cancel = true;
    Cli.SignalExitCode = c.Signal == System.Runtime.InteropServices.PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;
    if (interrupt.IsCancellationRequested) return;
    interrupt.Cancel();
    _ = Task.Delay(TimeSpan.FromSeconds(5)).ContinueWith(_ =>
    {
        Console.Error.WriteLine(Cli.InterruptedMessage);
        Environment.Exit(Cli.SignalExitCode);
    });
}
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, interrupt.Token);
