import FluentSQL
import Foundation
import TrellisCore
import Vapor

extension PeopleImport {
    /// New people's tags on PostgreSQL, written with `COPY` straight into `profile_tags` and
    /// `people_search_tags` inside the final transaction instead of being staged.
    ///
    /// Staged, each of an import's 1.7 million tags (100,000 new people) was written three times:
    /// into `import_tags`, from there into each of the two tables (the search tags sorted by
    /// PostgreSQL, an external sort of 5–6 s), and deleted from `import_tags` again. New people have
    /// nothing stored to compare their tags with, so theirs are kept here from staging instead,
    /// and written once, the search tags in the order of their table's key (worked out here, the
    /// strings ranked by the database's own collation). People already stored are staged as
    /// before: their tags are compared with the stored ones (`applyStaged`).
    ///
    /// The rows are those the staged path writes (`appendTagRows`, and `searchTagRows`, which is
    /// the staged path's `INSERT INTO people_search_tags … SELECT` for these people); the import
    /// tests check the stored tags, search tags and counts after imports of new and of stored
    /// people alike, on both databases.
    struct NewTags: Sendable {
        struct Person: Sendable {
            var id: UUID
            var searchName: String
            var lists: [TagKind: [SearchIndex.TagText]]
        }

        private(set) var people: [Person] = []

        mutating func append(contentsOf more: [Person]) { people += more }

        var isEmpty: Bool { people.allSatisfy { $0.lists.values.allSatisfy(\.isEmpty) } }

        /// Rows a `COPY` statement, so that the text of one is made while the one before is written
        /// (a task-local so that tests can make an import of a few thousand tags take several).
        @TaskLocal static var rowsPerCopy = 50_000

        /// The tags into `profile_tags`, in the file's order of people (which is the order of their
        /// new ids), each with a new id.
        func writeTags(on sql: any SQLDatabase) async throws {
            var starts: [Int] = [0]  // the people each `COPY` starts from
            var rows = 0
            let size = Self.rowsPerCopy
            for (index, person) in people.enumerated() {
                if rows >= size { starts.append(index); rows = 0 }
                rows += person.lists.values.reduce(0) { $0 + $1.count }
            }
            starts.append(people.count)
            let (people, bounds) = (people, starts)
            _ = try await PeopleImport.pipelined(bounds.count - 1, make: { piece in
                var values: [BulkValue] = []
                let now = Date()
                var bits = OrderedUUID.Bits()
                for person in people[bounds[piece]..<bounds[piece + 1]] {
                    PeopleImport.appendTagRows(person.lists, of: .text(person.id.uuidString), job: nil, now: now, bits: &bits, to: &values)
                }
                return BulkRows.prepare(values, into: "profile_tags", columns: PeopleImport.tagColumns, for: .postgresCopy)
            }, write: { _, prepared in try await BulkRows.write(prepared, on: sql) })
        }

        /// One row of `people_search_tags`, as ranks in the table's key order.
        struct SearchRow: Comparable {
            var key: Int32
            var name: Int32
            var person: Int32  // the person's place in the order of their ids
            var kind: Int32

            static func < (a: Self, b: Self) -> Bool { (a.key, a.name, a.person, a.kind) < (b.key, b.name, b.person, b.kind) }
        }

        /// The search tags (`key`, `sort_name`, `person_id`, `kind`) of these people, with a key,
        /// in the order of the table's key (`key`, `sort_name`, `person_id`, `kind`): the strings
        /// in the order the database sorts them (asked of it, so that any collation is followed),
        /// the ids byte by byte, as PostgreSQL compares `uuid`s. Made before the final transaction.
        struct SearchTags: Sendable {
            fileprivate var strings: [String]
            fileprivate var rows: [SearchRow]
            fileprivate var ids: [UUID]

            /// The rows in the order they are written.
            var written: [(key: String, sortName: String, person: UUID, kind: String)] {
                rows.map { (strings[Int($0.key)], strings[Int($0.name)], ids[Int($0.person)], strings[Int($0.kind)]) }
            }
        }

