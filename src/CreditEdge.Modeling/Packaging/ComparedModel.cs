namespace CreditEdge.Modeling.Packaging;

/// <summary>A model evaluated beside the packaged variants but not shipped (teacher, unpruned student).</summary>
public sealed record ComparedModel(string Name, string Description, string Precision, string Path, double Sparsity = 0);
