using System.Text.Json.Serialization;

namespace CreditEdge.Core.Policy;

/// <summary>What the kiosk tells the applicant.</summary>
public enum Outcome
{
    [JsonStringEnumMemberName("approve")]
    Approve,
    [JsonStringEnumMemberName("refer")]
    Refer,
    [JsonStringEnumMemberName("decline")]
    Decline,
}
