namespace CreditEdge.Office.Ingest;

/// <summary>Rows one committed batch added (duplicates and older statuses add none).</summary>
internal sealed record BatchResult(int Decisions, int Telemetry, int Drift, int ModelEvents, int Devices, int Rejected);
