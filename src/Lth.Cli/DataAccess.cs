using Lth.Data;
using Lth.Experiments;

namespace Lth.Cli;

/// <summary>Loads the dataset named in the hparams from where the user keeps it.</summary>
public static class DataAccess
{
    public static DatasetSplits Load(DatasetHparams hp, string? dataDir) =>
        throw new NotImplementedException("data layer lands with branch data-readers");
}
