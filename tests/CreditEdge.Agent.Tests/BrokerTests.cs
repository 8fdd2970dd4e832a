namespace CreditEdge.Agent.Tests;

/// <summary>Tests that run agents against a broker run one at a time: they time real streams on two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerTests
{
    public const string Name = "broker";
}
