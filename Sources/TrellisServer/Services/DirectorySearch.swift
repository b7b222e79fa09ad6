import Fluent
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import TrellisCore

/// A text search of the directory, read a page at a time in order of relevance without ranking
/// every match.
///
/// Who matches: everyone with every word at the start of a word of their name or of a tag of the
/// kinds the search looks at (`SearchIndex`). The order, most relevant first, in four tiers, each
/// in name order:
/// 1. people whose name starts with the search (the name itself first, as it sorts first);
/// 2. other people whose name has every word (such as a family name);
/// 3. people with a tag that is exactly the search;
/// 4. everyone else who matches.
///
/// The tiers are read in that order and only as far as the page needs: the first along the name
/// index, the third along `people_search_tags` (keys beside names). The second and the fourth
/// are read by walking people in name order and checking each one's stored name or document, or,
/// for a rare search, by ranking its few full-text matches (`readNames`, `readRest`). So the
/// first page of a search that a tenth of the organisation matches reads a page of people, not
/// the tenth. A search lists at most
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
    /// Whether a department, time zone or tag filters the search as well: its first tier is then
    /// planned for each search (see `tiers`).
    var filtered = true
    let scope: SearchIndex.Scope
    let kinds: [any Encodable & Sendable]
    /// Whether a name starting with the text must be checked for the search's words too (see
    /// `startsWith`).
    let checksNames: Bool
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
        checksNames = SearchIndex.words(text) != SearchIndex.words(nameText)
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
    ///
    /// When the search's words are not those of its text without signs (`checksNames`: "C++" is
    /// the word "cplusplus", but its text without signs is "c"), the name must also have the
    /// words, or everyone whose name starts with c would be listed for C++.
    private var startsWith: SQLQueryString {
        let words: SQLQueryString = checksNames ? " AND users.id IN (\(names))" : ""
        return """
        (users.search_name >= \(bind: nameText) AND users.search_name < \(bind: nameText + "\u{10FFFF}")
            AND users.search_name LIKE \(bind: Directory.likeEscaped(nameText) + "%") ESCAPE '\\'\(words))
        """
    }

    /// The first three tiers, each a query for its ids in order (`LIMIT`/`OFFSET` to append) and
    /// one counting it; and the condition that keeps the fourth to those not in them. `from` joins
    /// `users` (and `profiles` if `filter` needs it); `filter` is the other conditions.
    ///
    /// `prepared`: whether PostgreSQL may keep the tier's page statement with one plan for every
    /// search (`PlainRows`). The third is written so that every plan reads it the same way. The
    /// first is kept when nothing but the text and a role filters it: PostgreSQL's plan for every
    /// search then reads the name index's range for the words in order, checking the role, which
    /// is the plan made for each search too, even for one letter (planning it afresh cost about
    /// 0.2 ms a search; kept, searches served 4-18 % more a second side by side). With a
    /// department, time zone or tag as well, the best plan depends on both (a short prefix and a
    /// rare department: along the department), and a plan made for every search estimates a bound
    /// range as one row, so it is planned for each search. The second's ranking of every
    /// match (`readNames`' last resort) is planned for each search, as its best plan differs with
    /// the words. The second tier's usual statements (`rankFew`, `walk`) are kept: they are driven
    /// from at most 1,001 matches or a stretch.
    private func tiers(from: SQLQueryString, filter: SQLQueryString) -> (indexed: [(page: SQLQueryString, count: SQLQueryString, prepared: Bool)], rest: SQLQueryString) {
        // 1. Along the name index, from the text to the last name that can start with it.
        let first: SQLQueryString = "FROM \(from) WHERE \(filter) AND \(startsWith)"
        // 2. The names' own index (its page is read by `readNames`).
        let second: SQLQueryString = "FROM \(from) WHERE \(filter) AND users.id IN (\(names)) AND NOT (\(startsWith))"
        // 3. Along the tags' keys in name order (`SearchIndex.tagHolders`).
        let third = SearchIndex.tagHolders(
            key: text, kinds: kinds, from: from, filter: "\(filter) AND NOT (\(startsWith)) AND users.id NOT IN (\(names))", on: sql)
        // 4. The rest: not in the tiers before. The third tier's holders are left out through
        // `profile_tags`' index by person, kind and key (the same keys as `people_search_tags`'),
        // one entry a person read.
        let rest: SQLQueryString = """
            NOT (\(startsWith)) AND users.id NOT IN (\(names))
                AND NOT EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = users.id AND t.kind IN (\(binds: kinds)) AND t.key = \(bind: text))
            """
        return ([
            ("SELECT users.id \(first) ORDER BY users.search_name, users.id", "SELECT COUNT(*) AS n \(first)", !filtered),
            ("SELECT users.id \(second) ORDER BY users.search_name, users.id", "SELECT COUNT(*) AS n \(second)", false),
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
        for (position, tier) in indexed.enumerated() where ids.count < limit {
            let found = position == 1
                ? try await readNames(from: from, filter: filter, page: tier.page, offset: skip, limit: limit - ids.count, on: db)
                : try await PlainRows.all("\(tier.page) LIMIT \(literal: limit - ids.count) OFFSET \(literal: skip)", on: db, prepared: tier.prepared)
                    .map { try $0.uuid("id") }
            if found.isEmpty {
                // The whole tier lies before the page (or it is empty): skip past it.
                if skip > 0 { skip = max(0, skip - (try await PlainRows.first(tier.count, on: db)?.int("n") ?? 0)) }
            } else {
                skip = 0
                ids += found
            }
        }
        guard ids.count < limit else { return ids }
        ids += try await readRest(from: from, filter: filter, others: rest, offset: skip, limit: limit - ids.count, on: db)
        return ids
    }

    /// The second tier (`page`, in name order) from `offset` on. One statement ranks the names
    /// index's matches, at most `tuning.common` + 1 of them, and counts them: when they are no
    /// more than `tuning.common`, that is the whole tier. A word more names have (a family name
    /// everyone shares) is read instead as the fourth tier is, by walking people in name order and
    /// checking each one's stored name, so that a page reads about a page of people rather than
    /// sorting every match (270 ms a page at 50,000 people sharing one).
    ///
    /// The index is not always cheap to ask: a word at the start of 50,000 different names
    /// ("person" in Person1, Person2 …) took 3.3 ms to find its first match on SQLite. So words
    /// found common lately (`SearchHints`) are walked first, and asked of the index only when the
    /// walk does not fill the page. The hint only orders two exact ways of reading the same page.
    private func readNames(
        from: SQLQueryString, filter: SQLQueryString, page: SQLQueryString, offset: Int, limit: Int, on db: any Database
    ) async throws -> [UUID] {
        guard let nameMatches = SearchIndex.documentMatches(text, scope: .name, on: sql) else { return [] }
        let condition: SQLQueryString = "\(nameMatches) AND NOT (\(startsWith))"
        let reach = offset + limit
        let hint = "common names \(tuning.common): \(SearchIndex.words(text).joined(separator: " "))"
        let walkedFirst = SearchHints.shared.contains(hint)
        if walkedFirst, let ids = try await walk(stretch: tuning.shortStretch * reach, from: from, filter: filter, condition: condition, offset: offset, limit: limit, on: db) {
            return ids
        }
        let (counted, ranked) = try await rankFew(.name, outside: "NOT (\(startsWith))", from: from, filter: filter, offset: offset, limit: limit, on: db)
        guard counted > tuning.common else {
            SearchHints.shared.forget(hint)
            return ranked
        }
        SearchHints.shared.remember(hint)
        for stretch in walkedFirst ? [tuning.longStretch] : [tuning.shortStretch, tuning.longStretch] {
            if let ids = try await walk(stretch: stretch * reach, from: from, filter: filter, condition: condition, offset: offset, limit: limit, on: db) {
                return ids
            }
        }
        // Common, but too sparse among the names around them for a walk: every match ranked.
        return try await PlainRows.all("\(page) LIMIT \(literal: limit) OFFSET \(literal: offset)", on: db).map { try $0.uuid("id") }
    }

    /// The fourth tier from `offset` on. People are read in name order and each checked on their
    /// own document: a word that many have finishes after about a page of people. When a short
    /// stretch does not fill the page, the full-text matches, at most `tuning.common` + 1, are
    /// ranked and counted in one statement: a rare search's page is then complete, and one that
    /// is merely less common reads a longer stretch (forty people for each one the page needs).
    /// A search found rare lately (`SearchHints`) is ranked at once, without the walk.
    private func readRest(
        from: SQLQueryString, filter: SQLQueryString, others: SQLQueryString, offset: Int, limit: Int, on db: any Database
    ) async throws -> [UUID] {
        let reach = offset + limit
        let condition: SQLQueryString = "\(matchesDocument) AND \(others)"
        let hint = "rare \(scope) \(tuning.common): \(SearchIndex.words(text).joined(separator: " "))"
        if !SearchHints.shared.contains(hint),
           let ids = try await walk(stretch: tuning.shortStretch * reach, from: from, filter: filter, condition: condition, offset: offset, limit: limit, on: db) {
            return ids
        }
        let few = try await rankFew(scope, outside: others, from: from, filter: filter, offset: offset, limit: limit, on: db)
        guard few.counted > tuning.common else {
            SearchHints.shared.remember(hint)
            return few.ids
        }
        SearchHints.shared.forget(hint)
        if let ids = try await walk(stretch: tuning.longStretch * reach, from: from, filter: filter, condition: condition, offset: offset, limit: limit, on: db) {
            return ids
        }
        // Common, but too sparse for a walk: every match ranked, driven from the matches, each
        // person looked up by id (left to itself, PostgreSQL walked everyone in name order
        // checking each against the search, or merged the matches with every person in id order).
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

    /// The full-text matches in `scope`, at most `tuning.common` + 1 of them, counted, and the page
    /// of those among them who pass `filter` and `outside`, in name order (exact when the count is
    /// no more than `tuning.common`). One statement, driven from the matches, each person looked
    /// up by id; the count comes also when the page is empty.
    private func rankFew(
        _ scope: SearchIndex.Scope, outside: SQLQueryString, from: SQLQueryString, filter: SQLQueryString, offset: Int, limit: Int, on db: any Database
    ) async throws -> (counted: Int, ids: [UUID]) {
        let matches = SearchIndex.matchingIDs(text, scope: scope, upTo: tuning.common + 1, on: sql)
        let ranked: SQLQueryString = SearchIndex.isPostgres(sql) ? """
            SELECT found.id, found.search_name FROM matched
            CROSS JOIN LATERAL (SELECT users.id, users.search_name FROM \(from) WHERE users.id = matched.person_id AND \(filter) AND \(outside) LIMIT 1) found
            ORDER BY found.search_name, found.id LIMIT \(literal: limit) OFFSET \(literal: offset)
            """ : """
            SELECT users.id, users.search_name FROM matched CROSS JOIN \(from) WHERE users.id = matched.person_id AND \(filter) AND \(outside)
            ORDER BY users.search_name, users.id LIMIT \(literal: limit) OFFSET \(literal: offset)
            """
        let rows = try await PlainRows.all("""
            WITH matched AS MATERIALIZED (\(matches))
            SELECT counted.n, page.id FROM (SELECT COUNT(*) AS n FROM matched) counted LEFT JOIN (\(ranked)) page ON 1 = 1
            ORDER BY page.search_name, page.id
            """, on: db, prepared: true)
        return (try rows.first?.int("n") ?? 0, try rows.compactMap { try $0.optionalUUID("id") })
    }

    /// The page of those who meet `condition` (on `users.id` and `users.search_name`, checked
    /// person by person) among the first `stretch` people in name order; nil when they do not fill
    /// it and more people follow. The stretch is read first and only its people are checked: with
    /// the check beside the filter, SQLite checked each person's document before the profile that
    /// the filter might exclude (a walk of 84 mentors read 420 documents, 0.8 ms instead of 0.2).
    /// The stretch is a subquery in name order, so the page stops at its last person: read from
    /// a materialised stretch, whose order PostgreSQL does not know, every person of the stretch
    /// was checked and sorted (four times the work for a word everyone has). Whether the stretch
    /// reached the last person is asked only when the page is not full.
    private func walk(
        stretch: Int, from: SQLQueryString, filter: SQLQueryString, condition: SQLQueryString, offset: Int, limit: Int, on db: any Database
    ) async throws -> [UUID]? {
        let people: SQLQueryString = "SELECT users.id, users.search_name FROM \(from) WHERE \(filter) ORDER BY users.search_name, users.id LIMIT \(literal: stretch)"
        // The stretch is named `users` in the page, so `condition` reads its columns.
        let ids = try await PlainRows.all("""
            SELECT users.id FROM (\(people)) users WHERE \(condition)
            ORDER BY users.search_name, users.id LIMIT \(literal: limit) OFFSET \(literal: offset)
            """, on: db, prepared: true).map { try $0.uuid("id") }
        guard ids.count < limit else { return ids }
        // Complete when the stretch reached the last person.
        let read = try await PlainRows.first("SELECT COUNT(*) AS n FROM (\(people)) stretch", on: db, prepared: true)?.int("n") ?? 0
        return read < stretch ? ids : nil
    }

    /// How many match, counted up to `limit` (only for a page past the end).
    func count(from: SQLQueryString, filter: SQLQueryString, upTo limit: Int, on db: any Database) async throws -> Int {
        try await PlainRows.first("""
            WITH matched AS MATERIALIZED (\(matches))
            SELECT COUNT(*) AS n FROM (SELECT 1 FROM \(from) WHERE \(filter) AND users.id IN (SELECT matched.person_id FROM matched) LIMIT \(literal: limit)) counted
            """, on: db)?.int("n") ?? 0
    }
}

/// What searches were found to be lately (a word more names have than
/// `DirectorySearch.Tuning.common`; a search with fewer matches than that), for ten minutes, in
/// this process: a hint of which way to read a tier first (`DirectorySearch.readNames`,
/// `readRest`), never a result: either way reads the same page exactly. At most a thousand kept.
final class SearchHints: Sendable {
    static let shared = SearchHints()
    static let lifetime: Duration = .seconds(600)
    static let maximumEntries = 1_000

    private let seen = NIOLockedValueBox<[String: ContinuousClock.Instant]>([:])

    func contains(_ words: String) -> Bool {
        seen.withLockedValue { $0[words].map { ContinuousClock.now - $0 < Self.lifetime } ?? false }
    }

    func remember(_ words: String) {
        seen.withLockedValue { seen in
            if seen.count >= Self.maximumEntries, seen[words] == nil { seen.removeAll(keepingCapacity: true) }
            seen[words] = .now
        }
    }

    /// Forgets everything (tests that compare every path start from no hints).
    func forgetAll() {
        seen.withLockedValue { $0.removeAll() }
    }

    func forget(_ words: String) {
        _ = seen.withLockedValue { $0.removeValue(forKey: words) }
    }
}
