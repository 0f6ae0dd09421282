using Lth.Data;
using Lth.Experiments;

namespace Lth.Cli;

/// <summary>Loads the dataset named in the hparams from where the user keeps it (--data, $LTH_DATA, cache, system, download).</summary>
public static class DataAccess
{
    public static DatasetSplits Load(DatasetHparams hp, string? dataDir) =>
        DatasetCatalog.Load(hp, DataLocation.FromEnvironment(dataDir));
}
