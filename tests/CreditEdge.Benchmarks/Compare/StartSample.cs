namespace CreditEdge.Benchmarks.Compare;

/// <summary>One cold start: process start to the first 200 on /readyz, and VmRSS (and its private part, RssAnon + RssShmem) a moment after.</summary>
public sealed record StartSample(ServerKind Kind, TimeSpan StartToReady, long IdleRssBytes, long IdlePrivateRssBytes);
