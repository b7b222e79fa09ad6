import Fluent
import FluentSQL
import Foundation
import TrellisCore

/// A text search of the directory, read a page at a time in order of relevance without ranking
/// every match.
///
/// Who matches: everyone with every word at the start of a word of their name or of a tag of the
/// kinds the search looks at (`SearchIndex`). The order, most relevant first, in four tiers, each
/// in name order:
/// 1. people whose name starts with the search (the name itself first, as it sorts first);
/// 2. other people whose name has every word (first those with the search at the start of a
///    later word of the name, such as a family name);
/// 3. people with a tag that is exactly the search;
/// 4. everyone else who matches.
///
/// The first three tiers are read from indexes in that order and only as far as the page needs:
/// the first along the name index, the second from the names' own full-text index, the third
/// along `people_search_tags` (keys beside names). So the first page of a search that a tenth of
/// the organisation matches reads a page of people, not the tenth. The fourth is read by walking
/// people in name order and checking each one's stored document, or, for a rare search, by
/// ranking its few full-text matches (`readRest`). A search lists at most
/// `DirectoryQuery.maximumSearchResults` people, so no page reads further than that, and it is
/// counted (up to that many) only for a page past the end.
struct DirectorySearch {
    /// How far the fourth tier's walks go (people read for each one the page needs) and how many
    /// full-text matches make a search common. Tests shrink them to reach every path.
    struct Tuning: Sendable {
        var shortStretch = 4
        var longStretch = 40
        var common = 1_000
    }

    let text: String
    /// The search as names are compared with it: its words (letters and digits) separated by
    /// single spaces, so that "h." or "(mi)" rank names as "h" and "mi" do.
    let nameText: String
    var tuning = Tuning()
    let scope: SearchIndex.Scope
    let kinds: [any Encodable & Sendable]
    /// The ids of everyone whose name has every word, and of everyone who matches.
    let names: SQLQueryString
    let matches: SQLQueryString
    /// A condition: this person's own document matches (checked without the index).
    let matchesDocument: SQLQueryString
    /// The database the queries are for (the same one as the `db` they run on).
    let sql: any SQLDatabase

    /// Nil when the text has no word to search for (only punctuation).
    init?(text: String, scope: SearchIndex.Scope, kinds: [TagKind], on sql: any SQLDatabase) {
        guard let names = SearchIndex.matchingIDs(text, scope: .name, on: sql),
              let matches = SearchIndex.matchingIDs(text, scope: scope, on: sql),
              let matchesDocument = SearchIndex.documentMatches(text, scope: scope, on: sql) else { return nil }
        self.matchesDocument = matchesDocument
        self.sql = sql
        self.text = text
        nameText = text.split { !($0.isLetter || $0.isNumber) }.joined(separator: " ")
        self.scope = scope
        self.kinds = kinds.map(\.rawValue)
        self.names = names
        self.matches = matches
    }

    /// The first tier: `users.search_name` starts with the text (LIKE's wildcards taken literally)
    /// and lies between the text and the last name that can start with it, so that it is read
    /// along the name index. In byte order (SQLite, and PostgreSQL with a C collation) the two are
    /// the same; in another collation a name outside the range falls to the second tier, and
    /// since every later tier leaves out exactly this condition, nobody is lost or listed twice.
    private var startsWith: SQLQueryString {
        """
        (users.search_name >= \(bind: nameText) AND users.search_name < \(bind: nameText + "\u{10FFFF}")
            AND users.search_name LIKE \(bind: Directory.likeEscaped(nameText) + "%") ESCAPE '\\')
        """
    }

