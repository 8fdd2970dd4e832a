namespace CreditEdge.Office.Database;

/// <summary>The office schema, oldest first (README "The office service", tables). Never edit a shipped step: add one.</summary>
internal static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "schema v1", """
            CREATE TABLE devices (
                device_id     text PRIMARY KEY,
                state         text NOT NULL,
                agent_version text,
                model_id      text,
                model_version text,
                variant       text,
                locked        text,
                last_seen     timestamptz NOT NULL,
                status        jsonb NOT NULL,
                updated_at    timestamptz NOT NULL DEFAULT now()
            );

            -- Partitioned by month of created_at; the writer creates a month's partition before its first decision.
            -- The key holds created_at because a partitioned table's unique keys must hold the partition key; a re-sent
            -- decision carries the same id and the same createdAt, so it meets its first copy and is a no-op.
            CREATE TABLE decisions (
                decision_id   text NOT NULL,
                created_at    timestamptz NOT NULL,
                device_id     text NOT NULL,
                outcome       text NOT NULL,
                score         integer NOT NULL,
                probability   double precision NOT NULL,
                model_id      text NOT NULL,
                model_version text NOT NULL,
                terminal_id   text,
                body          jsonb NOT NULL,
                received_at   timestamptz NOT NULL DEFAULT now(),
                ingested_by   text NOT NULL,
                PRIMARY KEY (decision_id, created_at)
            ) PARTITION BY RANGE (created_at);
            CREATE INDEX decisions_device_created ON decisions (device_id, created_at);

            CREATE TABLE telemetry (
                device_id   text NOT NULL,
                at          timestamptz NOT NULL,
                body        jsonb NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (device_id, at)
            );

            CREATE TABLE drift (
                device_id text NOT NULL,
                at        timestamptz NOT NULL,
                feature   text NOT NULL,
                psi       double precision NOT NULL,
                PRIMARY KEY (device_id, at, feature)
            );

            CREATE TABLE model_events (
                device_id   text NOT NULL,
                at          timestamptz NOT NULL,
                event       text NOT NULL,
                sequence    bigint NOT NULL,
                model_id    text,
                version     text,
                body        jsonb NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (device_id, sequence, event, at)
            );

            CREATE TABLE rejected_messages (
                id          bigserial PRIMARY KEY,
                digest      bytea NOT NULL UNIQUE,
                topic       text NOT NULL,
                payload     bytea NOT NULL,
                reason      text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now()
            );
            """),
    ];
}
