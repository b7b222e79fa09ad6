import Fluent
import FluentSQL
import Foundation
import TrellisCore

/// The directory's filter values and the tag counts behind suggestions, kept up to date on write
/// (`M0004_CreateDirectoryCounts`): reading them costs the same for 200 people or 50,000.
enum DirectoryCounts {
    /// What is counted: active people per department, per time zone and per mentoring role, and
    /// (`account`) everyone active (`people`) and those without a password yet (`no-password`).
    enum Facet: String, CaseIterable { case department, timezone, role, account }
    static let everyone = "people"
    static let withoutPassword = "no-password"

    /// Adds `delta` people to a filter value (a value nobody has any more disappears).
    static func adjust(_ facet: Facet, _ value: String, by delta: Int, on sql: any SQLDatabase) async throws {
        guard !value.isEmpty, delta != 0 else { return }
        try await sql.raw("""
            INSERT INTO directory_facets (kind, value, people) VALUES (\(bind: facet.rawValue), \(bind: value), \(bind: delta))
            ON CONFLICT (kind, value) DO UPDATE SET people = directory_facets.people + excluded.people
            """).run()
        if delta < 0 {
            try await sql.raw("DELETE FROM directory_facets WHERE kind = \(bind: facet.rawValue) AND value = \(bind: value) AND people <= 0").run()
        }
    }

    /// Several changes, in the order of the table's key (kind, then value), so that two writers
    /// lock the rows they share in the same order.
    static func adjust(_ changes: [(Facet, String, Int)], on sql: any SQLDatabase) async throws {
        for (facet, value, delta) in changes.sorted(by: { ($0.0.rawValue, $0.1) < ($1.0.rawValue, $1.1) }) {
            try await adjust(facet, value, by: delta, on: sql)
        }
    }

    /// Adds `delta` people to a tag (the first spelling seen is the one suggested).
    static func adjustTag(_ kind: TagKind, key: String, name: String, by delta: Int, on sql: any SQLDatabase) async throws {
        guard !key.isEmpty, delta != 0 else { return }
        try await sql.raw("""
            INSERT INTO tag_counts (kind, key, name, people) VALUES (\(bind: kind.rawValue), \(bind: key), \(bind: name), \(bind: delta))
            ON CONFLICT (kind, key) DO UPDATE SET people = tag_counts.people + excluded.people
            """).run()
        if delta < 0 {
            try await sql.raw("DELETE FROM tag_counts WHERE kind = \(bind: kind.rawValue) AND key = \(bind: key) AND people <= 0").run()
            // When the spelling suggested was the one taken away, another holder's (call after
            // the person's tags are written).
            try await respell("kind = \(bind: kind.rawValue) AND key = \(bind: key) AND name = \(bind: name)", on: sql)
        }
    }

    /// Gives the tag counts matching `condition` the spelling of one of the tag's holders when
    /// nobody holds the shown one any more (after writing tags): found along the tag's holders by
    /// key, the first that holds it as this kind. Whether the shown spelling is still held walks
    /// the holders until one has it, so call it for the few tags a write took a spelling from.
    static func respell(_ condition: SQLQueryString, on sql: any SQLDatabase) async throws {
        let holders: SQLQueryString = """
            FROM people_search_tags st JOIN profile_tags pt ON pt.profile_id = st.person_id AND pt.kind = st.kind AND pt.key = st.key
            WHERE st.key = tag_counts.key AND st.kind = tag_counts.kind
            """
        try await sql.raw("""
            UPDATE tag_counts SET name = COALESCE((SELECT pt.name \(holders) LIMIT 1), name)
            WHERE \(condition) AND NOT EXISTS (SELECT 1 \(holders) AND pt.name = tag_counts.name)
            """).run()
    }

