using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Schema;
using CreditEdge.Inference;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge score DIR --input FILE [--variant NAME]</c>: decides each request in a file offline with the package, exactly as
/// the agent would (same validation, model, policy and reasons), without storing anything.
/// </summary>
public static class ScoreCommand
{
    /// <summary>Terminal output, not HTML: quotes and non-ASCII text stay readable.</summary>
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var directory = new Argument<DirectoryInfo>("DIR") { Description = "Package directory." };
        var input = new Option<FileInfo>("--input")
        {
            Description = "Requests: JSON lines (or one JSON array / object), each {\"applicationId\", \"features\": {…}} or a bare features object.",
            Required = true,
        };
        var variant = new Option<string?>("--variant") { Description = "Variant to run, or auto (default): the fastest that reproduces golden on this CPU, as the agent picks." };
        directory.AcceptExistingOnly();
        input.AcceptExistingOnly();

        var command = new Command("score",
            "Score requests offline with a package. Prints one JSON line per input (outcome, probability, score, reasons, or errors); " +
            "each invalid input also gets one line on stderr naming it and its bad fields, and the exit code is 1.")
        {
            directory, input, variant,
        };
        command.SetAction(parseResult =>
        {
            using var model = LoadedModel.Load(parseResult.GetRequiredValue(directory).FullName, parseResult.GetValue(variant));
            var invalid = 0;
            foreach (var (where, request) in ReadInputs(parseResult.GetRequiredValue(input).FullName))
            {
                var problems = new List<ValidationProblem>();
                var line = Score(model.Engine, where, request, problems);
                output.WriteLine(line);
                if (problems.Count > 0)
                {
                    invalid++;
                    error.WriteLine($"cedge: {where}: {string.Join("; ", problems.Select(Describe))}");
                }
            }

            return invalid == 0 ? CedgeApp.Success : CedgeApp.Failure;
        });
        return command;
    }

    /// <summary>The inputs with where they came from ("line N" or "item N"), as score-request bytes.</summary>
    private static IEnumerable<(string Where, byte[] Request)> ReadInputs(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        var whole = TryParse(Encoding.UTF8.GetBytes(text));
        if (whole is { RootElement.ValueKind: JsonValueKind.Array })
        {
            var items = whole.RootElement.EnumerateArray().Select(e => Encoding.UTF8.GetBytes(e.GetRawText())).ToArray();
            whole.Dispose();
            for (var i = 0; i < items.Length; i++)
            {
                yield return ($"item {i + 1}", AsRequest(items[i]));
            }

            yield break;
        }

        if (whole is not null && text.AsSpan().Trim().ContainsAny('\n', '\r'))
        {
            // one (pretty-printed) JSON object spanning several lines
            whole.Dispose();
            yield return ("input", AsRequest(Encoding.UTF8.GetBytes(text)));
            yield break;
        }

        whole?.Dispose();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            var trimmed = line.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(trimmed))
            {
                continue;
            }

            yield return ($"line {number}", AsRequest(Encoding.UTF8.GetBytes(trimmed)));
        }
    }

    /// <summary>A bare features object (no top-level <c>features</c> or <c>applicationId</c>) is wrapped as <c>{"features": …}</c>.</summary>
    private static byte[] AsRequest(byte[] json)
    {
        using var document = TryParse(json);
        if (document is not { RootElement.ValueKind: JsonValueKind.Object } ||
            document.RootElement.TryGetProperty("features", out _) ||
            document.RootElement.TryGetProperty("applicationId", out _))
        {
            return json; // a request, or not JSON at all: the reader reports what is wrong
        }

        return [.. "{\"features\":"u8, .. json, .. "}"u8];
    }

    private static JsonDocument? TryParse(byte[] json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Score(DecisionEngine engine, string where, byte[] request, List<ValidationProblem> problems)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, LineOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("input", where);
            var row = new float[engine.Package.Schema.Count];
            if (!ScoreRequestReader.TryRead(request, engine.Package.Schema, row, out var applicationId, problems))
            {
                writer.WriteStartArray("errors");
                foreach (var problem in problems)
                {
                    writer.WriteStartObject();
                    writer.WriteString("field", problem.Field);
                    writer.WriteString("value", problem.Value);
                    writer.WriteString("rule", problem.Rule);
                    writer.WriteString("message", problem.Message);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }
            else
            {
                var reasons = new Reason[ReasonAttribution.MaxReasons];
                var verdict = engine.Decide(row, reasons);
                writer.WriteString("applicationId", applicationId);
                writer.WriteString("outcome", verdict.Outcome switch { Outcome.Approve => "approve", Outcome.Refer => "refer", _ => "decline" });
                writer.WriteNumber("probability", verdict.Probability);
                writer.WriteNumber("score", verdict.Score);
                writer.WriteStartArray("reasons");
                foreach (var reason in reasons.AsSpan(0, verdict.ReasonCount))
                {
                    writer.WriteStartObject();
                    writer.WriteString("code", reason.Code);
                    writer.WriteString("feature", reason.Feature);
                    writer.WriteString("text", reason.ApplicantText ?? reason.Text); // as the agent's API: the applicant's text
                    writer.WriteString("staffText", reason.Text);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartObject("model");
                writer.WriteString("id", engine.Model.Id);
                writer.WriteString("version", engine.Model.Version);
                writer.WriteString("variant", engine.Model.Variant);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Describe(ValidationProblem problem) =>
        problem.Value is null
            ? $"{problem.Field}: {problem.Message} ({problem.Rule})"
            : $"{problem.Field} = {problem.Value}: {problem.Message} ({problem.Rule})";
}
