import Fluent
import FluentSQL
import Foundation
import TrellisCore
import Vapor

/// The directory: who is here, searchable by name and tag, filtered by department, mentoring
/// role and time zone, a page at a time. Web and API share it.
struct DirectoryQuery: Content, Sendable {
    var q: String?
    var department: String?
    var role: String?
    var timezone: String?
    var tag: String?
    /// Kept as text so that any value can be answered in words (the API) or clamped (the web).
    var page: String?
    var per: String?
    /// The page after, or before, a person: the id of the last (or first) person of the page seen.
    /// Read along the name index from that person, however deep the page (an offset walks past
    /// every earlier person). Only in name order, so a text search ignores them; `page` then only
    /// labels the page.
    var after: String?
    var before: String?
    /// The name the person in `after` or `before` had when the page was read (the web's links carry
    /// it, so that renaming them meanwhile does not move the page); without it, their current name.
    var at: String?

    static let maximumPage = 100_000
    static let maximumPageSize = 100
    static let defaultPageSize = 24
    /// The longest search (longer than any name or tag; the web uses the first this many
    /// characters and says so, the API refuses more).
    static let maximumSearchLength = 200
    /// The most people a search lists: its pages end there, so that no page of a search reads
    /// further than this into its matches (narrow the search to see others).
    static let maximumSearchResults = 1_000

    /// The search as used: at most `maximumSearchLength` characters.
    var searchText: String { q.map { Tags.key($0.scalarPrefix(Self.maximumSearchLength)) } ?? "" }
    /// Whether the search was longer than what is used.
    var searchShortened: Bool { (q?.unicodeScalars.count ?? 0) > Self.maximumSearchLength }

    /// The page asked for, within 1...maximumPage: a number too large to read is the largest
    /// (so the web shows the last page), anything else unreadable is page 1.
    var pageNumber: Int { Self.clamped(page, to: 1...Self.maximumPage, otherwise: 1) }
    var pageSize: Int { Self.clamped(per, to: 1...Self.maximumPageSize, otherwise: Self.defaultPageSize) }

    /// A whole number from text, brought within `range`; digits beyond what an `Int` holds count
    /// as the nearest end of the range; text that is not a number gives `otherwise`.
    static func clamped(_ text: String?, to range: ClosedRange<Int>, otherwise: Int) -> Int {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return otherwise }
        if let number = Int(text) { return min(max(number, range.lowerBound), range.upperBound) }
        let negative = text.hasPrefix("-")
        let digits = negative || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return otherwise }
        return negative ? range.lowerBound : range.upperBound
    }

    /// Problems with the paging parameters, for the API (the web clamps instead).
    func pagingErrors() -> ValidationErrors {
        var errors = ValidationErrors()
        if let page, Int(page).map({ (1...Self.maximumPage).contains($0) }) != true {
            errors.add("page", "Must be a whole number from 1 to \(Self.maximumPage) (got “\(page.quoted(40))”).")
        }
        if let per, Int(per).map({ (1...Self.maximumPageSize).contains($0) }) != true {
            errors.add("per", "Must be a whole number from 1 to \(Self.maximumPageSize) (got “\(per.quoted(40))”).")
        }
        for (name, value) in [("after", after), ("before", before)] {
            guard let value else { continue }
            if UUID(uuidString: value) == nil {
                errors.add(name, "Must be the id of a person (got “\(value.quoted(40))”).")
            } else if !Tags.key(q ?? "").isEmpty {
                errors.add(name, "Cannot be combined with q: search results come in order of relevance, so use page.")
            }
        }
        if after != nil, before != nil { errors.add("before", "Give after or before, not both.") }
        if let q, q.unicodeScalars.count > Self.maximumSearchLength {
            errors.add("q", "Must be at most \(Self.maximumSearchLength) characters (got \(q.unicodeScalars.count)).")
        }
        return errors
    }
}

/// One person on a directory card (the API sends it as `PersonSummaryDTO`).
struct PersonSummary: Sendable, Equatable {
    var id: UUID
    var name: String
    var headline: String
    var department: String
    var timezone: String
    var location: String
    var mentoringRole: String?
    var expertise: [String]
    var developmentAreas: [String]
    var interests: [String]
}

