namespace CreditEdge.Core.Audit;

/// <summary>
/// Something that happened to the device, recorded in the audit chain between the decisions so it is seen in order with
/// them and cannot be removed unnoticed: the kiosk enclosure opened, unlocked by an operator, a terminal key revoked.
/// </summary>
/// <param name="Type">What happened, in kebab case: <c>tamper-opened</c>, <c>tamper-unlocked</c>, <c>terminal-added</c>, <c>terminal-revoked</c>.</param>
/// <param name="At">When it happened.</param>
/// <param name="Detail">One line for people, e.g. "enclosure opened (switch 2)". Never applicant data.</param>
/// <param name="Data">Machine-readable details (operator id, key id); stored in ordinal key order.</param>
public sealed record AuditEvent(string Type, DateTimeOffset At, string Detail, IReadOnlyDictionary<string, string>? Data = null)
{
    // sorted, so that the same event always gives the same canonical JSON, whatever order the caller built it in
    private readonly IReadOnlyDictionary<string, string>? _data = Sorted(Data);

    public IReadOnlyDictionary<string, string>? Data { get => _data; init => _data = Sorted(value); }

    private static SortedDictionary<string, string>? Sorted(IReadOnlyDictionary<string, string>? data) =>
        data is null ? null : new SortedDictionary<string, string>(data.ToDictionary(), StringComparer.Ordinal);
}
