using CreditEdge.Office.Database;
using CreditEdge.Office.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CreditEdge.Office;

/// <summary>The office's services: options, the database, schema migration, the ingest workers.</summary>
public static class OfficeHostingExtensions
{
    public static IHostApplicationBuilder AddOffice(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<OfficeOptions>().BindConfiguration(OfficeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<OfficeOptions>>().Value.Database).Build());
        builder.Services.AddSingleton<SchemaMigrator>();
        builder.Services.AddSingleton<DecisionPartitions>();
        builder.Services.AddSingleton<BatchWriter>();
        builder.Services.AddSingleton<IngestWorkers>();
        builder.Services.AddHostedService<IngestService>();
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(10); // a batch in hand is not acknowledged and comes back: no need to wait long
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost; // a dead ingest must not look alive
        });
        return builder;
    }
}