    /// Counts everything again from the profiles (after an import or the demo: work that already
    /// grows with the organisation, never on a page). `tagHolders: false` leaves out the tag
    /// holders (for the migration that ran before they were kept).
    static func rebuild(on sql: any SQLDatabase, tagHolders: Bool = true) async throws {
        // The tally below is a temporary table, which lives on one connection: outside a write
        // transaction (a test), in one of its own.
        if tagHolders, !DatabaseWrites.insideTransaction, let db = sql as? any Database {
            try await DatabaseWrites.transaction(on: db) { tx in try await rebuild(on: tx as! any SQLDatabase) }
            return
        }
        try await rebuildFacets(on: sql)
        try await sql.raw("DELETE FROM tag_counts").run()
        guard tagHolders else {
            try await sql.raw("INSERT INTO tag_counts (kind, key, name, people) SELECT kind, key, MIN(name), COUNT(*) FROM profile_tags GROUP BY kind, key").run()
            return
        }
        try await sql.raw("DELETE FROM tag_holders").run()
        // The tag counts (everyone's tags) and the holders by kind (active people's, with a key)
        // from one grouped pass over every tag, by kind, key, role and whether the person is
        // active: a few thousand rows, where each count was a pass (and a sort, on SQLite) of
        // its own over millions of tags.
        try await sql.raw("DROP TABLE IF EXISTS tag_tally").run()
        try await sql.raw("""
            CREATE TEMPORARY TABLE tag_tally AS
            SELECT pt.kind, pt.key, COALESCE(p.mentoring_role, '') AS role, u.is_active AS active, MIN(pt.name) AS name, COUNT(*) AS people
            FROM profile_tags pt JOIN users u ON u.id = pt.profile_id JOIN profiles p ON p.id = pt.profile_id
            GROUP BY pt.kind, pt.key, COALESCE(p.mentoring_role, ''), u.is_active
            """).run()
        try await sql.raw("INSERT INTO tag_counts (kind, key, name, people) SELECT kind, key, MIN(name), SUM(people) FROM tag_tally GROUP BY kind, key").run()
        try await sql.raw("""
            INSERT INTO tag_holders (kind, key, role, people)
            SELECT kind, key, role, SUM(people) FROM tag_tally WHERE active = \(bind: true) AND key <> '' GROUP BY kind, key, role
            """).run()
        try await sql.raw("DROP TABLE tag_tally").run()
        try await countHolders(activeTags, sign: 1, adding: false, byKind: false, on: sql)
    }

    /// Active people's tags with a key, as `countHolders` reads them.
    private static var activeTags: SQLQueryString {
        """
        FROM profile_tags pt JOIN users u ON u.id = pt.profile_id JOIN profiles p ON p.id = pt.profile_id
        WHERE u.is_active = \(bind: true) AND pt.key <> ''
        """
    }

    /// The department, time zone, role and account counts again (a few grouped reads of the
    /// profiles, however many people an import changed).
    static func rebuildFacets(on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM directory_facets").run()
        // Of active people, as the directory lists them.
        let active: SQLQueryString = "JOIN users u ON u.id = profiles.id AND u.is_active = \(bind: true)"
        for facet in [Facet.department, .timezone] {
            try await sql.raw("""
                INSERT INTO directory_facets (kind, value, people)
                SELECT \(bind: facet.rawValue), profiles.\(ident: facet.rawValue), COUNT(*) FROM profiles \(active)
                WHERE profiles.\(ident: facet.rawValue) <> '' GROUP BY profiles.\(ident: facet.rawValue)
                """).run()
        }
        try await sql.raw("""
            INSERT INTO directory_facets (kind, value, people)
            SELECT \(bind: Facet.role.rawValue), profiles.mentoring_role, COUNT(*) FROM profiles \(active)
            WHERE profiles.mentoring_role IS NOT NULL GROUP BY profiles.mentoring_role
            """).run()
        try await sql.raw("""
            INSERT INTO directory_facets (kind, value, people)
            SELECT \(bind: Facet.account.rawValue), \(bind: everyone), COUNT(*) FROM users WHERE is_active = \(bind: true)
            """).run()
        try await sql.raw("""
            INSERT INTO directory_facets (kind, value, people)
            SELECT \(bind: Facet.account.rawValue), \(bind: withoutPassword), COUNT(*) FROM users WHERE is_active = \(bind: true) AND password_hash IS NULL
            """).run()
    }

    // MARK: An import's tags

