namespace CreditEdge.Release.Tests;

/// <summary>Every test class that installs or runs a release shares one <see cref="ReleaseBuild"/> (one publish per runtime).</summary>
[CollectionDefinition(Name)]
public sealed class SharedReleaseBuild : ICollectionFixture<ReleaseBuild>
{
    public const string Name = "release";
}
