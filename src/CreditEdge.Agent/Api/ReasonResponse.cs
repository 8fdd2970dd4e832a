using CreditEdge.Core.Policy;

namespace CreditEdge.Agent.Api;

/// <summary>
/// A reason as the API returns it: <see cref="Text"/> is for the applicant — the package's plain-language text when it
/// has one, else the staff text — and <see cref="StaffText"/> is the feature-name text for staff.
/// </summary>
public sealed record ReasonResponse(string Code, string Feature, string Text, string StaffText)
{
    public static ReasonResponse From(Reason r) => new(r.Code, r.Feature, r.ApplicantText ?? r.Text, r.Text);
}
