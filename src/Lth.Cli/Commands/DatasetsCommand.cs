using System.CommandLine;
using Lth.Data;
using Spectre.Console;

namespace Lth.Cli.Commands;

/// <summary><c>lth datasets</c>: what is installed where, and what is missing.</summary>
public static class DatasetsCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "a dataset folder to consider first" };
        var cmd = new Command("datasets", "list the datasets: where each was found, or where lth looked") { data };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var t = new Table().Border(TableBorder.Simple).AddColumns("dataset", "status", "where", "description");
            foreach (var d in DatasetCatalog.List(DataLocation.FromEnvironment(r.GetValue(data), allowDownload: false)))
            {
                string status = d.Available ? $"found ({d.Origin})" : d.Downloadable ? "missing (downloadable)" : "missing";
                string where = d.Available ? d.Path ?? "" : string.Join("; ", d.Searched.Select(s => s.Path));
                t.AddRow(Markup.Escape(d.Name), Markup.Escape(status), Markup.Escape(where), Markup.Escape(d.Description));
            }
            AnsiConsole.Write(t);
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
