namespace CreditEdge.Messaging.Rollout;

/// <summary>The <see cref="ModelEvent.Event"/> names, in the order an update goes through them.</summary>
public static class ModelEvents
{
    public const string Received = "received";
    public const string Downloading = "downloading";
    public const string Downloaded = "downloaded";
    public const string Verified = "verified";
    public const string Validated = "validated";
    public const string Shadowing = "shadowing";
    public const string Active = "active";
    public const string ProbationPassed = "probation-passed";
    public const string Rejected = "rejected";
    public const string RolledBack = "rolled-back";

    /// <summary>True while an update is on its way in (fetched, checked or trialled): the kiosk's amber light.</summary>
    public static bool InProgress(string? state) => state is Received or Downloading or Downloaded or Verified or Validated or Shadowing;
}
