namespace CreditEdge.Core.Schema;

/// <summary>A field a request may carry that is never fed to the model, and never stored with the decision.</summary>
public sealed record NonInputField(string Name, FieldRole Role);