    /// Adds to the tag counts (`sign` 1) or takes from them (-1) what the people staged by an
    /// import hold as they stand now: to `tag_counts` the tags of those whose tags the import
    /// rewrites (not `keeps_tags`), to `tag_holders` the holdings of those marked `recounts`
    /// (tags rewritten, or role changed). Taken away before the import writes them and added
    /// after, so that a file that changes few people's tags (or none: a new department for
    /// everyone) costs little; a file that rewrites much of the organisation counts everything
    /// again instead (`PeopleImport`). A tag whose holders all went in the first pass takes the
    /// spelling of its new holders in the second (as a count that reached nobody would be deleted
    /// and added again), not the one nobody holds any more.
    ///
    /// Taking away (`sign` -1) returns the tags whose shown spelling one of these people holds:
    /// after the import, give them to `respell(staged:)`, as the import may take that spelling
    /// from them while others keep the tag in another.
    @discardableResult
    static func countStaged(jobID: UUID, sign: Int, on sql: any SQLDatabase) async throws -> [(kind: String, key: String)] {
        var shown: [(kind: String, key: String)] = []
        if sign < 0 {
            shown = try await sql.raw("""
                SELECT DISTINCT tc.kind, tc.key FROM import_people ip JOIN profile_tags pt ON pt.profile_id = ip.user_id
                    JOIN tag_counts tc ON tc.kind = pt.kind AND tc.key = pt.key AND tc.name = pt.name
                WHERE ip.job_id = \(bind: jobID) AND ip.keeps_tags = \(bind: false)
                """).all().map { (try $0.decode(column: "kind", as: String.self), try $0.decode(column: "key", as: String.self)) }
        }
        let people: SQLQueryString = sign < 0 ? "-COUNT(*)" : "COUNT(*)"
        // `WHERE` before `ON CONFLICT`, as SQLite's upsert after a SELECT requires.
        try await sql.raw("""
            INSERT INTO tag_counts (kind, key, name, people)
            SELECT pt.kind, pt.key, MIN(pt.name), \(people)
            FROM import_people ip JOIN profile_tags pt ON pt.profile_id = ip.user_id
            WHERE ip.job_id = \(bind: jobID) AND ip.keeps_tags = \(bind: false)
            GROUP BY pt.kind, pt.key
            ON CONFLICT (kind, key) DO UPDATE SET people = tag_counts.people + excluded.people,
                name = CASE WHEN tag_counts.people <= 0 THEN excluded.name ELSE tag_counts.name END
            """).run()
        try await countHolders("""
            FROM import_people ip JOIN users u ON u.id = ip.user_id JOIN profiles p ON p.id = ip.user_id
                JOIN profile_tags pt ON pt.profile_id = ip.user_id
            WHERE ip.job_id = \(bind: jobID) AND ip.recounts = \(bind: true) AND u.is_active = \(bind: true) AND pt.key <> ''
            """, sign: sign, adding: true, on: sql)
        if sign > 0 {
            try await sql.raw("DELETE FROM tag_counts WHERE people <= 0").run()
            try await sql.raw("DELETE FROM tag_holders WHERE people <= 0").run()
        }
        return shown
    }

    /// `respell` for the tags `countStaged(sign: -1)` returned, 200 a statement.
    static func respell(staged tags: [(kind: String, key: String)], on sql: any SQLDatabase) async throws {
        for chunk in tags.chunked(into: 200) {
            let pairs: [SQLQueryString] = chunk.map { "(kind = \(bind: $0.kind) AND key = \(bind: $0.key))" }
            try await respell("(\(pairs.joined(separator: " OR ")))", on: sql)
        }
    }

    // MARK: Tag holders

    /// One count of `tag_holders` (`M0014_KeepTagHolders`): the active people who hold the tag
    /// `key` as a tag of `kind` (or, with `anyKind`, of any kind, each person once) and whose
    /// mentoring role is `role` ("" for none). So the directory's total for "mentors of Swift" is
    /// a sum over the two roles that mentor, read from a few rows, however many hold the tag.
    ///
    /// Kept by `PeopleStore.save` (the only write of one person's tags or role) and counted
    /// again after an import or the demo (`rebuild`). Nothing yet deactivates or deletes a
    /// person; whatever does must take their holdings away (`holdings`, `adjust`).
    struct TagHolding: Hashable, Sendable {
        var kind: String
        var key: String
        var role: String
    }

    static let anyKind = "*"

    /// What a person with these tags (kind and key) and this role adds to the counts.
    static func holdings(tags: [(kind: String, key: String)], role: String) -> Set<TagHolding> {
        var holdings = Set<TagHolding>()
        for tag in tags where !tag.key.isEmpty {
            holdings.insert(TagHolding(kind: tag.kind, key: tag.key, role: role))
            holdings.insert(TagHolding(kind: anyKind, key: tag.key, role: role))
        }
        return holdings
    }