        func searchTags(on sql: any SQLDatabase) async throws -> SearchTags {
            var index: [String: Int32] = [:]
            var strings: [String] = []
            func number(_ text: String) -> Int32 {
                if let known = index[text] { return known }
                strings.append(text)
                index[text] = Int32(strings.count - 1)
                return Int32(strings.count - 1)
            }
            // Rows as string numbers first; the ranks replace them once the database has ordered
            // the strings.
            var rows: [SearchRow] = []
            for (place, person) in people.enumerated() {
                let name = number(person.searchName)
                for kind in TagKind.allCases {
                    let kindNumber = number(kind.rawValue)
                    for tag in person.lists[kind] ?? [] where !tag.key.isEmpty {
                        rows.append(SearchRow(key: number(tag.key), name: name, person: Int32(place), kind: kindNumber))
                    }
                }
            }
            var rank = [Int32](repeating: 0, count: strings.count)
            if !strings.isEmpty {
                let ordered = try await sql.raw("""
                    SELECT t.i AS i FROM unnest(\(bind: strings)::text[]) WITH ORDINALITY AS t(v, i) ORDER BY t.v
                    """).all()
                guard ordered.count == strings.count else {
                    throw Abort(.internalServerError, reason: "The database ordered \(ordered.count) of \(strings.count) tags and names.")
                }
                for (place, row) in ordered.enumerated() { rank[Int(try row.decode(column: "i", as: Int.self)) - 1] = Int32(place) }
            }
            // Ids compared as PostgreSQL compares them: their sixteen bytes in turn.
            func bytes(_ id: UUID) -> (UInt64, UInt64) {
                withUnsafeBytes(of: id.uuid) { raw in
                    (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                     UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
                }
            }
            let keys = people.map { bytes($0.id) }
            let byID = people.indices.sorted { keys[$0] < keys[$1] }
            var personRank = [Int32](repeating: 0, count: people.count)
            for (place, person) in byID.enumerated() { personRank[person] = Int32(place) }
            for index in rows.indices {
                rows[index].key = rank[Int(rows[index].key)]
                rows[index].name = rank[Int(rows[index].name)]
                rows[index].kind = rank[Int(rows[index].kind)]
                rows[index].person = personRank[Int(rows[index].person)]
            }
            rows.sort()
            // Back from ranks to strings and ids when written.
            var byRank = [String](repeating: "", count: strings.count)
            for (number, text) in strings.enumerated() { byRank[Int(rank[number])] = text }
            return SearchTags(strings: byRank, rows: rows, ids: byID.map { people[$0].id })
        }

        static func write(_ search: SearchTags, on sql: any SQLDatabase) async throws {
            let size = rowsPerCopy
            let pieces = (search.rows.count + size - 1) / size
            _ = try await PeopleImport.pipelined(pieces, make: { piece in
                let rows = search.rows[piece * size..<min(search.rows.count, (piece + 1) * size)]
                var values: [BulkValue] = []
                values.reserveCapacity(rows.count * 4)
                for row in rows {
                    values.append(.text(search.strings[Int(row.key)]))
                    values.append(.text(search.strings[Int(row.name)]))
                    values.append(.id(search.ids[Int(row.person)]))
                    values.append(.text(search.strings[Int(row.kind)]))
                }
                return BulkRows.prepare(values, into: "people_search_tags", columns: ["key", "sort_name", "person_id", "kind"], for: .postgresCopy)
            }, write: { _, prepared in try await BulkRows.write(prepared, on: sql) })
        }
    }

    /// Writes `count` pieces in turn, each made (`make`, on the long-work thread beside) while the
    /// one before it is written (`write`): the two took one after the other what now takes the
    /// longer of them. Returns how long the writing waited for pieces to be made. On a failure
    /// the piece being made is waited for, so that nothing runs on after the caller.
    static func pipelined<Piece: Sendable>(
        _ count: Int, make: @escaping @Sendable (Int) -> Piece, write: (Int, Piece) async throws -> Void
    ) async throws -> Duration {
        func start(_ index: Int) -> Task<Piece, Never>? {
            guard index < count else { return nil }
            return Task(executorPreference: LongWork.beside) { make(index) }
        }
        var waited = Duration.zero
        var next = start(0)
        do {
            for index in 0..<count {
                guard let pending = next else { preconditionFailure("piece \(index) of \(count) was never made") }
                let t0 = ContinuousClock.now
                let piece = await pending.value
                waited += ContinuousClock.now - t0
                next = start(index + 1)
                try await write(index, piece)
            }
        } catch {
            _ = await next?.value
            throw error
        }
        return waited
    }
}
