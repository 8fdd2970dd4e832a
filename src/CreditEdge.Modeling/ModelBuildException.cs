namespace CreditEdge.Modeling;

/// <summary>A model build that stopped because a step or a self-check failed; the message says which and why.</summary>
public sealed class ModelBuildException : Exception
{
    public ModelBuildException(string message)
        : base(message)
    {
    }

    public ModelBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ModelBuildException()
        : base("the model build failed")
    {
    }
}
