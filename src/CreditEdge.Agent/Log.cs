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

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "Terminal registry {Path} not read: {Reason}. The last good registry stays in force ({Active} active keys)")]
    public static partial void TerminalRegistryUnreadable(ILogger logger, string path, string reason, int active);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Terminal registry {Path} read: {Active} active keys, {Revoked} revoked")]
    public static partial void TerminalRegistryLoaded(ILogger logger, string path, int active, int revoked);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Information, Message = "Audit event {Type} recorded for terminal {TerminalId}")]
    public static partial void TerminalEventRecorded(ILogger logger, string type, string terminalId);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Warning, Message = "Terminal audit events not recorded yet ({Reason}); retried in a second")]
    public static partial void TerminalAuditPending(ILogger logger, string reason);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Warning, Message = "{Path} not written ({Reason}); the audit chain still says what was recorded")]
    public static partial void TerminalAuditFileNotWritten(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1019, Level = LogLevel.Warning, Message = "{Path} not read ({Reason}); what the audit chain holds is taken as recorded")]
    public static partial void TerminalAuditFileNotRead(ILogger logger, string path, string reason);
}
