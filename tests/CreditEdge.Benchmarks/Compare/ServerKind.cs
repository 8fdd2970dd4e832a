namespace CreditEdge.Benchmarks.Compare;

/// <summary>The servers a comparison starts.</summary>
public enum ServerKind
{
    Agent,
    Peer,
    Hello,
}
