import Fluent
import FluentSQL
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// The kept marks behind pages typed far into the directory and the people list (`NameMarks`):
    /// every kind of write keeps their counts, and a page read from them is the page an offset
    /// gives, on both databases.
    @Suite struct NameMarksKept {
        /// The ids from position `offset` in name order, counted the plain way.
        static func plain(_ scope: NameMarks.Scope, offset: Int, limit: Int, on db: any Database) async throws -> [UUID] {
            try await PlainRows.all("""
                SELECT users.id FROM users WHERE \(scope.filter) ORDER BY users.search_name, users.id LIMIT \(literal: limit) OFFSET \(literal: offset)
                """, on: db).map { try $0.uuid("id") }
        }

        /// The kept counts agree with the table, and every page of both lists read from a mark is
        /// the plain page (reading may cut stretches longer than `2 * stretch`, so both are
        /// checked again after).
        static func check(_ step: String, stretch: Int, on db: any Database) async throws {
            #expect(try await NameMarks.verify(on: db) == [], "\(step)")
            let everyone = try await User.query(on: db).count()
            for scope in [NameMarks.Scope.active, .everyone] {
                for offset in 0...(everyone + 1) {
                    let marked = try await NameMarks.page(scope, offset: offset, limit: 3, stretch: stretch, on: db)
                    let expected = try await plain(scope, offset: offset, limit: 3, on: db)
                    #expect(marked == expected, "\(step): \(scope) from \(offset)")
                }
            }
            #expect(try await NameMarks.verify(on: db) == [], "\(step), after reading")
        }

        static func marks(on db: any Database) async throws -> Int {
            try await PlainRows.first("SELECT COUNT(*) AS n FROM name_marks", on: db)?.int("n") ?? 0
        }

        @Test func `adds, renames, deactivations, deletions and imports keep every mark's counts, and pages cut long stretches`() async throws {
            try await withTrellis { app in
                let db = app.db
                let sql = try #require(db as? any SQLDatabase)
                try await Self.check("empty", stretch: 3, on: db)
                // Names that tie (then ordered by id), sort before and after everyone, and differ
                // only in case.
                let names = ["Sam Lee", "sam lee", "Ärne", "Zoë", "A", "Sam Lee", "Bo", "zz", "Ωmega", "Ann", "Ann", "Carl", "Élodie", "Dee"]
                var ids: [UUID] = []
                for (index, name) in names.enumerated() {
                    ids.append(try await PeopleStore.createPerson(email: "n\(index)@example.org", name: name, role: .participant, on: db).requireID())
                }
                try await Self.check("added one at a time", stretch: 3, on: db)
                #expect(try await Self.marks(on: db) > 2, "reading cut the one long stretch")

                // Renamed through the profile form's write, to a tie, to the front and to the end.
                for (id, name) in zip(ids.prefix(4), ["Ann", "Aaron", "Zzz", "Sam Lee"]) {
                    try await PeopleStore.save(ProfileDraft(name: name), manager: nil, for: id, on: db)
                }
                try await Self.check("renamed", stretch: 3, on: db)

                try await sql.raw("UPDATE users SET is_active = \(bind: false) WHERE id IN (\(bind: ids[5]), \(bind: ids[6]), \(bind: ids[9]))").run()
                try await Self.check("deactivated", stretch: 3, on: db)
                try await sql.raw("UPDATE users SET is_active = \(bind: true) WHERE id = \(bind: ids[6])").run()
                try await sql.raw("DELETE FROM users WHERE id IN (\(bind: ids[7]), \(bind: ids[10]))").run()
                try await Self.check("deleted and reactivated", stretch: 3, on: db)

                // An import: many rows a statement (on PostgreSQL one trigger call a statement).
                let rows = (0..<40).map { "i\($0)@example.org,\(["Ivy", "Ann", "Zed", "Bo"][$0 % 4]) \($0),mentee,,,,,,,,,,," }
                    + ["n11@example.org,Carla Renamed,mentee,,,,,,,,,,,"]
                let plan = try await PeopleCSV.plan(PeopleImport.header + "\n" + rows.joined(separator: "\n") + "\n", on: db)
                try await TrellisServer.PeopleImport.apply(plan, by: nil, on: db)
                try await Self.check("imported", stretch: 3, on: db)
                try await NameMarks.cutLong(stretch: 3, on: db)
                try await Self.check("cut after the import", stretch: 3, on: db)

                // Statements that change no name, and one that changes only an id (someone
                // without a profile, so that no reference holds the id).
                try await sql.raw("UPDATE users SET updated_at = \(bind: Date())").run()
                let bare = UUID()
                try await sql.raw("""
                    INSERT INTO users (id, email, name, search_name, role, is_active, created_at, updated_at)
                    VALUES (\(bind: bare), 'bare@example.org', 'Bo', 'bo', 'participant', \(bind: true), \(bind: Date()), \(bind: Date()))
                    """).run()
                try await Self.check("added without a profile", stretch: 3, on: db)
                let lowest = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1))
                try await sql.raw("UPDATE users SET id = \(bind: lowest) WHERE id = \(bind: bare)").run()
                try await Self.check("id changed", stretch: 3, on: db)

                // The migration sets the marks from people already there.
                try await M0013_KeepNameMarks().revert(on: db)
                try await M0013_KeepNameMarks().prepare(on: db)
                try await Self.check("made again over everyone", stretch: 3, on: db)
            }
        }

        @Test func `people added while pages cut stretches leave every count right`() async throws {
            // On PostgreSQL the additions and the cuts run at once; the triggers' lock keeps a cut
            // and an addition from both going by an old count.
            try await withTrellis { app in
                let db = app.db
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<40 {
                        group.addTask {
                            _ = try await PeopleStore.createPerson(email: "c\(index)@example.org", name: "Name \(index % 7) \(index)", role: .participant, on: db)
                        }
                        group.addTask {
                            _ = try await NameMarks.page(.everyone, offset: index % 9, limit: 2, stretch: 2, on: db)
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await User.query(on: db).count() == 40)
                try await Self.check("after concurrent additions and cuts", stretch: 2, on: db)
            }
        }

        @Test func `an import runs beside people signing up and renaming themselves without a deadlock`() async throws {
            // On PostgreSQL, writers of users only share the marks' lock: an import that holds
            // rows others wait for never waits for them in turn.
            try await withTrellis { app in
                let db = app.db
                var made: [UUID] = []
                for index in 0..<10 {
                    made.append(try await PeopleStore.createPerson(email: "r\(index)@example.org", name: "R \(index)", role: .participant, on: db).requireID())
                }
                let ids = made
                let rows = (0..<1_500).map { "m\($0)@example.org,Mass \($0),mentee,Sales,,,,,,,,,," }
                    + (0..<10).map { "r\($0)@example.org,Renamed by import \($0),mentee,Design,,,,,,,,,," }
                let plan = try await PeopleCSV.plan(PeopleImport.header + "\n" + rows.joined(separator: "\n") + "\n", on: db)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { _ = try await TrellisServer.PeopleImport.apply(plan, by: nil, on: db) }
                    for index in 0..<10 {
                        group.addTask {
                            _ = try await PeopleStore.createPerson(email: "s\(index)@example.org", name: "Signed \(index)", role: .participant, on: db)
                        }
                        group.addTask {
                            var draft = ProfileDraft(name: "Renamed by hand \(index)")
                            draft.department = "Support"
                            try await PeopleStore.save(draft, manager: nil, for: ids[index], on: db)
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await User.query(on: db).count() == 1_520)
                #expect(try await NameMarks.verify(on: db) == [])
            }
        }

        @Test(.enabled(if: !usingPostgres, "SQLite's queue of this process's writers"))
        func `a page does not wait for other writers to cut a stretch`() async throws {
            try await withTrellis { app in
                let db = app.db
                let (started, release) = (AsyncStream<Void>.makeStream(), AsyncStream<Void>.makeStream())
                async let held: Void = DatabaseWrites.transaction(on: db) { _ in
                    started.continuation.yield()
                    for await _ in release.stream { break }
                }
                for await _ in started.stream { break }
                let ran = try await DatabaseWrites.transactionIfFree(on: db) { _ in true }
                #expect(ran == nil)
                release.continuation.yield()
                try await held
                #expect(try await DatabaseWrites.transactionIfFree(on: db) { _ in true } == true)
            }
        }

        @Test func `a page number typed far into the directory and the people list shows the people an offset would`() async throws {
            try await withTrellis { app in
                let db = app.db
                let sql = try #require(db as? any SQLDatabase)
                let rows = (0..<1_250).map { "f\($0)@example.org,\(["Ivy", "Ann", "Zed", "Bo", "Émile"][$0 % 5]) \(($0 * 7919) % 1_250),mentee,,,,,,,,,,," }
                let plan = try await PeopleCSV.plan(PeopleImport.header + "\n" + rows.joined(separator: "\n") + "\n", on: db)
                try await TrellisServer.PeopleImport.apply(plan, by: nil, on: db)
                #expect(try await Self.marks(on: db) == 3)
                // A large import on SQLite makes the tags' index by person again after writing
                // (`PeopleImport.Scale.isLarge`): it is there, and searches use it. On both
                // databases it is the only index of the table besides its key (M0027 dropped
                // M0011's index by person, key and kind).
                let indexes = usingPostgres
                    ? "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'people_search_tags' AND indexname NOT LIKE '%pkey'"
                    : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'people_search_tags' AND name NOT LIKE 'sqlite_autoindex%'"
                let names = try await PlainRows.all("\(unsafeRaw: indexes)", on: db).map { try $0.string("name") }
                #expect(names == [SearchIndex.tagsByPersonIndex])
                // Changes after the import, early in the alphabet, so that every later page moves.
                for index in 0..<5 {
                    _ = try await PeopleStore.createPerson(email: "early\(index)@example.org", name: "Aa \(index)", role: .participant, on: db)
                }
                let someone = try #require(try await User.query(on: db).filter(\.$email == "f3@example.org").first())
                try await PeopleStore.save(ProfileDraft(name: "Aaa moved"), manager: nil, for: someone.requireID(), on: db)
                try await sql.raw("UPDATE users SET is_active = \(bind: false) WHERE email IN ('f10@example.org', 'f20@example.org')").run()

                for page in 11...13 {
                    let found = try await Directory.search(DirectoryQuery(page: String(page), per: "100"), on: db)
                    let expected = try await Self.plain(.active, offset: (page - 1) * 100, limit: 100, on: db)
                    #expect(found.items.map(\.id) == expected, "directory page \(page)")
                    #expect(!expected.isEmpty)
                }
                for page in 22...26 {
                    let found = try await PeopleList.page(search: "", page: page, after: nil, before: nil, at: nil, on: db)
                    let expected = try await Self.plain(.everyone, offset: (page - 1) * 50, limit: 50, on: db)
                    #expect(found.rows.map(\.id) == expected, "people list page \(page)")
                }
                #expect(try await NameMarks.verify(on: db) == [])
            }
        }
    }
}
