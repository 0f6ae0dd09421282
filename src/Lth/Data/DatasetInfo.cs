namespace Lth.Data;

/// <summary>
/// What <c>lth datasets</c> shows for one dataset: whether it is available without downloading,
/// where it was found, and where it was looked for otherwise.
/// </summary>
/// <param name="Name">Canonical dataset name, as <c>--dataset</c> takes it.</param>
/// <param name="Description">One line about the data.</param>
/// <param name="Available">Found on disk (or generated), so it loads without a download.</param>
/// <param name="Path">Folder (or CIFAR-10 archive) it was found at; null when missing or generated.</param>
/// <param name="Origin">Rule that found it (<c>--data</c>, <c>LTH_DATA</c>, <c>cache</c>, <c>system</c>, <c>generated</c>); null when missing.</param>
/// <param name="Searched">Places searched without success, in order (empty when found at the first).</param>
/// <param name="Downloadable">Whether it could be downloaded (known mirrors and downloads allowed).</param>
public sealed record DatasetInfo(
    string Name,
    string Description,
    bool Available,
    string? Path,
    string? Origin,
    IReadOnlyList<SearchedPlace> Searched,
    bool Downloadable);