/// One page of the directory (the API sends it as `DirectoryPageDTO`).
struct DirectoryPage: Sendable {
    var items: [PersonSummary]
    var page: Int
    var per: Int
    /// How many people there are in all; nil for a text search whose matches go on past this
    /// page (they are read in order of relevance a page at a time, not counted).
    var total: Int?
    var pageCount: Int? { total.map { max(1, ($0 + per - 1) / per) } }

    /// Whether anyone comes before this page, or after it (what Previous and Next depend on), and
    /// the names the first and last people were read at (for the links).
    var hasPrevious = false
    var hasNext = false
    var firstName: String?
    var lastName: String?
    /// A search matched more people than it lists (`DirectoryQuery.maximumSearchResults`).
    var moreThanListed = false
}

enum Directory {
    /// Which tags a search looks at: someone looking for a mentor wants people who can teach the
    /// skill (their expertise), someone looking for a mentee wants people who want to learn it.
    static func tagKinds(for role: MentoringRole?) -> [TagKind] {
        switch role {
        case .mentor: [.expertise]
        case .mentee: [.development]
        case .both, nil: TagKind.allCases
        }
    }

    /// `text` for a LIKE pattern, with LIKE's own wildcards taken literally.
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// One page of the directory. Plain SQL throughout: the page's ids through the indexes, then
    /// the page's people and their tags (Fluent's reflective model decoding cost more than the
    /// queries on this, the busiest page).
    ///
    /// `counts`, when the caller read them already (the web page does, for its filter menus),
    /// spare a read; `tagsShown` limits the tags read to those a card shows (the first few
    /// expertise and development areas); nil reads every tag a summary has (the API).
    /// A query's filters (department, time zone, role, tag; not the text) as SQL over `users`
    /// (joined to `profiles` when a filter needs it), each cleaned once, so that a page, its total
    /// and a program's "enrol everyone who matches" agree on who matches. Active accounts only.
    struct Filters {
        var role: MentoringRole?
        var department: String
        var timezone: String
        var tag: String
        var from: SQLQueryString
        /// Every filter but the tag: a page of a tag alone (and a role) is read from the tag's
        /// holders in name order (`tagHolders`) and checked person by person against it.
        var conditionButTag: SQLQueryString
        var condition: SQLQueryString

        init(_ query: DirectoryQuery) {
            role = query.role.flatMap { try? ProfileRules.choice($0, as: MentoringRole.self).get() }
            department = query.department.map(TextInput.line) ?? ""
            timezone = query.timezone.map(TextInput.line) ?? ""
            tag = query.tag.map(Tags.key) ?? ""
            var conditions: [SQLQueryString] = ["users.is_active = \(bind: true)"]
            if !department.isEmpty { conditions.append("profiles.department = \(bind: department)") }
            if !timezone.isEmpty { conditions.append("profiles.timezone = \(bind: timezone)") }
            if let role {
                // Someone who does both appears under mentors and under mentees.
                conditions.append("profiles.mentoring_role IN (\(binds: role.listed.map(\.rawValue) as [any Encodable & Sendable]))")
            }
            let needsProfiles = !department.isEmpty || !timezone.isEmpty || role != nil
            from = needsProfiles ? "users JOIN profiles ON profiles.id = users.id" : "users"
            conditionButTag = conditions.joined(separator: " AND ")
            if !tag.isEmpty {
                // The tag's holders along `people_search_tags`' key (the key first).
                let kinds = Directory.tagKinds(for: role).map(\.rawValue) as [any Encodable & Sendable]
                conditions.append("users.id IN (SELECT pst.person_id FROM people_search_tags pst WHERE pst.key = \(bind: tag) AND pst.kind IN (\(binds: kinds)))")
            }
            condition = conditions.joined(separator: " AND ")
        }

        /// Whether any filter is set (everyone otherwise).
        var isEmpty: Bool { role == nil && department.isEmpty && timezone.isEmpty && tag.isEmpty }
    }