    /// Takes `old` away from the counts and adds `new` (what is in both is left alone), in one
    /// statement and one more for counts that reach nobody.
    static func adjust(holdings old: Set<TagHolding>, to new: Set<TagHolding>, on sql: any SQLDatabase) async throws {
        // In the order of the table's key, so that two writers lock the rows they share in the
        // same order (PostgreSQL locks an upsert's rows in the order of its values).
        let changes = (old.subtracting(new).map { ($0, -1) } + new.subtracting(old).map { ($0, 1) })
            .sorted { ($0.0.key, $0.0.kind, $0.0.role) < ($1.0.key, $1.0.kind, $1.0.role) }
        guard !changes.isEmpty else { return }
        // At most 150 tags of a person, twice each: far below either database's parameter limit.
        let insert = sql.insert(into: "tag_holders").columns("kind", "key", "role", "people")
        for (holding, delta) in changes {
            insert.values(SQLBind(holding.kind), SQLBind(holding.key), SQLBind(holding.role), SQLBind(delta))
        }
        try await sql.raw("""
            \(insert.query) ON CONFLICT (key, kind, role) DO UPDATE SET people = tag_holders.people + excluded.people
            """).run()
        let emptied = Set(old.subtracting(new).map(\.key))
        if !emptied.isEmpty {
            try await sql.raw("""
                DELETE FROM tag_holders WHERE key IN (\(binds: Array(emptied) as [any Encodable & Sendable])) AND people <= 0
                """).run()
        }
    }

    /// Counts the tag holders again from the tags, in two set-based statements.
    static func rebuildTagHolders(on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM tag_holders").run()
        try await countHolders(activeTags, sign: 1, adding: false, on: sql)
    }

    /// Counts into `tag_holders` (`sign` times) the holdings that `holders` reads: `FROM … WHERE …`
    /// over active people's tags, with `profile_tags` as `pt` and `profiles` as `p`. By kind, then
    /// of any kind (each person once; only these when not `byKind`). `adding`: onto the counts
    /// there, rather than into an empty table.
    private static func countHolders(_ holders: SQLQueryString, sign: Int, adding: Bool, byKind: Bool = true, on sql: any SQLDatabase) async throws {
        let minus: SQLQueryString = sign < 0 ? "-" : ""
        let onto: SQLQueryString = adding ? "ON CONFLICT (key, kind, role) DO UPDATE SET people = tag_holders.people + excluded.people" : ""
        let role: SQLQueryString = "COALESCE(p.mentoring_role, '')"
        if byKind {
            try await sql.raw("""
                INSERT INTO tag_holders (kind, key, role, people)
                SELECT pt.kind, pt.key, \(role), \(minus)COUNT(*) \(holders) GROUP BY pt.kind, pt.key, \(role) \(onto)
                """).run()
        }
        try await sql.raw("""
            INSERT INTO tag_holders (kind, key, role, people)
            SELECT \(bind: anyKind), pt.key, \(role), \(minus)COUNT(DISTINCT pt.profile_id) \(holders) GROUP BY pt.key, \(role) \(onto)
            """).run()
    }

    /// How many active people the directory lists for a tag (its key) and optionally a role: the
    /// holders of the tag among the kinds a role's directory looks at (`Directory.tagKinds`),
    /// whose role is listed under it.
    static func tagHolders(key: String, role: MentoringRole?, on db: any Database) async throws -> Int {
        let kinds = Directory.tagKinds(for: role)
        let kind = kinds.count == 1 ? kinds[0].rawValue : anyKind
        var condition: SQLQueryString = "kind = \(bind: kind) AND key = \(bind: key)"
        if let role { condition += " AND role IN (\(binds: role.listed.map(\.rawValue) as [any Encodable & Sendable]))" }
        return try await PlainRows.first(
            "SELECT CAST(COALESCE(SUM(people), 0) AS BIGINT) AS n FROM tag_holders WHERE \(condition)", on: db, prepared: true)?.int("n") ?? 0
    }