    /// The first three tiers, each a query for its ids in order (`LIMIT`/`OFFSET` to append) and
    /// one counting it; and the condition that keeps the fourth to those not in them. `from` joins
    /// `users` (and `profiles` if `filter` needs it); `filter` is the other conditions.
    ///
    /// `prepared`: whether PostgreSQL may keep the tier's page statement with one plan for every
    /// search (`PlainRows`). Only the third is written so that every plan reads it the same way;
    /// the first two are planned for each search, as their best plans differ with the words.
    private func tiers(from: SQLQueryString, filter: SQLQueryString) -> (indexed: [(page: SQLQueryString, count: SQLQueryString, prepared: Bool)], rest: SQLQueryString) {
        // 1. Along the name index, from the text to the last name that can start with it.
        let first: SQLQueryString = "FROM \(from) WHERE \(filter) AND \(startsWith)"
        // 2. The names' own index; a later word of the name starting with the text first.
        let second: SQLQueryString = "FROM \(from) WHERE \(filter) AND users.id IN (\(names)) AND NOT (\(startsWith))"
        // 3. Along the tags' keys in name order; a person with the tag in two kinds once. On
        // PostgreSQL each holder is looked up by id in a subquery with a LIMIT, which is never
        // merged into a join: as a join, a plan made once for every search (a prepared
        // statement's) merged the holders of a common tag with everyone in id order, 8 ms
        // instead of 0.3.
        let third: SQLQueryString = !SearchIndex.isPostgres(sql) ? """
            FROM people_search_tags t CROSS JOIN \(from) WHERE users.id = t.person_id AND t.key = \(bind: text) AND t.kind IN (\(binds: kinds))
                AND \(filter) AND NOT (\(startsWith)) AND users.id NOT IN (\(names))
            """ : """
            FROM people_search_tags t CROSS JOIN LATERAL (
                SELECT users.id FROM \(from) WHERE users.id = t.person_id AND \(filter) AND NOT (\(startsWith)) AND users.id NOT IN (\(names)) LIMIT 1
            ) holder WHERE t.key = \(bind: text) AND t.kind IN (\(binds: kinds))
            """
        // 4. The rest: not in the tiers before.
        let rest: SQLQueryString = """
            NOT (\(startsWith)) AND users.id NOT IN (\(names))
                AND NOT EXISTS (SELECT 1 FROM people_search_tags t WHERE t.person_id = users.id AND t.key = \(bind: text) AND t.kind IN (\(binds: kinds)))
            """
        return ([
            ("SELECT users.id \(first) ORDER BY users.search_name, users.id", "SELECT COUNT(*) AS n \(first)", false),
            ("""
             SELECT users.id \(second)
             ORDER BY CASE WHEN users.search_name LIKE \(bind: "% " + Directory.likeEscaped(nameText) + "%") ESCAPE '\\' THEN 0 ELSE 1 END, users.search_name, users.id
             """, "SELECT COUNT(*) AS n \(second)", false),
            ("SELECT t.person_id AS id \(third) GROUP BY t.sort_name, t.person_id ORDER BY t.sort_name, t.person_id",
             "SELECT COUNT(DISTINCT t.person_id) AS n \(third)", true),
        ], rest)
    }

    /// The ids of the matches from `offset` on, at most `limit` of them, in order of relevance:
    /// tier after tier, each only when the page reaches into it, in small statements (measured,
    /// one statement for all three cost more: SQLite prepares and PostgreSQL plans every statement
    /// afresh, a large one taking up to a millisecond, and tiers the page does not reach were read
    /// too).
    func read(from: SQLQueryString, filter: SQLQueryString, offset: Int, limit: Int, on db: any Database) async throws -> [UUID] {
        let (indexed, rest) = tiers(from: from, filter: filter)
        var ids: [UUID] = []
        var skip = offset
        for tier in indexed where ids.count < limit {
            let rows = try await PlainRows.all("\(tier.page) LIMIT \(literal: limit - ids.count) OFFSET \(literal: skip)", on: db, prepared: tier.prepared)
            if rows.isEmpty {
                // The whole tier lies before the page (or it is empty): skip past it.
                if skip > 0 { skip = max(0, skip - (try await PlainRows.first(tier.count, on: db)?.int("n") ?? 0)) }
            } else {
                skip = 0
                ids += try rows.map { try $0.uuid("id") }
            }
        }
        guard ids.count < limit else { return ids }
        ids += try await readRest(from: from, filter: filter, others: rest, offset: skip, limit: limit - ids.count, on: db)
        return ids
    }

