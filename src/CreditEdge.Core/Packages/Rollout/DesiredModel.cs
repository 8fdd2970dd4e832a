namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// What the operator wants a group or device to run: the retained, signed message on
/// <c>creditedge/groups/{group}/model/desired</c> or <c>creditedge/devices/{id}/model/desired</c>
/// (<see cref="DesiredModelSigner"/>, <see cref="DesiredModelReader"/>).
/// </summary>
/// <param name="Target">The group or device this message is for.</param>
/// <param name="Sequence">The rollout sequence: rises with every push or rollback for the target; a device ignores a message whose sequence is not above the last it acted on.</param>
/// <param name="IssuedAt">When the operator signed it (UTC).</param>
/// <param name="Package">The package and its archive's chunks.</param>
/// <param name="AllowSchemaChange">Whether the package may take other features than the running one (kiosks must send them).</param>
/// <param name="Shadow">Shadow evaluation before the switch, or null to switch once the package is verified.</param>
/// <param name="Probation">Watch after the switch, with automatic rollback, or null for none.</param>
public sealed record DesiredModel(
    DesiredTarget Target,
    long Sequence,
    DateTimeOffset IssuedAt,
    DesiredPackage Package,
    bool AllowSchemaChange,
    ShadowCriteria? Shadow,
    ProbationCriteria? Probation)
{
    /// <summary>The <c>format</c> of the signed document.</summary>
    public const string CurrentFormat = "creditedge.desired-model/1";

    /// <summary>Largest archive a message may announce: 1 GiB (a device applies its own, smaller limit).</summary>
    public const long MaxArchiveBytes = 1L << 30;

    /// <summary>Largest signed message accepted: 1 MiB (about 15,000 chunk hashes).</summary>
    public const int MaxMessageBytes = 1 << 20;
}
