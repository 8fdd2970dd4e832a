using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Core.Security;
using CreditEdge.Messaging.Central;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge fleet unlock --broker URL --device ID --key FILE --operator NAME [--reason TEXT] [--timeout 30s]</c>: unlocks
/// a kiosk that locked itself when its enclosure was opened. Signs an unlock order (issued now) with the operator's key,
/// sends it as the device command <c>unlock</c> — arguments <c>{"order":"&lt;base64 of the signed order&gt;"}</c> — and
/// waits for the device's answer: exit 0 when it unlocked, 1 when it refused or did not answer in time.
/// </summary>
public static class FleetUnlockCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var (broker, username, password) = FleetCommand.ConnectionOptions();
        var device = new Option<string>("--device") { Description = "The kiosk to unlock (its DeviceId).", Required = true };
        device.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && !DesiredTarget.IsValidName(value))
            {
                r.AddError($"--device must be 1-64 letters, digits, '.', '_' or '-' (it is a topic level), not '{OneLine(value)}'");
            }
        });
        var key = new Option<FileInfo>("--key") { Description = "Private signing key (PKCS#8 PEM); its public half must be in the kiosk's trust directory.", Required = true };
        key.AcceptExistingOnly();
        var @operator = new Option<string>("--operator") { Description = $"Who unlocks, for the kiosk's audit trail (1-{UnlockOrder.MaxOperatorLength} printable characters).", Required = true };
        @operator.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && !UnlockOrder.IsValidOperator(value))
            {
                r.AddError($"--operator must be 1-{UnlockOrder.MaxOperatorLength} printable characters, not only spaces, without line breaks or control characters; not '{OneLine(value)}'");
            }
        });
        var reason = new Option<string>("--reason") { Description = $"Why, for the audit trail (at most {UnlockOrder.MaxReasonLength} printable characters).", DefaultValueFactory = _ => "" };
        reason.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && !UnlockOrder.IsValidReason(value))
            {
                r.AddError(value.Length > UnlockOrder.MaxReasonLength
                    ? $"--reason must be at most {UnlockOrder.MaxReasonLength} characters, not {value.Length}"
                    : "--reason must be printable characters (no line breaks or control characters)");
            }
        });
        var timeout = Duration("--timeout", "How long to wait for the kiosk's answer after the broker took the order (e.g. 30s, 2m, 00:01:00).",
            TimeSpan.FromSeconds(30), UnlockOrderChecks.MaxAge);
        var connectTimeout = Duration("--connect-timeout", "How long to keep retrying to connect before failing.", TimeSpan.FromSeconds(30), TimeSpan.FromDays(1));
        var command = new Command("unlock", "Unlock a kiosk that locked itself when its enclosure was opened: a signed unlock order, answered by the kiosk.")
        {
            broker, username, password, device, key, @operator, reason, timeout, connectTimeout,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(FleetCommand.Connection(parseResult, broker, username, password),
            parseResult.GetRequiredValue(device), parseResult.GetRequiredValue(key), parseResult.GetRequiredValue(@operator), parseResult.GetValue(reason) ?? "",
            parseResult.GetValue(timeout), parseResult.GetValue(connectTimeout), output, error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CentralConnection connection, string deviceId, FileInfo keyFile, string operatorName, string reason,
        TimeSpan timeout, TimeSpan connectTimeout, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        byte[] order;
        using (var key = SigningKeys.LoadPrivateKey(keyFile.FullName))
        {
            order = UnlockOrderSigner.Sign(new UnlockOrder(deviceId, TimeProvider.System.GetUtcNow(), operatorName, reason), key);
            await error.WriteLineAsync($"· signed an unlock order for {deviceId} by '{operatorName}': key {SigningKeys.KeyId(key)}, {order.Length} bytes");
        }

        await error.WriteLineAsync($"· sending '{UnlockOrder.CommandName}' to {deviceId}; waiting up to {Seconds(timeout)} for its answer");
        var reply = await DeviceCommandSender.SendAsync(connection, deviceId, UnlockOrder.CommandName, new JsonObject { [UnlockOrder.CommandArgument] = Convert.ToBase64String(order) },
            timeout, connectTimeout, TimeProvider.System, new LineLogger(error, LogLevel.Warning), cancellationToken);
        if (reply is null)
        {
            await error.WriteLineAsync($"cedge: no answer from {deviceId} within {Seconds(timeout)}; is it online? (cedge fleet status)");
            return CedgeApp.Failure;
        }

        if (!reply.Ok)
        {
            await error.WriteLineAsync($"cedge: {deviceId}: {OneLine(reply.Error ?? "refused without saying why")}");
            return CedgeApp.Failure;
        }

        await output.WriteLineAsync($"{deviceId}: unlocked");
        return CedgeApp.Success;
    }

    /// <summary>A duration option that takes <c>30s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c> or <c>[d.]hh:mm:ss</c>; positive and at most <paramref name="max"/>.</summary>
    private static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue, TimeSpan max) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (TryParseDuration(text, out var value) && value > TimeSpan.Zero && value <= max)
            {
                return value;
            }

            r.AddError($"{name} must be a duration above 0 and at most {max:c} such as 30s, 500ms, 2m or 00:00:30, not '{text}'");
            return default;
        },
    };

    private static bool TryParseDuration(string text, out TimeSpan value)
    {
        (string Suffix, Func<double, TimeSpan> Make)[] units = [("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours)];
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                try
                {
                    value = make(amount);
                    return true;
                }
                catch (OverflowException)
                {
                    value = default;
                    return false;
                }
            }
        }

        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value);
    }

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";

    /// <summary>Someone else's text on one line (the device's answer, a bad argument): line breaks and control characters escaped.</summary>
    private static string OneLine(string text) => string.Concat(text.Select(c =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator ? $"\\u{(int)c:x4}" : c.ToString()));
}
