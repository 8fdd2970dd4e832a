namespace CreditEdge.Office.Database;

/// <summary>One schema step: applied once, in order, in its own transaction, and recorded in <c>schema_migrations</c>.</summary>
internal sealed record Migration(int Version, string Name, string Sql);
