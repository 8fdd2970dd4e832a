using System.CommandLine;
using System.Security.Cryptography;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Messaging.Central;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// What <c>cedge fleet push</c> and <c>cedge fleet rollback</c> share: the target and key options, and the push itself —
/// verify the package's signature, archive it into a temporary file, hash its chunks, sign the desired model, publish the
/// chunks and then the message.
/// </summary>
internal sealed class RolloutPush
{
    private readonly (Option<Uri> Broker, Option<string> Username, Option<string> Password) _connection = FleetCommand.ConnectionOptions();

    public Option<string> Group { get; } = TargetOption("--group", "Fleet group to address (creditedge/groups/{group}/model/desired).");

    public Option<string> Device { get; } = TargetOption("--device", "One device to address (creditedge/devices/{id}/model/desired).");

    public Option<FileInfo> Key { get; } = new("--key")
    {
        Description = "Private signing key (PKCS#8 PEM): signs the desired model; its public half must have signed the package unless --trust says otherwise.",
        Required = true,
    };

    public Option<FileSystemInfo> Trust { get; } = new("--trust")
    {
        Description = "Public key file or directory of *.pem the package's signature must verify against (default: the public half of --key).",
    };

    public Option<long?> Sequence { get; } = new("--sequence")
    {
        Description = "Rollout sequence (must rise with every push or rollback to the target). Default: milliseconds since the Unix epoch, at least the package's sequence + 1.",
    };

    public Option<int> ChunkSize { get; } = new("--chunk-size")
    {
        Description = $"Archive chunk size in bytes, {PackageChunks.MinChunkSize}…{PackageChunks.MaxChunkSize}.",
        DefaultValueFactory = _ => PackageChunks.DefaultChunkSize,
    };

    public Option<bool> AllowSchemaChange { get; } = new("--allow-schema-change")
    {
        Description = "Let devices switch to a package whose features differ from the running one's.",
    };

    public Option<TimeSpan> ConnectTimeout { get; } = new("--connect-timeout")
    {
        Description = "How long to keep retrying to connect before failing.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
    };

    /// <summary>Adds every shared option and the target rule (exactly one of --group, --device) to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _connection.Broker, _connection.Username, _connection.Password, Group, Device, Key, Trust, Sequence, ChunkSize, AllowSchemaChange, ConnectTimeout })
        {
            command.Options.Add(option);
        }

        Key.AcceptExistingOnly();
        Trust.AcceptExistingOnly();
        ChunkSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is var size && size is < PackageChunks.MinChunkSize or > PackageChunks.MaxChunkSize)
            {
                r.AddError($"--chunk-size must be within {PackageChunks.MinChunkSize}…{PackageChunks.MaxChunkSize}, not {size}");
            }
        });
        Sequence.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is <= 0 and var sequence)
            {
                r.AddError($"--sequence must be positive, not {sequence}");
            }
        });
        command.Validators.Add(r =>
        {
            if ((r.GetResult(Group) is null) == (r.GetResult(Device) is null))
            {
                r.AddError("give exactly one of --group or --device");
            }
        });
    }

    /// <summary>Verifies, archives, signs and publishes; returns the exit code. <paramref name="expectVersion"/>: refuse a package of another version.</summary>
    public async Task<int> RunAsync(ParseResult parseResult, DirectoryInfo package, string? expectVersion, ShadowCriteria? shadow, ProbationCriteria? probation,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var target = parseResult.GetValue(Group) is { } group ? DesiredTarget.ForGroup(group) : DesiredTarget.ForDevice(parseResult.GetRequiredValue(Device));
        using var key = SigningKeys.LoadPrivateKey(parseResult.GetRequiredValue(Key).FullName);
        var trusted = parseResult.GetValue(Trust) is { } trust ? SigningKeys.LoadTrustedKeys(trust.FullName) : [PublicHalf(key)];
        PackageSignature signature;
        try
        {
            signature = PackageVerifier.Verify(package.FullName, trusted);
        }
        finally
        {
            foreach (var k in trusted)
            {
                k.Dispose();
            }
        }

        await error.WriteLineAsync($"· verified {signature.ModelId} {signature.Version} (sequence {signature.Sequence}): signed by key {signature.KeyId}, {signature.Files.Count} files");
        if (expectVersion is not null && signature.Version != expectVersion)
        {
            await error.WriteLineAsync($"cedge: '{package.FullName}' holds {signature.ModelId} {signature.Version}, not version {expectVersion} (--to)");
            return CedgeApp.Failure;
        }

        var archivePath = Path.Combine(Path.GetTempPath(), $"cedge-push-{Guid.NewGuid():N}.tar");
        try
        {
            PackageChunks chunks;
            await using (var archive = new FileStream(archivePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                PackageArchive.Create(package.FullName, archive);
                archive.Position = 0;
                chunks = PackageChunks.Compute(archive, parseResult.GetValue(ChunkSize));
            }

            await error.WriteLineAsync($"· archive {chunks.Size} bytes, sha256 {chunks.Sha256}, {chunks.ChunkHashes.Count} chunks of {chunks.ChunkSize} bytes");
            var sequence = parseResult.GetValue(Sequence)
                ?? Math.Max(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), signature.Sequence + 1);
            var model = new DesiredModel(target, sequence, TimeProvider.System.GetUtcNow(),
                new DesiredPackage(signature.ModelId, signature.Version, signature.Sequence, chunks.Sha256, chunks.Size, chunks.ChunkSize, chunks.ChunkHashes),
                parseResult.GetValue(AllowSchemaChange), shadow, probation);
            var message = DesiredModelSigner.Sign(model, key);
            await error.WriteLineAsync($"· signed the desired model for {target}: sequence {sequence}, key {SigningKeys.KeyId(key)}, {message.Length} bytes");

            var connection = FleetCommand.Connection(parseResult, _connection.Broker, _connection.Username, _connection.Password);
            await RolloutPublisher.PublishAsync(connection, archivePath, chunks, RolloutPublisher.DesiredTopic(target), message, parseResult.GetValue(ConnectTimeout),
                line => error.WriteLine($"· {line}"), TimeProvider.System, new LineLogger(error, LogLevel.Warning), cancellationToken);
            await output.WriteLineAsync($"{signature.ModelId} {signature.Version} → {target}: sequence {sequence}, archive sha256 {chunks.Sha256}");
            return CedgeApp.Success;
        }
        finally
        {
            File.Delete(archivePath);
        }
    }

    private static ECDsa PublicHalf(ECDsa key)
    {
        var pub = ECDsa.Create();
        pub.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return pub;
    }

    private static Option<string> TargetOption(string name, string description)
    {
        var option = new Option<string>(name) { Description = description };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && !DesiredTarget.IsValidName(value))
            {
                r.AddError($"{name} must be 1-64 letters, digits, '.', '_' or '-' (it is a topic level), not '{value}'");
            }
        });
        return option;
    }
}
