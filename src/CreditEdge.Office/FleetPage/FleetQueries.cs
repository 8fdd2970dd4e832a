using Npgsql;

namespace CreditEdge.Office.FleetPage;

/// <summary>The fleet page's reads from the office database (README "The office service" tables). Read-only.</summary>
internal sealed class FleetQueries(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>PSI at or above this: watch the feature (the page marks it amber).</summary>
    public const double PsiWatch = 0.1;

    /// <summary>PSI at or above this: act (the page marks it red).</summary>
    public const double PsiAct = 0.25;

    private static readonly string[] Outcomes = ["approve", "refer", "decline"];

    public async Task<DevicesResponse> DevicesAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT d.device_id, d.state,
                   greatest(d.last_seen, t.at, x.created_at) AS last_seen,
                   d.agent_version, d.model_id, d.model_version, d.variant,
                   coalesce(ev.model_id, d.status->'rollout'->>'desiredModelId') AS desired_model_id,
                   coalesce(ev.version, d.status->'rollout'->>'desiredVersion') AS desired_version,
                   coalesce(ev.event, d.status->'rollout'->>'state') AS rollout_state,
                   CASE WHEN ev.event IS NOT NULL THEN ev.body->>'check' ELSE d.status->'rollout'->>'check' END AS rollout_check,
                   d.locked,
                   dr.max_psi
            FROM devices d
            LEFT JOIN LATERAL (SELECT e.model_id, e.version, e.event, e.body FROM model_events e
                               WHERE e.device_id = d.device_id ORDER BY e.sequence DESC, e.at DESC LIMIT 1) ev ON true
            LEFT JOIN LATERAL (SELECT max(at) AS at FROM telemetry WHERE device_id = d.device_id) t ON true
            LEFT JOIN LATERAL (SELECT max(created_at) AS created_at FROM decisions WHERE device_id = d.device_id) x ON true
            LEFT JOIN LATERAL (SELECT max(psi) AS max_psi FROM drift
                               WHERE device_id = d.device_id AND at = (SELECT max(at) FROM drift WHERE device_id = d.device_id)) dr ON true
            ORDER BY d.device_id
            """);
        var devices = new List<FleetDeviceRow>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                devices.Add(new FleetDeviceRow(
                    reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                    Text(reader, 3), Text(reader, 4), Text(reader, 5), Text(reader, 6), Text(reader, 7), Text(reader, 8), Text(reader, 9), Text(reader, 10),
                    Text(reader, 11), reader.IsDBNull(12) ? null : reader.GetDouble(12)));
            }
        }

        var online = devices.Count(d => d.State == "online");
        return new DevicesResponse(time.GetUtcNow(), online, devices.Count - online, devices);
    }

    public async Task<RolloutsResponse> RolloutsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH latest AS (
                SELECT DISTINCT ON (device_id, model_id, version) device_id, model_id, version, event, sequence, at
                FROM model_events WHERE version IS NOT NULL
                ORDER BY device_id, model_id, version, sequence DESC, at DESC)
            SELECT coalesce(model_id, ''), version, max(sequence), count(*)::int,
                   (count(*) FILTER (WHERE event = 'received'))::int,
                   (count(*) FILTER (WHERE event IN ('downloading', 'downloaded', 'verified', 'validated', 'shadowing')))::int,
                   (count(*) FILTER (WHERE event IN ('active', 'probation-passed')))::int,
                   (count(*) FILTER (WHERE event = 'rejected'))::int,
                   (count(*) FILTER (WHERE event = 'rolled-back'))::int,
                   max(at)
            FROM latest
            GROUP BY model_id, version
            ORDER BY max(sequence) DESC, version DESC
            LIMIT 50
            """);
        var rollouts = new List<RolloutRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rollouts.Add(new RolloutRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8), reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return new RolloutsResponse(rollouts);
    }

    public async Task<DecisionVolumeResponse> DecisionVolumeAsync(int hours, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lastHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var from = lastHour.AddHours(-(hours - 1));
        await using var command = dataSource.CreateCommand("""
            SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AS hour, outcome, count(*)
            FROM decisions WHERE created_at >= $1
            GROUP BY 1, 2
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = from.UtcDateTime });
        var counts = new Dictionary<(DateTime Hour, string Outcome), long>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                counts[(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        long Count(DateTimeOffset hour, string outcome) => counts.GetValueOrDefault((hour.UtcDateTime, outcome));
        var series = Enumerable.Range(0, hours).Select(i => from.AddHours(i))
            .Select(h => new HourVolume(h, Count(h, "approve"), Count(h, "refer"), Count(h, "decline")))
            .ToList();
        var totals = Outcomes.ToDictionary(o => o, o => counts.Where(c => c.Key.Outcome == o && c.Key.Hour >= from.UtcDateTime).Sum(c => c.Value));
        return new DecisionVolumeResponse(from, lastHour.AddHours(1), series, totals);
    }

    /// <summary>Null when the office has never heard of <paramref name="deviceId"/>.</summary>
    public async Task<DriftResponse?> DriftAsync(string deviceId, int hours, CancellationToken cancellationToken)
    {
        await using (var known = dataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM devices WHERE device_id = $1) OR EXISTS (SELECT 1 FROM telemetry WHERE device_id = $1)
            """))
        {
            known.Parameters.Add(new NpgsqlParameter { Value = deviceId });
            if (await known.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return null;
            }
        }

        await using var command = dataSource.CreateCommand("""
            SELECT feature, at, psi FROM drift WHERE device_id = $1 AND at >= $2 ORDER BY feature, at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = deviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow().AddHours(-hours).UtcDateTime });
        var series = new List<DriftSeries>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        string? feature = null;
        var points = new List<DriftPoint>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (name != feature)
            {
                if (feature is not null)
                {
                    series.Add(new DriftSeries(feature, points));
                }

                feature = name;
                points = [];
            }

            points.Add(new DriftPoint(reader.GetFieldValue<DateTimeOffset>(1), reader.GetDouble(2)));
        }

        if (feature is not null)
        {
            series.Add(new DriftSeries(feature, points));
        }

        return new DriftResponse(deviceId, PsiWatch, PsiAct, series);
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