    /// The sum of some kept counts, in one read of as many rows.
    static func sum(_ values: [(Facet, String)], on db: any Database) async throws -> Int {
        guard !values.isEmpty else { return 0 }
        // Cast: PostgreSQL sums a bigint column as numeric.
        let pairs: [SQLQueryString] = values.map { "(kind = \(bind: $0.0.rawValue) AND value = \(bind: $0.1))" }
        return try await PlainRows.first(
            "SELECT CAST(COALESCE(SUM(people), 0) AS BIGINT) AS n FROM directory_facets WHERE \(pairs.joined(separator: " OR "))", on: db, prepared: true)?.int("n") ?? 0
    }

    /// Every kept count of some facets, in one read (a value nobody has reads as absent).
    static func counts(_ facets: [Facet], on db: any Database) async throws -> [Facet: [String: Int]] {
        var result: [Facet: [String: Int]] = [:]
        for row in try await PlainRows.all("""
            SELECT kind, value, people FROM directory_facets WHERE kind IN (\(binds: facets.map(\.rawValue) as [any Encodable & Sendable]))
            """, on: db) {
            guard let facet = Facet(rawValue: try row.string("kind")) else { continue }
            result[facet, default: [:]][try row.string("value")] = try row.int("people")
        }
        return result
    }

    /// Every kept count in one read: the departments and time zones in use (for the filter menus)
    /// and the counts that spare the directory a count of its own.
    struct Snapshot: Sendable {
        var departments: [String] = []
        var timezones: [String] = []
        var counts: [Facet: [String: Int]] = [:]

        func count(_ facet: Facet, _ value: String) -> Int { counts[facet]?[value] ?? 0 }
    }

    static func snapshot(on db: any Database) async throws -> Snapshot {
        var snapshot = Snapshot()
        for row in try await PlainRows.all("SELECT kind, value, people FROM directory_facets ORDER BY kind, value", on: db) {
            guard let facet = Facet(rawValue: try row.string("kind")) else { continue }
            let value = try row.string("value")
            snapshot.counts[facet, default: [:]][value] = try row.int("people")
            switch facet {
            case .department: snapshot.departments.append(value)
            case .timezone: snapshot.timezones.append(value)
            case .role, .account: break
            }
        }
        return snapshot
    }

    /// The most used tags of every kind, in one read (the profile form's suggestions).
    static func popular(limit: Int, on db: any Database) async throws -> [TagKind: [String]] {
        let parts: [SQLQueryString] = TagKind.allCases.map { kind in
            "SELECT * FROM (SELECT kind, name, people, key FROM tag_counts WHERE kind = \(bind: kind.rawValue) ORDER BY people DESC, key LIMIT \(literal: limit)) AS \(ident: "popular_" + kind.rawValue)"
        }
        var found: [TagKind: [(people: Int, key: String, name: String)]] = [:]
        for row in try await PlainRows.all(parts.joined(separator: " UNION ALL "), on: db) {
            guard let kind = TagKind(rawValue: try row.string("kind")) else { continue }
            found[kind, default: []].append((try row.int("people"), try row.string("key"), try row.string("name")))
        }
        // A union keeps no order of its own: most used first, then by key, as one query would.
        return found.mapValues { tags in tags.sorted { ($1.people, $0.key) < ($0.people, $1.key) }.map(\.name) }
    }

    /// Tags in use of one kind, most used first, optionally only those starting with `prefix`.
    static func suggestions(kind: TagKind, prefix: String, limit: Int, on db: any Database) async throws -> [(name: String, count: Int)] {
        let key = Tags.key(prefix)
        let rows: [PlainRow]
        if key.isEmpty {
            rows = try await PlainRows.all("""
                SELECT name, people FROM tag_counts WHERE kind = \(bind: kind.rawValue) ORDER BY people DESC, key LIMIT \(literal: limit)
                """, on: db)
        } else {
            // A range on the key (the primary key's order) rather than LIKE, which SQLite would not
            // answer from the index.
            rows = try await PlainRows.all("""
                SELECT name, people FROM tag_counts WHERE kind = \(bind: kind.rawValue) AND key >= \(bind: key) AND key < \(bind: key + "\u{10FFFF}")
                ORDER BY people DESC, key LIMIT \(literal: limit)
                """, on: db)
        }
        return try rows.map { (try $0.string("name"), try $0.int("people")) }
    }
}
