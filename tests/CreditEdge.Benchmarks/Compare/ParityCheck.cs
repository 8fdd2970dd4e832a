using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>
/// Proves the Node peer does the agent's work before either is measured: every golden applicant is scored by both, and
/// the probability (to 1e-6), score, outcome and reason codes (in order) must agree, and the probability must match the
/// package's golden fp32 value. Any mismatch fails the whole comparison.
/// </summary>
public static class ParityCheck
{
    public const double Tolerance = 1e-6;

    /// <summary>Returns the number of applicants compared; throws naming the first mismatches.</summary>
    public static async Task<int> RunAsync(Uri agent, Uri peer, IReadOnlyList<byte[]> bodies, IReadOnlyList<double> expected, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var problems = new List<string>();
        for (var i = 0; i < bodies.Count; i++)
        {
            var a = await ScoreAsync(client, agent, bodies[i], cancellationToken);
            var p = await ScoreAsync(client, peer, bodies[i], cancellationToken);
            Compare(i, a, p, expected[i], problems);
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"the Node peer does not do the agent's work: {problems.Count} mismatch(es) over {bodies.Count} golden applicants:\n  "
                + string.Join("\n  ", problems.Take(20)));
        }

        return bodies.Count;
    }

    private static void Compare(int index, Scored agent, Scored peer, double golden, List<string> problems)
    {
        void Problem(string what) => problems.Add(string.Create(CultureInfo.InvariantCulture, $"golden #{index}: {what}"));

        if (Math.Abs(agent.Probability - peer.Probability) > Tolerance)
        {
            Problem($"probability agent {agent.Probability:R} vs peer {peer.Probability:R}");
        }

        if (Math.Abs(agent.Probability - golden) > Tolerance)
        {
            Problem($"agent probability {agent.Probability:R} vs golden fp32 {golden:R} (is the agent on another variant?)");
        }

        if (agent.Score != peer.Score)
        {
            Problem($"score agent {agent.Score} vs peer {peer.Score}");
        }

        if (agent.Outcome != peer.Outcome)
        {
            Problem($"outcome agent {agent.Outcome} vs peer {peer.Outcome}");
        }

        if (!agent.Reasons.SequenceEqual(peer.Reasons))
        {
            Problem($"reasons agent [{string.Join(",", agent.Reasons)}] vs peer [{string.Join(",", peer.Reasons)}]");
        }
    }

    private static async Task<Scored> ScoreAsync(HttpClient client, Uri server, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri(server, "/v1/score"), content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{server} answered {(int)response.StatusCode} to a golden applicant: {text}");
        }

        using var json = JsonDocument.Parse(text);
        var r = json.RootElement;
        return new Scored(
            r.GetProperty("probability").GetDouble(),
            r.GetProperty("score").GetInt32(),
            r.GetProperty("outcome").GetString() ?? "",
            r.GetProperty("reasons").EnumerateArray().Select(x => x.GetProperty("code").GetString() ?? "").ToArray());
    }

    private sealed record Scored(double Probability, int Score, string Outcome, string[] Reasons);
}
