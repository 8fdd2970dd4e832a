using LiteDB;

namespace CreditEdge.Storage;

/// <summary>
/// One commit of the writer as the journal keeps it (<see cref="DecisionJournal"/>): the documents it inserted and
/// upserted, exactly as stored, so that applying it again gives the same store, audit chain hashes included.
/// <c>{b: batch, d: [decision], k: [idempotency key], e: [event link], x: [earlier layout's outbox id deleted],
/// m: outbox mark?, h: chain head}</c>. The chain head carries the batch number: a store holds every batch up to its head's.
/// </summary>
internal sealed class JournalRecord
{
    private readonly BsonArray _decisions = [];
    private readonly BsonArray _keys = [];
    private readonly BsonArray _events = [];
    private readonly BsonArray _outbox = [];

    public void Decision(BsonDocument decision) => _decisions.Add(decision);

    public void Key(BsonDocument key) => _keys.Add(key);

    public void Event(BsonDocument link) => _events.Add(link);

    public void OutboxDeleted(long sequence) => _outbox.Add(sequence);

    public BsonDocument ToDocument(long batch, BsonDocument head, BsonDocument? mark)
    {
        var record = new BsonDocument { ["b"] = batch, ["d"] = _decisions, ["k"] = _keys, ["e"] = _events, ["x"] = _outbox, ["h"] = head };
        if (mark is not null)
        {
            record["m"] = mark;
        }

        return record;
    }

    /// <summary>
    /// Applies <paramref name="records"/> in order in one transaction of <paramref name="db"/>: the applier's commit and a
    /// recovering store's alike. A failure rolls it back (a rollback that fails too is left to the failure reported) and is thrown.
    /// </summary>
    public static void ApplyAll(LiteDatabase db, IEnumerable<BsonDocument> records)
    {
        db.BeginTrans();
        try
        {
            foreach (var record in records)
            {
                Apply(db, record);
            }

            db.Commit();
        }
        catch
        {
            try
            {
                db.Rollback();
            }
            catch (Exception ex) when (ex is LiteException or IOException)
            {
                // the failure is what is reported
            }

            throw;
        }
    }

    /// <summary>Does in <paramref name="db"/>'s open transaction what the commit of <paramref name="record"/> did.</summary>
    private static void Apply(LiteDatabase db, BsonDocument record)
    {
        var decisions = db.GetCollection(LiteDecisionStore.Decisions);
        var keys = db.GetCollection(LiteDecisionStore.Idempotency);
        var audit = db.GetCollection(LiteDecisionStore.Audit);
        var outbox = db.GetCollection(LiteDecisionStore.Outbox);
        var meta = db.GetCollection(LiteDecisionStore.Meta);
        foreach (var key in record["k"].AsArray)
        {
            keys.Insert(key.AsDocument);
        }

        foreach (var decision in record["d"].AsArray)
        {
            decisions.Insert(decision.AsDocument);
        }

        foreach (var link in record["e"].AsArray)
        {
            audit.Insert(link.AsDocument);
        }

        foreach (var sequence in record["x"].AsArray)
        {
            outbox.Delete(sequence);
        }

        if (record["m"] is { IsDocument: true } mark)
        {
            meta.Upsert(mark.AsDocument);
        }

        meta.Upsert(record["h"].AsDocument);
    }
}