    static func search(
        _ query: DirectoryQuery, counts: DirectoryCounts.Snapshot? = nil, tagsShown: Int? = nil,
        tuning: DirectorySearch.Tuning = DirectorySearch.Tuning(), on db: any Database
    ) async throws -> DirectoryPage {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "The directory needs an SQL database.") }
        let filters = Filters(query)
        let (role, department, timezone, tag) = (filters.role, filters.department, filters.timezone, filters.tag)
        let kinds = tagKinds(for: role).map(\.rawValue) as [any Encodable & Sendable]
        let text = query.searchText
        let (from, filterButTag, filter) = (filters.from, filters.conditionButTag, filters.condition)
        let pageSize = query.pageSize
        let columns: SQLQueryString = "\(unsafeRaw: cardColumns.joined(separator: ", "))"
        if !text.isEmpty {
            return try await searchText(
                text, role: role, kinds: tagKinds(for: role), query: query, from: from, filter: filter, filtered: !department.isEmpty || !timezone.isEmpty || !tag.isEmpty, tagsShown: tagsShown,
                tuning: tuning, on: db, sql: sql)
        }
        // The total: a kept count when the page is everyone, or everyone with one department,
        // time zone or role; counted otherwise (the filtered set, through its index).
        let activeFilters = [!department.isEmpty, !timezone.isEmpty, role != nil, !tag.isEmpty].filter { $0 }.count
        // Which kept counts make the total (none: it is counted with the page).
        let keptValues: [(DirectoryCounts.Facet, String)]? = if activeFilters == 0 {
            [(.account, DirectoryCounts.everyone)]
        } else if activeFilters == 1, !department.isEmpty {
            [(.department, department)]
        } else if activeFilters == 1, !timezone.isEmpty {
            [(.timezone, timezone)]
        } else if activeFilters == 1, let role {
            role.listed.map { (.role, $0.rawValue) }
        } else {
            nil
        }
        // A tag alone, or with a role: its kept count of holders, and its pages read along them.
        let byTagHolders = !tag.isEmpty && department.isEmpty && timezone.isEmpty
        let keptTotal: Int? = if let keptValues {
            if let counts { keptValues.reduce(0) { $0 + counts.count($1.0, $1.1) } } else { try await DirectoryCounts.sum(keptValues, on: db) }
        } else if byTagHolders {
            try await DirectoryCounts.tagHolders(key: tag, role: role, on: db)
        } else {
            nil
        }
        /// One page's ids and people; with `counting`, each row also carries the number of matches
        /// (counted in the same pass that orders them, rather than by a second query).
        /// A far page's rows come with their tags (`peopleWithTags`); a near page's without.
        func read(page: Int, counting: Bool) async throws -> (ids: [UUID], rows: [PlainRow], tags: [UUID: [TagKind: [String]]]?, total: Int?) {
            let offset = (page - 1) * pageSize
            let count: SQLQueryString = counting ? ", COUNT(*) OVER () AS total_matches" : ""
            let ids: [UUID]
            let rows: [PlainRow]
            var tags: [UUID: [TagKind: [String]]]?
            var total: Int?
            if byTagHolders, !counting {
                // Along the tag's holders in name order (`SearchIndex.tagHolders`), each checked
                // against the rest of the filter, until the page is full: a page of a tag that 200
                // people hold reads about a page of them, not all 200.
                let found = try await PlainRows.all("""
                    SELECT t.person_id AS id \(SearchIndex.tagHolders(key: tag, kinds: kinds, from: from, filter: filterButTag, on: sql))
                    GROUP BY t.sort_name, t.person_id ORDER BY t.sort_name, t.person_id LIMIT \(literal: pageSize) OFFSET \(bind: offset)
                    """, on: db, prepared: true)
                ids = try found.map { try $0.uuid("id") }
                (rows, tags) = try await peopleWithTags(ids, tagsShown: tagsShown, on: db)
            } else if offset <= 10 * DirectoryQuery.maximumPageSize {
                // A near page in name order: the people themselves in one read, walking the name index.
                rows = try await PlainRows.all("""
                    SELECT \(columns)\(count) FROM users JOIN profiles ON profiles.id = users.id WHERE \(filter)
                    ORDER BY users.search_name, users.id LIMIT \(literal: pageSize) OFFSET \(literal: offset)
                    """, on: db)
                ids = try rows.map { try $0.uuid("id") }
                if counting { total = try rows.first?.int("total_matches") }
            } else {
                // A far page: the page's ids through the indexes alone, then their people and tags
                // (joining every skipped row to its profile would cost more). Everyone's page starts
                // from the kept mark before it (`NameMarks`); a filtered one skips its offset.
                if activeFilters == 0, !counting, let marked = try await NameMarks.page(.active, offset: offset, limit: pageSize, on: db) {
                    ids = marked
                } else {
                    let found = try await PlainRows.all("""
                        SELECT users.id\(count) FROM \(from) WHERE \(filter) ORDER BY users.search_name, users.id LIMIT \(literal: pageSize) OFFSET \(literal: offset)
                        """, on: db)
                    ids = try found.map { try $0.uuid("id") }
                    if counting { total = try found.first?.int("total_matches") }
                }
                (rows, tags) = try await peopleWithTags(ids, tagsShown: tagsShown, on: db)
            }
            return (ids, rows, tags, total)
        }
        // The page after or before a person, along the name index from them (not for a search, in
        // order of relevance, nor when everyone fits on one page).
        if let cursor = try await NamePaging.cursor(after: query.after, before: query.before, at: query.at, on: db) {
            let total = if let keptTotal { keptTotal } else {
                try await PlainRows.first("SELECT COUNT(*) AS n FROM \(from) WHERE \(filter)", on: db)?.int("n") ?? 0
            }
            if total > pageSize,
               let found = try await NamePaging.page(columns, from: "users JOIN profiles ON profiles.id = users.id", filter: filter, cursor: cursor, size: pageSize, on: db) {
                let pageCount = max(1, (total + pageSize - 1) / pageSize)
                let number = NamePaging.label(asked: query.pageNumber, pageCount: pageCount, hasPrevious: found.hasPrevious, hasNext: found.hasNext)
                var page = try await assemble(
                    ids: try found.rows.map { try $0.uuid("id") }, rows: found.rows, page: number, per: pageSize, total: total, tagsShown: tagsShown, on: db)
                (page.hasPrevious, page.hasNext) = (found.hasPrevious, found.hasNext)
                return page
            }
        }
        let total: Int
        let pageNumber: Int
        let ids: [UUID]
        let rows: [PlainRow]
        let tags: [UUID: [TagKind: [String]]]?
        // Past the last page shows the last page; the bounds keep the offset arithmetic small.
        if let keptTotal {
            total = keptTotal
            pageNumber = min(query.pageNumber, max(1, (total + pageSize - 1) / pageSize))
            (ids, rows, tags, _) = try await read(page: pageNumber, counting: false)
        } else {
            let asked = try await read(page: query.pageNumber, counting: true)
            if let counted = asked.total {
                (total, pageNumber, ids, rows, tags) = (counted, query.pageNumber, asked.ids, asked.rows, asked.tags)
            } else {
                // Nothing on the page asked for: count, and show the last page (if any).
                total = try await PlainRows.first("SELECT COUNT(*) AS n FROM \(from) WHERE \(filter)", on: db)?.int("n") ?? 0
                pageNumber = min(query.pageNumber, max(1, (total + pageSize - 1) / pageSize))
                (ids, rows, tags, _) = pageNumber == query.pageNumber
                    ? (asked.ids, asked.rows, asked.tags, nil) : try await read(page: pageNumber, counting: false)
            }
        }
        var page = if let tags {
            try assemble(ids: ids, rows: rows, tags: tags, page: pageNumber, per: pageSize, total: total)
        } else {
            try await assemble(ids: ids, rows: rows, page: pageNumber, per: pageSize, total: total, tagsShown: tagsShown, on: db)
        }
        (page.hasPrevious, page.hasNext) = (pageNumber > 1, pageNumber < page.pageCount ?? 1)
        return page
    }

    /// A page of a text search, in order of relevance (`DirectorySearch`). How many match is
    /// known when this page reaches the last of them; otherwise it is left out (counting them
    /// would read every match). A page past the last shows the last page.
    private static func searchText(
        _ text: String, role: MentoringRole?, kinds: [TagKind], query: DirectoryQuery, from: SQLQueryString, filter: SQLQueryString,
        filtered: Bool, tagsShown: Int?, tuning: DirectorySearch.Tuning, on db: any Database, sql: any SQLDatabase
    ) async throws -> DirectoryPage {
        let scope: SearchIndex.Scope = switch role {
        case .mentor: .nameAndExpertise
        case .mentee: .nameAndDevelopment
        case .both, nil: .everything
        }
        let pageSize = query.pageSize
        guard var search = DirectorySearch(text: text, scope: scope, kinds: kinds, on: sql) else {
            return DirectoryPage(items: [], page: 1, per: pageSize, total: 0)  // only punctuation: nothing to find
        }
        search.tuning = tuning
        search.filtered = filtered
        // A search lists at most `maximumSearchResults` people: its last page is the one that
        // reaches them.
        let limit = DirectoryQuery.maximumSearchResults
        let lastPage = (limit + pageSize - 1) / pageSize
        var pageNumber = min(query.pageNumber, lastPage)
        func read(_ number: Int) async throws -> [UUID] {
            // One more than the page (within the limit), to know whether another follows.
            let offset = (number - 1) * pageSize
            return try await search.read(from: from, filter: filter, offset: offset, limit: min(pageSize + 1, limit + 1 - offset), on: db)
        }
        var found = try await read(pageNumber)
        if found.isEmpty, pageNumber > 1 {
            // Past the last page: count (up to the limit) and show the last page.
            let counted = try await search.count(from: from, filter: filter, upTo: limit, on: db)
            pageNumber = max(1, (counted + pageSize - 1) / pageSize)
            found = try await read(pageNumber)
        }
        let shown = (pageNumber - 1) * pageSize
        let ids = Array(found.prefix(min(pageSize, limit - shown)))
        let beyondLimit = shown + ids.count >= limit && found.count > ids.count
        let hasNext = found.count > ids.count && !beyondLimit
        // Counted when this page reaches the last match; not when matches go on (or pass the limit).
        let total: Int? = found.count > ids.count ? nil : shown + ids.count
        let (rows, tags) = try await peopleWithTags(ids, tagsShown: tagsShown, on: db)
        var page = try assemble(ids: ids, rows: rows, tags: tags, page: pageNumber, per: pageSize, total: total)
        (page.hasPrevious, page.hasNext) = (pageNumber > 1, hasNext)
        page.moreThanListed = beyondLimit
        return page
    }

    /// The columns of a person's card (`users` joined with `profiles`), the id first.
    private static let cardColumns = [
        "users.id", "users.search_name", "users.name", "profiles.headline", "profiles.department", "profiles.timezone",
        "profiles.location", "profiles.mentoring_role",
    ]

    /// The tag kinds a summary carries: a card shows the first `tagsShown` of two of them; the
    /// API (`tagsShown` nil) every tag of three.
    private static func cardTagKinds(_ tagsShown: Int?) -> [TagKind] {
        tagsShown == nil ? [.expertise, .development, .interest] : [.expertise, .development]
    }

    /// The page's people in the order of `ids`, with the tags a card shows (all, when `tagsShown` is nil).
    private static func assemble(
        ids: [UUID], rows: [PlainRow], page pageNumber: Int, per pageSize: Int, total: Int?, tagsShown: Int?, on db: any Database
    ) async throws -> DirectoryPage {
        guard !ids.isEmpty else { return DirectoryPage(items: [], page: pageNumber, per: pageSize, total: total) }
        guard let sql = db as? any SQLDatabase else { return DirectoryPage(items: [], page: pageNumber, per: pageSize, total: total) }
        var tags: [UUID: [TagKind: [String]]] = [:]
        for row in try await PlainRows.all(cardTags(ids, tagsShown: tagsShown, columnsBefore: 0, sql: sql), on: db, prepared: true) {
            tags[try row.uuid("id")] = tagList(try row.string("tag_list"))
        }
        return try assemble(ids: ids, rows: rows, tags: tags, page: pageNumber, per: pageSize, total: total)
    }

    /// A statement for the tags these people's cards show: a row for each person with any, their
    /// id (`id`), `columnsBefore` NULLs, and their tags as one text (`tag_list`: kind, unit
    /// separator, name; records separated by the record separator; in the person's order), read by
    /// `tagList`. One row per person rather than per tag (the API's pages read about 450 tags;
    /// decoding them as rows was a tenth of its search's time). Tags are written without control
    /// characters (`Tags.clean`); older ones that hold a separator are read without it.
    private static func cardTags(_ ids: [UUID], tagsShown: Int?, columnsBefore: Int, sql: any SQLDatabase) -> SQLQueryString {
        var condition: SQLQueryString = "pt.kind IN (\(binds: cardTagKinds(tagsShown).map(\.rawValue) as [any Encodable & Sendable]))"
        if let tagsShown { condition += " AND pt.position < \(literal: tagsShown)" }
        // Tags stored before control characters were cleaned from them may hold the separators:
        // taken out here, so that such a tag reads as one.
        let joined: SQLQueryString = SearchIndex.isPostgres(sql)
            ? "string_agg(pt.kind || chr(31) || replace(replace(pt.name, chr(30), ''), chr(31), ''), chr(30) ORDER BY pt.position, pt.kind)"
            : "group_concat(pt.kind || char(31) || replace(replace(pt.name, char(30), ''), char(31), ''), char(30) ORDER BY pt.position, pt.kind)"
        let nulls = String(repeating: "NULL, ", count: columnsBefore)
        return """
            SELECT pt.profile_id AS id, \(unsafeRaw: nulls)\(joined) AS tag_list
                FROM profile_tags pt WHERE pt.profile_id IN (\(binds: ids as [any Encodable & Sendable])) AND \(condition) GROUP BY pt.profile_id
            """
    }

    /// These people's card columns and the tags their cards show (`cardTags`), in one
    /// statement: a row for each person, then a row for each person with tags. So a page whose
    /// ids are known (a search, a far page) makes one round trip for them instead of two.
    private static func peopleWithTags(
        _ ids: [UUID], tagsShown: Int?, on db: any Database
    ) async throws -> (rows: [PlainRow], tags: [UUID: [TagKind: [String]]]) {
        guard !ids.isEmpty, let sql = db as? any SQLDatabase else { return ([], [:]) }
        let read = try await PlainRows.all("""
            SELECT \(unsafeRaw: cardColumns.joined(separator: ", ")), NULL AS tag_list
                FROM users JOIN profiles ON profiles.id = users.id WHERE users.id IN (\(binds: ids as [any Encodable & Sendable]))
            UNION ALL
            \(cardTags(ids, tagsShown: tagsShown, columnsBefore: cardColumns.count - 1, sql: sql))
            """, on: db, prepared: true)
        var rows: [PlainRow] = []
        var tags: [UUID: [TagKind: [String]]] = [:]
        for row in read {
            guard let list = try row.optionalString("tag_list") else {
                rows.append(row)
                continue
            }
            tags[try row.uuid("id")] = tagList(list)
        }
        return (rows, tags)
    }

    /// A person's tags from `cardTags`' text, by kind, in order.
    /// Split on the bytes of the two separators (ASCII, so never inside another character's
    /// bytes) rather than on characters: splitting by characters took 7 % of the server's time
    /// on a search page.
    static func tagList(_ list: String) -> [TagKind: [String]] {
        var tags: [TagKind: [String]] = [:]
        for record in list.utf8.split(separator: 0x1E, omittingEmptySubsequences: true) {
            guard let separator = record.firstIndex(of: 0x1F),
                  let kind = TagKind(rawValue: String(Substring(record[..<separator]))) else { continue }
            tags[kind, default: []].append(String(Substring(record[record.index(after: separator)...])))
        }
        return tags
    }

    /// The page's people in the order of `ids`, with the tags given.
    private static func assemble(
        ids: [UUID], rows: [PlainRow], tags: [UUID: [TagKind: [String]]], page pageNumber: Int, per pageSize: Int, total: Int?
    ) throws -> DirectoryPage {
        guard !ids.isEmpty else { return DirectoryPage(items: [], page: pageNumber, per: pageSize, total: total) }
        var byID: [UUID: PersonSummary] = [:]
        for row in rows {
            let id = try row.uuid("id")
            let personTags = tags[id] ?? [:]
            byID[id] = PersonSummary(
                id: id, name: try row.string("name"), headline: try row.string("headline"),
                department: try row.string("department"), timezone: try row.string("timezone"),
                location: try row.string("location"), mentoringRole: try row.optionalString("mentoring_role"),
                expertise: personTags[.expertise] ?? [], developmentAreas: personTags[.development] ?? [],
                interests: personTags[.interest] ?? []
            )
        }
        let items = ids.compactMap { byID[$0] }
        var names: [UUID: String] = [:]
        for row in rows { names[try row.uuid("id")] = try row.string("search_name") }
        return DirectoryPage(
            items: items, page: pageNumber, per: pageSize, total: total,
            firstName: items.first.flatMap { names[$0.id] }, lastName: items.last.flatMap { names[$0.id] })
    }
}
