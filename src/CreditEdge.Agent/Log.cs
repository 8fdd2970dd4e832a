using Microsoft.Extensions.Logging;

namespace CreditEdge.Agent;

/// <summary>The agent's log messages, with fixed event ids. Applicant data is never logged above Debug.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Model {ModelId} {Version} ({Variant}, sha256 {Sha256}) loaded from {Directory}; {Golden} golden records reproduced")]
    public static partial void ModelLoaded(ILogger logger, string modelId, string version, string variant, string sha256, string directory, int golden);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "No model could be loaded from {Directory}: {Reason}. Scoring answers 503 until a model is installed")]
    public static partial void ModelLoadFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Decision store open at {Path}; {Count} decisions stored")]
    public static partial void StoreOpened(ILogger logger, string path, long count);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Storage:Durable is false: decisions are answered without an fsync and a power cut loses the last seconds of them (for measurements only, never on a kiosk)")]
    public static partial void StoreNotDurable(ILogger logger);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Decision {DecisionId}: {Outcome} score {Score}")]
    public static partial void Decided(ILogger logger, string decisionId, string outcome, int score);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "Decision could not be stored; answered 503")]
    public static partial void StoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Debug, Message = "Idempotency key replayed decision {DecisionId}")]
    public static partial void IdempotentReplay(ILogger logger, string decisionId);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "Model {ModelId} {Version} failed to score a valid request; answered 503")]
    public static partial void ModelFailed(ILogger logger, string modelId, string version, Exception exception);
}
