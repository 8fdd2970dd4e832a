using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace CreditEdge.Office.Simulation;

/// <summary>
/// <c>simulate --broker URL --devices 1000 [--rate R] --duration T</c>: the scale simulation's fleet. Prints one JSON
/// line (the <see cref="SimulationReport"/>) on stdout, progress on stderr; <c>--ids-out FILE</c> writes the id of
/// every acknowledged decision, one a line.
/// </summary>
public static class SimulateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var broker = new Option<Uri>("--broker")
        {
            Description = "mqtt://host:port",
            Required = true,
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == "mqtt")
                {
                    return uri;
                }

                r.AddError($"--broker must be mqtt://host:port, not '{text}'");
                return null;
            },
        };
        var username = new Option<string>("--username") { Description = "MQTT user name for every simulated device." };
        var password = new Option<string>("--password") { Description = "MQTT password (or set CEDGE_MQTT_PASSWORD)." };
        var devices = new Option<int>("--devices") { Description = "Simulated devices (1…9999), each its own MQTT 5 client.", DefaultValueFactory = _ => 1000 };
        devices.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 9999)
            {
                r.AddError($"--devices must be 1…9999, not {r.GetValueOrDefault<int>()}");
            }
        });
        var rate = new Option<double?>("--rate") { Description = "Decisions per second for the whole fleet (default: kiosk rates, one every 30–120 s per device)." };
        rate.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } v && !(v > 0 && v <= 1_000_000))
            {
                r.AddError($"--rate must be above 0 and at most 1000000, not {v.ToString(CultureInfo.InvariantCulture)}");
            }
        });
        var duration = new Option<TimeSpan>("--duration") { Description = "How long decisions are sent once every device is connected.", DefaultValueFactory = _ => TimeSpan.FromSeconds(60) };
        duration.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<TimeSpan>() <= TimeSpan.Zero)
            {
                r.AddError("--duration must be positive");
            }
        });
        var telemetry = new Option<TimeSpan>("--telemetry-interval") { Description = "Each device's telemetry period (with drift).", DefaultValueFactory = _ => TimeSpan.FromSeconds(60) };
        telemetry.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<TimeSpan>() < TimeSpan.FromMilliseconds(100))
            {
                r.AddError("--telemetry-interval must be at least 00:00:00.1");
            }
        });
        var wave = new Option<int>("--connect-wave") { Description = "Devices connecting at a time.", DefaultValueFactory = _ => 50 };
        wave.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--connect-wave must be at least 1");
            }
        });
        var prefix = new Option<string>("--prefix") { Description = "Device ids are this and a 4-digit number.", DefaultValueFactory = _ => "sim-" };
        var package = new Option<DirectoryInfo>("--package") { Description = "Model package whose applicants, policy and reasons the decisions use.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "default")) };
        var vanish = new Option<bool>("--vanish") { Description = "End by vanishing (the broker publishes each device's offline Will) instead of a clean stop." };
        var idsOut = new Option<FileInfo>("--ids-out") { Description = "Write every acknowledged decision id here, one a line." };
        var command = new Command("simulate", "Run simulated devices, each its own MQTT 5 client, through the broker to the office.")
        {
            broker, username, password, devices, rate, duration, telemetry, wave, prefix, package, vanish, idsOut,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new SimulationOptions
            {
                Broker = parseResult.GetRequiredValue(broker),
                Username = parseResult.GetValue(username),
                Password = parseResult.GetValue(password) ?? Environment.GetEnvironmentVariable("CEDGE_MQTT_PASSWORD"),
                Devices = parseResult.GetValue(devices),
                Rate = parseResult.GetValue(rate),
                Duration = parseResult.GetValue(duration),
                TelemetryInterval = parseResult.GetValue(telemetry),
                ConnectWave = parseResult.GetValue(wave),
                DevicePrefix = parseResult.GetRequiredValue(prefix),
                PackageDirectory = parseResult.GetRequiredValue(package).FullName,
                Vanish = parseResult.GetValue(vanish),
            };
            var simulator = new FleetSimulator(options, TimeProvider.System, error);
            var report = await simulator.RunAsync(cancellationToken);
            if (parseResult.GetValue(idsOut) is { } file)
            {
                await File.WriteAllLinesAsync(file.FullName, simulator.AcknowledgedDecisionIds, cancellationToken);
            }

            await output.WriteLineAsync(JsonSerializer.Serialize(report, SimulationJson.Default.SimulationReport));
            return report.DecisionsFailed == 0 ? 0 : 1;
        });
        return command;
    }
}
