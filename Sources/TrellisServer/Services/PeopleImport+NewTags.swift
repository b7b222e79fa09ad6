import FluentSQL
import NIOConcurrencyHelpers
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
    /// The rows are those the staged path writes: `PeopleImport.appendTagRow` makes a tag's row
    /// for both, and `searchTags(ranks:)` makes what the staged path's `INSERT INTO
    /// people_search_tags … SELECT` writes for these people. The import tests check the stored
    /// tags, search tags and counts after imports of new and of stored people alike.
    struct NewTags: Sendable {
        /// A new person: their id and sort name (a number in `strings`).
        struct Person: Sendable {
            var id: UUID
            var searchName: Int32
        }

        /// A tag of a new person: their place in `people`, its spelling and key (numbers in
        /// `strings`), its place in its list, and its kind (its place in `TagKind.allCases`).
        struct Tag: Sendable {
            var person: Int32
            var name: Int32
            var key: Int32
            var position: Int32
            var kind: UInt8
        }

        /// Every string once (told apart by their bytes, as the database tells them apart, not by
        /// Swift's equality, which takes canonically equivalent spellings for one); the kinds first.
        private(set) var strings: [String] = []
        private var numbers: [Spelling: Int32] = [:]
        private(set) var people: [Person] = []
        private(set) var tags: [Tag] = []

        init() {
            for kind in Self.kinds { _ = number(kind.rawValue) }
        }

        static let kinds = TagKind.allCases

        private mutating func number(_ text: String) -> Int32 {
            if let known = numbers[Spelling(text)] { return known }
            strings.append(text)
            numbers[Spelling(text)] = Int32(strings.count - 1)
            return Int32(strings.count - 1)
        }

        /// A new person with their (cleaned) lists, in the order of the kinds and of each list.
        mutating func add(id: UUID, searchName: String, lists: [TagKind: [SearchIndex.TagText]]) {
            let person = Int32(people.count)
            people.append(Person(id: id, searchName: number(searchName)))
            for (kind, tagKind) in Self.kinds.enumerated() {
                for (position, tag) in (lists[tagKind] ?? []).enumerated() {
                    tags.append(Tag(person: person, name: number(tag.name), key: number(tag.key), position: Int32(position), kind: UInt8(kind)))
                }
            }
        }

        /// `other`'s people and tags after these.
        mutating func append(contentsOf other: NewTags) {
            let renumbered = other.strings.map { number($0) }
            let offset = Int32(people.count)
            people += other.people.map { Person(id: $0.id, searchName: renumbered[Int($0.searchName)]) }
            tags += other.tags.map {
                Tag(person: $0.person + offset, name: renumbered[Int($0.name)], key: renumbered[Int($0.key)], position: $0.position, kind: $0.kind)
            }
        }

        var isEmpty: Bool { tags.isEmpty }

        /// Rows a `COPY` statement, so that the text of one is made while the one before is written
        /// (a task-local so that tests can make an import of a few thousand tags take several).
        @TaskLocal static var rowsPerCopy = 50_000

        /// The tags into `profile_tags`, in the file's order of people (which is the order of their
        /// new ids), each with a new id.
        func writeTags(on sql: any SQLDatabase) async throws {
            let size = Self.rowsPerCopy
            let all = self
            _ = try await PeopleImport.pipelined((tags.count + size - 1) / size, make: { piece in
                var values: [BulkValue] = []
                values.reserveCapacity(size * PeopleImport.tagColumns.count)
                let now = Date()
                var bits = OrderedUUID.Bits()
                for tag in all.tags[piece * size..<min(all.tags.count, (piece + 1) * size)] {
                    PeopleImport.appendTagRow(
                        of: .id(all.people[Int(tag.person)].id), kind: .text(Self.kinds[Int(tag.kind)].rawValue), name: all.strings[Int(tag.name)],
                        key: all.strings[Int(tag.key)], position: Int(tag.position), job: nil, now: now, bits: &bits, to: &values)
                }
                return BulkRows.prepare(values, into: "profile_tags", columns: PeopleImport.tagColumns, for: .postgresCopy)
            }, write: { _, prepared in try await BulkRows.write(prepared, on: sql) })
        }

        /// The places in the database's order of the strings that search tags are made of (keys,
        /// sort names and kinds), by their number in `strings` (-1 for others): asked of the
        /// database, so that any collation is followed. Asked before the import's transaction
        /// begins, never from inside it (which holds a connection and must not wait for another).
        func ranks(on sql: any SQLDatabase) async throws -> [Int32] {
            var used = [Bool](repeating: false, count: strings.count)
            for tag in tags where !strings[Int(tag.key)].isEmpty {
                used[Int(tag.key)] = true
                used[Int(people[Int(tag.person)].searchName)] = true
                used[Int(tag.kind)] = true  // the kinds are the first strings
            }
            let asked = used.indices.filter { used[$0] }
            guard !asked.isEmpty else { return [Int32](repeating: -1, count: strings.count) }
            // Read as they come, a row at a time (one for each string).
            let ranking = NIOLockedValueBox((rank: [Int32](repeating: -1, count: strings.count), next: Int32(0), fine: true))
            try await sql.raw("""
                SELECT t.n AS n FROM unnest(\(bind: asked.map { strings[$0] })::text[], \(bind: asked.map { Int32($0) })::int4[]) AS t(v, n) ORDER BY t.v
                """).run { row in
                let number = (try? row.decode(column: "n", as: Int32.self)).map(Int.init) ?? -1
                ranking.withLockedValue { ranking in
                    guard ranking.rank.indices.contains(number), ranking.rank[number] < 0 else { ranking.fine = false; return }
                    ranking.rank[number] = ranking.next
                    ranking.next += 1
                }
            }
            let (rank, next, fine) = ranking.withLockedValue { ($0.rank, $0.next, $0.fine) }
            guard fine, Int(next) == asked.count else {
                throw Abort(.internalServerError, reason: "The database ordered \(next) of \(asked.count) tags and names.")
            }
            return rank
        }

        /// One row of `people_search_tags`, as ranks in the table's key order.
        struct SearchRow: Comparable {
            var key: Int32
            var name: Int32
            var person: Int32  // the person's place in the order of their ids
            var kind: Int32

            static func < (a: Self, b: Self) -> Bool { (a.key, a.name, a.person, a.kind) < (b.key, b.name, b.person, b.kind) }
        }

        /// The search tags (`key`, `sort_name`, `person_id`, `kind`) of these people, those with a
        /// key (what the staged path's `INSERT INTO people_search_tags … SELECT` writes for them), in
        /// the order of the table's key: the strings by `rank` (`ranks(on:)`), the ids byte by
        /// byte, as PostgreSQL compares `uuid`s. No database needed: worked out on a thread of its
        /// own while the final transaction writes the people and their tags.
        func searchTags(ranks rank: [Int32]) -> SearchTags {
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
            var rows: [SearchRow] = []
            rows.reserveCapacity(tags.count)
            for tag in tags where !strings[Int(tag.key)].isEmpty {
                rows.append(SearchRow(
                    key: rank[Int(tag.key)], name: rank[Int(people[Int(tag.person)].searchName)],
                    person: personRank[Int(tag.person)], kind: rank[Int(tag.kind)]))
            }
            rows.sort()
            // From ranks back to strings and ids when written.
            var byRank = [String](repeating: "", count: rank.reduce(0) { max($0, Int($1) + 1) })
            for (number, place) in rank.enumerated() where place >= 0 { byRank[Int(place)] = strings[number] }
            return SearchTags(strings: byRank, rows: rows, ids: byID.map { people[$0].id })
        }

        /// Search tags in the order of their table's key, to write (`write(_:on:)`).
        struct SearchTags: Sendable {
            fileprivate var strings: [String]
            fileprivate var rows: [SearchRow]
            fileprivate var ids: [UUID]

            /// The rows in the order they are written.
            var written: [(key: String, sortName: String, person: UUID, kind: String)] {
                rows.map { (strings[Int($0.key)], strings[Int($0.name)], ids[Int($0.person)], strings[Int($0.kind)]) }
            }
        }

        /// Writes search tags (`searchTags(ranks:)`).
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

        /// A string told apart from others by its UTF-8 bytes.
        private struct Spelling: Hashable {
            var text: String
            init(_ text: String) { self.text = text }
            static func == (a: Self, b: Self) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }
            func hash(into hasher: inout Hasher) {
                var text = text
                text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            }
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
