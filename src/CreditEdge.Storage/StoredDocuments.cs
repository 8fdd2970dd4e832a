using CreditEdge.Core.Decisions;
using LiteDB;

namespace CreditEdge.Storage;

/// <summary>
/// How decisions and their audit links are laid out in the store's documents, and how every layout ever written is read
/// back: a store written by an earlier version keeps working, without a migration, and goes on in the current layout.
/// <list type="bullet">
/// <item>A decision is its own audit link: <c>{_id: decisionId, z: dictionary id byte + zstd frame of the JSON, seq, hash}</c>
/// in <c>decisions</c>, indexed by <c>seq</c>; the previous link's hash is not repeated (the chain is walked in order) and
/// the time is read from the JSON. Before: <c>{_id, createdAt, json}</c> plus a link <c>{_id: seq, decisionId, previous,
/// hash}</c> in <c>audit</c>.</item>
/// <item>A device event's link stays in <c>audit</c>: <c>{_id: seq, event, at, previous, hash}</c>.</item>
/// <item>Hashes are 32 bytes; before, 64 lower-hex characters (links, chain head, retention checkpoint).</item>
/// <item>The outbox is a mark in <c>meta</c> (<see cref="OutboxMark"/>): the decisions after it wait. Before, a record per
/// waiting decision in <c>outbox</c>: <c>{_id: seq}</c> pointing at the decision, and before that <c>{_id, decisionId, payload}</c>
/// with a copy; such records are still sent and acknowledged first.</item>
/// </list>
/// Readers see every link in one shape (<see cref="LinksAfter"/>): <c>{_id: seq, decisionId, previous?, hash, decision?}</c>
/// for a decision (<c>decision</c>: the document, when the link is the decision itself; then no <c>previous</c>) or
/// <c>{_id, event, at, previous, hash}</c>.
/// </summary>
internal static class StoredDocuments
{
    public const string Sequence = "seq";

    private const int PageSize = 512;

    /// <summary>A decision's document before the commit gives it its place in the chain (<see cref="Link"/>).</summary>
    public static BsonDocument Decision(Decision decision, ReadOnlySpan<byte> utf8Json) => new()
    {
        ["_id"] = decision.DecisionId,
        ["z"] = DecisionCompression.Compress(utf8Json),
    };

    /// <summary>Makes <paramref name="document"/> link <paramref name="sequence"/> of the chain.</summary>
    public static BsonDocument Link(BsonDocument document, long sequence, string hash)
    {
        document[Sequence] = sequence;
        document["hash"] = Hash(hash);
        return document;
    }

    /// <summary>The decision JSON a decision document holds, whichever layout wrote it; null for a null document.</summary>
    /// <exception cref="IOException">Its bytes are damaged.</exception>
    public static string? DecisionJson(BsonDocument? document)
    {
        if (document is null)
        {
            return null;
        }

        var compressed = document["z"];
        return compressed.IsBinary ? DecisionCompression.Decompress(compressed.AsBinary) : document["json"].AsString;
    }

    /// <summary>The JSON of a decision link: the decision it is, or the one it names (<paramref name="find"/>); null when missing.</summary>
    /// <exception cref="IOException">Its bytes are damaged.</exception>
    public static string? DecisionJsonOf(BsonDocument link, Func<string, BsonDocument?> find) =>
        DecisionJson(link["decision"] is { IsDocument: true } decision ? decision.AsDocument : find(link["decisionId"].AsString));

    /// <summary>A lower-hex SHA-256 as it is stored: 32 bytes.</summary>
    public static BsonValue Hash(string hex) => new(Convert.FromHexString(hex));

    /// <summary>The previous link's hash as the link records it (lower hex); null when it records none (a decision that is its own link).</summary>
    public static string? RecordedPrevious(BsonDocument link) => link["previous"] is { IsNull: false } previous ? HashText(previous) : null;

    /// <summary>A stored hash as lower hex, whichever layout wrote it.</summary>
    public static string HashText(BsonValue stored) => stored.IsBinary ? Convert.ToHexStringLower(stored.AsBinary) : stored.AsString;

    /// <summary>A decision document of the current layout in the shape of a link.</summary>
    public static BsonDocument LinkOf(BsonDocument decision) => new()
    {
        ["_id"] = decision[Sequence],
        ["decisionId"] = decision["_id"],
        ["hash"] = decision["hash"],
        ["decision"] = decision,
    };

    /// <summary>
    /// Every link after sequence <paramref name="after"/>, in chain order: the <c>audit</c> collection's (events, and
    /// decisions of the earlier layout) merged with the decisions that are their own link. Read a page at a time.
    /// </summary>
    public static IEnumerable<BsonDocument> LinksAfter(LiteDatabase db, long after)
    {
        var audit = db.GetCollection(LiteDecisionStore.Audit);
        var decisions = db.GetCollection(LiteDecisionStore.Decisions);
        using var older = Paged(after, last => audit.Query().Where(Query.GT("_id", last)).OrderBy("_id").Limit(PageSize).ToList()).GetEnumerator();
        using var newer = Paged(after, last => [.. decisions.Query().Where(Query.GT(Sequence, last)).OrderBy(Sequence).Limit(PageSize).ToEnumerable().Select(LinkOf)]).GetEnumerator();
        var hasOlder = older.MoveNext();
        var hasNewer = newer.MoveNext();
        while (hasOlder || hasNewer)
        {
            if (hasOlder && (!hasNewer || older.Current["_id"].AsInt64 <= newer.Current["_id"].AsInt64))
            {
                yield return older.Current;
                hasOlder = older.MoveNext();
            }
            else
            {
                yield return newer.Current;
                hasNewer = newer.MoveNext();
            }
        }
    }

    /// <summary>The link with <paramref name="sequence"/>, from either place; null when neither has it.</summary>
    public static BsonDocument? FindLink(LiteDatabase db, long sequence) =>
        db.GetCollection(LiteDecisionStore.Audit).FindById(sequence)
        ?? (db.GetCollection(LiteDecisionStore.Decisions).FindOne(Query.EQ(Sequence, sequence)) is { } decision ? LinkOf(decision) : null);

    private static IEnumerable<BsonDocument> Paged(long after, Func<long, List<BsonDocument>> next)
    {
        var last = after;
        while (true)
        {
            var page = next(last);
            foreach (var document in page)
            {
                yield return document;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            last = page[^1]["_id"].AsInt64;
        }
    }
}
