import FluentSQL
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// A tag always names a profile: SQLite through its foreign key, PostgreSQL through the
    /// statement triggers that stand in for it (M0028). The same checks run on both.
    @Suite struct TagProfileKey {
        static func tagCount(_ profileID: UUID?, on sql: any SQLDatabase) async throws -> Int {
            let condition: SQLQueryString = profileID.map { "WHERE profile_id = \(bind: $0)" } ?? ""
            return try await sql.raw("SELECT COUNT(*) AS n FROM profile_tags \(condition)").first()?.decode(column: "n", as: Int.self) ?? -1
        }

        static func insertTag(_ profileID: UUID, key: String, on sql: any SQLDatabase) async throws {
            try await sql.raw("""
                INSERT INTO profile_tags (id, profile_id, kind, name, key, position)
                VALUES (\(bind: UUID()), \(bind: profileID), \(bind: TagKind.expertise.rawValue), \(bind: key), \(bind: key), 9)
                """).run()
        }

        static func person(_ email: String, tags: [String], on app: Application) async throws -> UUID {
            let user = try await PeopleStore.createPerson(email: email, name: email, role: .participant, on: app.db)
            var draft = ProfileDraft(name: email)
            draft.tags[.expertise] = tags
            try await PeopleStore.save(draft, manager: .none, for: user.requireID(), on: app.db)
            return try user.requireID()
        }

        @Test func `a tag must name a profile, and goes with its profile`() async throws {
            try await withTrellis { app in
                let sql = app.db as! any SQLDatabase
                let ada = try await Self.person("ada@example.org", tags: ["Swift", "SQL"], on: app)
                let bob = try await Self.person("bob@example.org", tags: ["Go"], on: app)
                #expect(try await Self.tagCount(ada, on: sql) == 2)

                // Nobody's profile: refused, alone or beside a good row, and nothing is written.
                await #expect(throws: (any Error).self) { try await Self.insertTag(UUID(), key: "nobody", on: sql) }
                await #expect(throws: (any Error).self) {
                    try await sql.raw("""
                        INSERT INTO profile_tags (id, profile_id, kind, name, key, position) VALUES
                        (\(bind: UUID()), \(bind: ada), 'expertise', 'Rust', 'rust', 2), (\(bind: UUID()), \(bind: UUID()), 'expertise', 'C', 'c', 0)
                        """).run()
                }
                #expect(try await Self.tagCount(nil, on: sql) == 3)
                // Moved to nobody's profile: refused; to another person's: allowed.
                await #expect(throws: (any Error).self) {
                    try await sql.raw("UPDATE profile_tags SET profile_id = \(bind: UUID()) WHERE profile_id = \(bind: bob)").run()
                }
                try await sql.raw("UPDATE profile_tags SET profile_id = \(bind: ada) WHERE profile_id = \(bind: bob)").run()
                #expect(try await Self.tagCount(ada, on: sql) == 3)
                // A profile's id cannot change under its tags; an untagged one's can.
                // (To the id of an account without a profile, so that only the tags stand in the way.)
                let dan = try await PeopleStore.createPerson(email: "dan@example.org", name: "Dan", role: .participant, on: app.db).requireID()
                let erin = try await PeopleStore.createPerson(email: "erin@example.org", name: "Erin", role: .participant, on: app.db).requireID()
                try await sql.raw("DELETE FROM profiles WHERE id IN (\(bind: dan), \(bind: erin))").run()
                await #expect(throws: (any Error).self) {
                    try await sql.raw("UPDATE profiles SET id = \(bind: dan) WHERE id = \(bind: ada)").run()
                }
                #expect(try await Profile.find(ada, on: app.db) != nil)
                let untagged = try await Self.person("fay@example.org", tags: [], on: app)
                try await sql.raw("UPDATE profiles SET id = \(bind: erin) WHERE id = \(bind: untagged)").run()
                #expect(try await Profile.find(erin, on: app.db) != nil)
                // Deleting an account deletes its profile and so its tags; others' stay.
                let cleo = try await Self.person("cleo@example.org", tags: ["Ruby", "Elixir", "Erlang"], on: app)
                try await sql.raw("DELETE FROM users WHERE id = \(bind: ada)").run()
                #expect(try await Self.tagCount(ada, on: sql) == 0)
                #expect(try await Self.tagCount(cleo, on: sql) == 3)
                try await sql.raw("DELETE FROM profiles WHERE id = \(bind: cleo)").run()
                #expect(try await Self.tagCount(nil, on: sql) == 0)
            }
        }

        /// A tag written while its profile is being deleted: whichever commits first, no tag is
        /// left naming a profile that is gone. With the per-statement check not locking the
        /// profile (or not checking at all), the tag written after the delete stays behind.
        @Test func `a tag written while its profile is deleted leaves no tag behind`() async throws {
            try await withTrellis { app in
                let sql = app.db as! any SQLDatabase
                for round in 0..<4 {
                    let person = try await Self.person("p\(round)@example.org", tags: ["Swift"], on: app)
                    let deleting = Task {
                        try await app.db.transaction { tx in
                            try await (tx as! any SQLDatabase).raw("DELETE FROM profiles WHERE id = \(bind: person)").run()
                            // Holds the delete uncommitted while the tag is written (round 0 and 2),
                            // or lets the tag go first (rounds 1 and 3).
                            if round % 2 == 0 { try await Task.sleep(for: .milliseconds(400)) }
                        }
                    }
                    if round % 2 == 0 { try await Task.sleep(for: .milliseconds(100)) }
                    var refused = false
                    do { try await Self.insertTag(person, key: "late \(round)", on: sql) } catch { refused = true }
                    try await deleting.value
                    #expect(try await Self.tagCount(person, on: sql) == 0, "round \(round)")
                    if round % 2 == 0 {
                        // The delete was first: the tag must have been refused.
                        #expect(refused, "round \(round)")
                    }
                }
                let orphans = try await sql.raw("SELECT COUNT(*) AS n FROM profile_tags t WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = t.profile_id)")
                    .first()?.decode(column: "n", as: Int.self)
                #expect(orphans == 0)
            }
        }

        /// PostgreSQL: the migration takes the foreign key's place, and its revert gives it back.
        @Test func `the per-statement check and the foreign key take each other's place`() async throws {
            try await withTrellis { app in
                let sql = app.db as! any SQLDatabase
                guard SearchIndex.isPostgres(sql) else { return }
                func state() async throws -> (constraint: Int, triggers: Int) {
                    let constraint = try await sql.raw("SELECT COUNT(*) AS n FROM pg_constraint WHERE conname = \(bind: M0028_CheckTagProfilesPerStatement.constraint)")
                        .first()?.decode(column: "n", as: Int.self) ?? -1
                    let triggers = try await sql.raw("""
                        SELECT COUNT(*) AS n FROM pg_trigger WHERE NOT tgisinternal AND tgname IN
                        ('profile_tags_name_profiles_on_insert', 'profile_tags_name_profiles_on_update', 'profiles_delete_tags', 'profiles_keep_tagged_ids',
                         'profiles_truncate_with_tags', 'profile_tags_keep_ids')
                        """).first()?.decode(column: "n", as: Int.self) ?? -1
                    return (constraint, triggers)
                }
                #expect(try await state() == (0, 6))
                try await M0028_CheckTagProfilesPerStatement().revert(on: app.db)
                #expect(try await state() == (1, 0))
                await #expect(throws: (any Error).self) { try await Self.insertTag(UUID(), key: "nobody", on: sql) }
                try await M0028_CheckTagProfilesPerStatement().prepare(on: app.db)
                #expect(try await state() == (0, 6))
                try await M0028_CheckTagProfilesPerStatement().prepare(on: app.db)
                #expect(try await state() == (0, 6))
                // TRUNCATE runs no delete trigger: refused while tags remain, as the key refused it.
                let ada = try await Self.person("ada@example.org", tags: ["Swift"], on: app)
                await #expect(throws: (any Error).self) { try await sql.raw("TRUNCATE profiles CASCADE").run() }
                #expect(try await Self.tagCount(ada, on: sql) == 1)
                // From an older snapshot a delete could miss a tag written meanwhile: refused.
                await #expect(throws: (any Error).self) {
                    try await app.db.transaction { tx in
                        let sql = tx as! any SQLDatabase
                        try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").run()
                        try await sql.raw("DELETE FROM profiles WHERE id = \(bind: ada)").run()
                    }
                }
                #expect(try await Self.tagCount(ada, on: sql) == 1)
                // Tags updated in place (not moved) are taken; moved to nobody, refused.
                try await sql.raw("UPDATE profile_tags SET position = 3 WHERE profile_id = \(bind: ada)").run()
                await #expect(throws: (any Error).self) {
                    try await sql.raw("UPDATE profile_tags SET profile_id = \(bind: UUID()), position = 4 WHERE profile_id = \(bind: ada)").run()
                }
                try await sql.raw("TRUNCATE profiles, profile_tags CASCADE").run()
                #expect(try await Self.tagCount(nil, on: sql) == 0)
                await #expect(throws: (any Error).self) { try await Self.insertTag(UUID(), key: "nobody", on: sql) }
            }
        }

        /// PostgreSQL, what an attack on the first form found (M0030): a tag's id cannot change (an
        /// update that swapped two tags' ids and profiles moved a tag unchecked); the check reads
        /// the tables of the schema it was made in, not those of a schema named after the role; and
        /// a delete that removes no profile is not refused from an older snapshot.
        @Test func `a tag keeps its id, the check reads its own schema, and deleting nobody is no refusal`() async throws {
            try await withTrellis { app in
                let sql = app.db as! any SQLDatabase
                guard SearchIndex.isPostgres(sql) else { return }
                let ada = try await Self.person("ada@example.org", tags: ["Swift"], on: app)
                let bob = try await Self.person("bob@example.org", tags: ["Go"], on: app)
                let (a, c) = (try await Self.tagID(ada, on: sql), try await Self.tagID(bob, on: sql))
                let fresh = UUID()
                await #expect(throws: (any Error).self) {
                    try await sql.raw("UPDATE profile_tags SET id = \(bind: fresh) WHERE id = \(bind: a)").run()
                }
                // The swap: the row of Ada's tag gets a new id and Bob's profile, Bob's row Ada's
                // tag's id and her profile; each (id, profile) pair the update leaves was there before.
                await #expect(throws: (any Error).self) {
                    try await sql.raw("""
                        UPDATE profile_tags SET id = CASE WHEN id = \(bind: a) THEN \(bind: fresh) ELSE \(bind: a) END,
                            profile_id = CASE WHEN id = \(bind: a) THEN \(bind: bob) ELSE \(bind: ada) END
                        WHERE id IN (\(bind: a), \(bind: c))
                        """).run()
                }
                let (adaTag, bobTag) = (try await Self.tagID(ada, on: sql), try await Self.tagID(bob, on: sql))
                #expect(adaTag == a && bobTag == c)

                // A schema named after the role, with a `profiles` of its own that names someone
                // Trellis does not have: a tag naming them is refused all the same.
                // (Undone: the transaction ends with an error that says whether the tag was refused.)
                struct Undo: Error { var refused: Bool }
                let ghost = UUID()
                var refused = false
                do {
                    try await app.db.transaction { tx in
                        let sql = tx as! any SQLDatabase
                        let role = try #require(try await sql.raw("SELECT current_user AS r").first()?.decode(column: "r", as: String.self))
                        try await sql.raw("CREATE SCHEMA \(ident: role)").run()
                        try await sql.raw("CREATE TABLE \(ident: role).profiles (id uuid)").run()
                        try await sql.raw("INSERT INTO \(ident: role).profiles VALUES (\(bind: ghost))").run()
                        do { try await Self.insertTag(ghost, key: "ghost", on: sql) } catch { throw Undo(refused: true) }
                        throw Undo(refused: false)
                    }
                } catch let undo as Undo { refused = undo.refused }
                #expect(refused, "the check read the role's own schema's profiles")
                #expect(try await Self.tagCount(ghost, on: sql) == 0)

                // From an older snapshot, deleting nobody's profile (an account without one, or a
                // condition that matches nothing) goes through.
                let noProfile = try await PeopleStore.createPerson(email: "dan@example.org", name: "Dan", role: .participant, on: app.db).requireID()
                try await sql.raw("DELETE FROM profiles WHERE id = \(bind: noProfile)").run()
                try await app.db.transaction { tx in
                    let sql = tx as! any SQLDatabase
                    try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").run()
                    try await sql.raw("DELETE FROM profiles WHERE id = \(bind: UUID())").run()
                    try await sql.raw("DELETE FROM users WHERE id = \(bind: noProfile)").run()
                }
                #expect(try await User.find(noProfile, on: app.db) == nil)
            }
        }

        static func tagID(_ profileID: UUID, on sql: any SQLDatabase) async throws -> UUID? {
            try await sql.raw("SELECT id FROM profile_tags WHERE profile_id = \(bind: profileID)").first()?.decode(column: "id", as: UUID.self)
        }

        /// PostgreSQL: a profile committed by someone else while the check waits for another lock
        /// is not taken unlocked. (When the check locked in one statement and looked in a second,
        /// with a newer snapshot, the new profile passed unlocked and was deleted under the tag.)
        @Test func `a profile the check did not lock cannot be deleted under its tag`() async throws {
            try await withTrellis { app in
                let sql = app.db as! any SQLDatabase
                guard SearchIndex.isPostgres(sql) else { return }
                let held = try await Self.person("held@example.org", tags: [], on: app)
                let late = try await PeopleStore.createPerson(email: "late@example.org", name: "Late", role: .participant, on: app.db).requireID()
                try await sql.raw("DELETE FROM profiles WHERE id = \(bind: late)").run()
                let holding = Task {
                    try await app.db.transaction { tx in
                        try await (tx as! any SQLDatabase).raw("SELECT id FROM profiles WHERE id = \(bind: held) FOR UPDATE").run()
                        try await Task.sleep(for: .milliseconds(800))
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
                let adding = Task {
                    try await app.db.transaction { tx in
                        try await (tx as! any SQLDatabase).raw("""
                            INSERT INTO profiles (id, headline, bio, department, timezone, communication_methods, career_goals, phone, location, contact_private)
                            VALUES (\(bind: late), '', '', '', '', '', '', '', '', false)
                            """).run()
                        try await Task.sleep(for: .milliseconds(300))
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
                let tagging = Task {
                    try await app.db.transaction { tx in
                        let sql = tx as! any SQLDatabase
                        try await sql.raw("""
                            INSERT INTO profile_tags (id, profile_id, kind, name, key, position) VALUES
                            (\(bind: UUID()), \(bind: held), 'expertise', 'Go', 'go', 0), (\(bind: UUID()), \(bind: late), 'expertise', 'Go', 'go', 0)
                            """).run()
                        try await Task.sleep(for: .milliseconds(700))
                    }
                }
                try await holding.value
                try await adding.value
                try await Task.sleep(for: .milliseconds(200))
                try await sql.raw("DELETE FROM profiles WHERE id = \(bind: late)").run()
                _ = try? await tagging.value
                let orphans = try await sql.raw("SELECT COUNT(*) AS n FROM profile_tags t WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = t.profile_id)")
                    .first()?.decode(column: "n", as: Int.self)
                #expect(orphans == 0)
            }
        }
    }
}
