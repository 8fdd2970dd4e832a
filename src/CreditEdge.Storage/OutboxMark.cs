using LiteDB;

namespace CreditEdge.Storage;

/// <summary>
/// The outbox as a mark instead of a record per decision: every decision link up to <see cref="Synced"/> was acknowledged
/// by the broker, and so was each one in <see cref="Above"/> (acknowledgements that came out of order). What waits is every
/// decision after <see cref="Synced"/> that is not in <see cref="Above"/>, found through the <c>seq</c> index the chain
/// already has — a decision's commit writes nothing for the outbox, and an acknowledgement rewrites one small document.
/// Stored in <c>meta</c> as <c>{_id: "outbox-mark", synced, above: [seq…]}</c>.
/// </summary>
internal sealed class OutboxMark
{
    public const string Id = "outbox-mark";

    public OutboxMark(long synced, IEnumerable<long> above)
    {
        Synced = synced;
        Above = [.. above.Where(sequence => sequence > synced)];
    }

    public long Synced { get; private set; }

    public SortedSet<long> Above { get; }

    public bool IsSynced(long sequence) => sequence <= Synced || Above.Contains(sequence);

    /// <summary>
    /// The stored mark; a store without one (new, or written before the mark) counts every link up to its chain head as
    /// synced, since there the decisions still waiting are the earlier layout's outbox records.
    /// </summary>
    public static OutboxMark Read(LiteDatabase db, out bool stored)
    {
        var meta = db.GetCollection(LiteDecisionStore.Meta);
        if (meta.FindById(Id) is { } document)
        {
            stored = true;
            return new OutboxMark(document["synced"].AsInt64, document["above"].AsArray.Select(value => value.AsInt64));
        }

        stored = false;
        return new OutboxMark(meta.FindById(LiteDecisionStore.ChainHeadId)?["sequence"].AsInt64 ?? 0L, []);
    }

    /// <summary>
    /// Marks <paramref name="sequence"/> acknowledged and moves <see cref="Synced"/> over every decision now acknowledged
    /// in a row; false when it was already, or is no waiting decision (a repeated or stray acknowledgement).
    /// </summary>
    public bool Acknowledge(ILiteCollection<BsonDocument> decisions, long sequence)
    {
        if (IsSynced(sequence) || !decisions.Exists(Query.EQ(StoredDocuments.Sequence, sequence)))
        {
            return false;
        }

        Above.Add(sequence);
        while (Above.Count > 0 && NextDecision(decisions, Synced) is { } next)
        {
            if (!Above.Remove(next))
            {
                Synced = next - 1; // the links between (device events) need no acknowledgement
                return true;
            }

            Synced = next;
        }

        return true;
    }

    /// <summary>The decisions waiting, oldest first, at most <paramref name="max"/>.</summary>
    public IEnumerable<BsonDocument> Waiting(ILiteCollection<BsonDocument> decisions, int max) =>
        decisions.Query().Where(Query.GT(StoredDocuments.Sequence, Synced)).OrderBy(StoredDocuments.Sequence).Limit(max + Above.Count).ToEnumerable()
            .Where(decision => !Above.Contains(decision[StoredDocuments.Sequence].AsInt64))
            .Take(max);

    /// <summary>How many decisions wait.</summary>
    public long Count(ILiteCollection<BsonDocument> decisions) =>
        decisions.LongCount(Query.GT(StoredDocuments.Sequence, Synced)) - Above.Count;

    public BsonDocument ToDocument() => new()
    {
        ["_id"] = Id,
        ["synced"] = Synced,
        ["above"] = new BsonArray(Above.Select(sequence => new BsonValue(sequence))),
    };

    private static long? NextDecision(ILiteCollection<BsonDocument> decisions, long after) =>
        decisions.Query().Where(Query.GT(StoredDocuments.Sequence, after)).OrderBy(StoredDocuments.Sequence).Limit(1).ToEnumerable()
            .Select(decision => (long?)decision[StoredDocuments.Sequence].AsInt64).FirstOrDefault();
}