    /// The fourth tier from `offset` on. People are read in name order and each checked on their
    /// own document: a word that many have finishes after about a page of people. When a short
    /// stretch does not fill the page, a count of the full-text matches (stopping at a thousand)
    /// tells a rare search, whose few matches are ranked from the index, from one that is merely
    /// less common, which reads a longer stretch (forty people for each one the page needs).
    private func readRest(
        from: SQLQueryString, filter: SQLQueryString, others: SQLQueryString, offset: Int, limit: Int, on db: any Database
    ) async throws -> [UUID] {
        let reach = offset + limit
        if let ids = try await walk(stretch: tuning.shortStretch * reach, from: from, filter: filter, others: others, offset: offset, limit: limit, on: db) { return ids }
        let counted = try await PlainRows.first(SearchIndex.countMatches(text, scope: scope, upTo: tuning.common, on: sql), on: db, prepared: true)?.int("n") ?? 0
        if counted >= tuning.common,
           let ids = try await walk(stretch: tuning.longStretch * reach, from: from, filter: filter, others: others, offset: offset, limit: limit, on: db) { return ids }
        // Driven from the matches, each person looked up by id: left to itself, PostgreSQL walked
        // everyone in name order checking each against the search, or merged the matches with every
        // person in id order.
        let ranked = try await PlainRows.all(SearchIndex.isPostgres(sql) ? """
            SELECT found.id FROM (\(matches)) matched
            CROSS JOIN LATERAL (SELECT users.id, users.search_name FROM \(from) WHERE users.id = matched.person_id AND \(filter) AND \(others) LIMIT 1) found
            ORDER BY found.search_name, found.id LIMIT \(literal: limit) OFFSET \(literal: offset)
            """ : """
            SELECT users.id FROM \(from) WHERE \(filter) AND users.id IN (\(matches)) AND \(others)
            ORDER BY users.search_name, users.id LIMIT \(literal: limit) OFFSET \(literal: offset)
            """, on: db, prepared: true)
        return try ranked.map { try $0.uuid("id") }
    }

    /// The page of the fourth tier among the first `stretch` people in name order (and any who
    /// share the last one's name); nil when they do not fill it and more people may follow.
    private func walk(
        stretch: Int, from: SQLQueryString, filter: SQLQueryString, others: SQLQueryString, offset: Int, limit: Int, on db: any Database
    ) async throws -> [UUID]? {
        let end: SQLQueryString = """
            (SELECT users.search_name FROM \(from) WHERE \(filter) ORDER BY users.search_name, users.id LIMIT 1 OFFSET \(literal: stretch - 1))
            """
        let rows = try await PlainRows.all("""
            SELECT users.id, \(end) AS stretch_end FROM \(from)
            WHERE \(filter) AND users.search_name <= COALESCE(\(end), \(bind: "\u{10FFFF}")) AND \(matchesDocument) AND \(others)
            ORDER BY users.search_name, users.id LIMIT \(literal: limit) OFFSET \(literal: offset)
            """, on: db, prepared: true)
        // Complete when full, or when the stretch reached the last person (no name ends it).
        let reachedLast = try rows.first.map { try $0.optionalString("stretch_end") == nil } ?? false
        guard rows.count == limit || reachedLast else { return nil }
        return try rows.map { try $0.uuid("id") }
    }

    /// How many match, counted up to `limit` (only for a page past the end).
    func count(from: SQLQueryString, filter: SQLQueryString, upTo limit: Int, on db: any Database) async throws -> Int {
        try await PlainRows.first("""
            WITH matched AS MATERIALIZED (\(matches))
            SELECT COUNT(*) AS n FROM (SELECT 1 FROM \(from) WHERE \(filter) AND users.id IN (SELECT matched.person_id FROM matched) LIMIT \(literal: limit)) counted
            """, on: db)?.int("n") ?? 0
    }
}
