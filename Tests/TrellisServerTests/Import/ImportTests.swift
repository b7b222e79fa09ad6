import Fluent
import FluentSQL
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting
import TrellisFixtures

extension ServerTests {
    @Suite struct PeopleImport {
        static let header = "email,name,role,department,manager_email,timezone,languages,expertise,development_areas,interests,values,capacity,meeting_frequency,years_experience"

        /// Quoted fields, commas and new lines inside quotes, UTF-8 names, a byte-order mark, and
        /// a manager who appears after the people they manage.
        static var tricky: Data {
            let text = "\u{FEFF}" + header + "\r\n"
                + "jose@example.org,\"José Álvarez, Jr.\",mentee,Sales,zoe@example.org,America/Sao_Paulo,Portuguese;English,,\"Negotiation;Public speaking\",\"Board games\nand cooking\",Kindness,,weekly,2\r\n"
                + "zoe@example.org,Zoë \"Z\" Ødegård,mentor,Sales,,Europe/Oslo,Norwegian;English,Negotiation;Enterprise sales,,Skiing,Candour,3,monthly,15\r\n"
            return Data(text.utf8)
        }

        /// Confirms the import a preview page offers, then follows its progress page until the
        /// background job ends, as a browser's refreshes would.
        static func confirm(_ preview: TestingHTTPResponse, as browser: inout Browser) async throws -> TestingHTTPResponse {
            let job = try #require(preview.text.firstMatch(of: /name="job" value="([0-9A-Fa-f-]{36})"/)?.output.1)
            let confirmed = try await browser.post("/admin/import/confirm", [("job", String(job))])
            #expect(confirmed.status == .seeOther)
            #expect(confirmed.location == "/admin/import/jobs/\(job)")
            // Polls like the page's own refresh until the background import is done. The bound
            // only catches a hang (not a speed: a loaded CI machine importing 12,000 rows into
            // PostgreSQL took more than the half minute an earlier bound allowed).
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(600)
            while clock.now < deadline {
                let page = try await browser.get("/admin/import/jobs/\(job)")
                if !page.text.contains("http-equiv=\"refresh\"") { return page }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("the import did not finish within ten minutes")
            return try await browser.get("/admin/import/jobs/\(job)")
        }

        @Test func `upload, preview, confirm: tricky CSV imports people and managers in one go`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let preview = try await admin.upload("/admin/import/preview", file: Self.tricky, filename: "people.csv")
                #expect(preview.status == .ok)
                #expect(preview.text.contains("Preview: 2 people"))
                #expect(preview.text.contains("José Álvarez, Jr."))
                #expect(try await User.query(on: app.db).count() == 3, "a preview writes nothing")

                #expect(!preview.text.contains("Board games"), "the file stays on the server: the page carries only its id")
                let done = try await Self.confirm(preview, as: &admin)
                #expect(done.status == .ok)
                #expect(done.text.contains("Import complete: 2 created, 0 updated, 0 unchanged."))

                let jose = try #require(try await User.query(on: app.db).filter(\.$email == "jose@example.org").first())
                let zoe = try #require(try await User.query(on: app.db).filter(\.$email == "zoe@example.org").first())
                #expect(jose.name == "José Álvarez, Jr.")
                #expect(zoe.name == "Zoë \"Z\" Ødegård")
                #expect(jose.passwordHash == nil)
                let (draft, profile) = try await PeopleStore.draft(for: jose, on: app.db)
                #expect(profile.managerID == zoe.id)
                #expect(draft.tags(.interest) == ["Board games and cooking"], "a new line inside quotes is whitespace in a tag")
                #expect(draft.tags(.development) == ["Negotiation", "Public speaking"])
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "people.import").count() == 1)
            }
        }

        @Test func `an upload is kept for the admin who made it: others cannot confirm it, it imports once, and it expires`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let other = try await PeopleStore.createPerson(email: "second@example.org", name: "Second Admin", role: .admin, passwordHash: try Bcrypt.hash(TestPeople.password, cost: 4), on: app.db)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                var second = Browser(app)
                try await second.signIn(other.email)
                let preview = try await admin.upload("/admin/import/preview", file: Self.tricky, filename: "people.csv")
                let job = try #require(preview.text.firstMatch(of: /name="job" value="([0-9A-Fa-f-]{36})"/)?.output.1)
                let stolen = try await second.post("/admin/import/confirm", [("job", String(job))])
                #expect(stolen.status == .notFound)
                #expect(try await User.query(on: app.db).count() == 4)

                // Two confirmations at once (a double click): one import.
                let first = try await admin.post("/admin/import/confirm", [("job", String(job))])
                let again = try await admin.post("/admin/import/confirm", [("job", String(job))])
                #expect(first.status == .seeOther && again.status == .seeOther)
                // Until the background import ends (the bound only catches a hang).
                let deadline = ContinuousClock.now + .seconds(300)
                while ContinuousClock.now < deadline, try await ImportJob.find(UUID(uuidString: String(job)), on: app.db)?.jobState == .running {
                    try await Task.sleep(for: .milliseconds(25))
                }
                #expect(try await User.query(on: app.db).count() == 6)
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "people.import").count() == 1)
                #expect(try await ImportJob.find(UUID(uuidString: String(job)), on: app.db)?.csv == "", "the file is not kept once imported")

                // An upload nobody confirmed within the hour is refused.
                let changed = Data(String(decoding: Self.tricky, as: UTF8.self).replacingOccurrences(of: "Skiing", with: "Sailing").utf8)
                let late = try await admin.upload("/admin/import/preview", file: changed, filename: "people.csv")
                let lateJob = try #require(late.text.firstMatch(of: /name="job" value="([0-9A-Fa-f-]{36})"/)?.output.1)
                try await ImportJob.query(on: app.db).filter(\.$id == UUID(uuidString: String(lateJob))!).set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
                let expired = try await admin.post("/admin/import/confirm", [("job", String(lateJob))])
                #expect(expired.status == .gone)
                #expect(expired.text.contains("expired"))
            }
        }

        @Test func `a few megabytes of non-ASCII text preview and import through the web`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let rows = (0..<12_000).map { index in
                    "żółw\(index)@example.org,Zoë Żółkiewska-Ñúñez 李小龙 \(index),mentee,Ventas y Márketing,,Europe/Warsaw,Polski;Español;中文,,Négociation;Prise de parole en public,Échecs;Cuisine,Bienveillance;Curiosité,,weekly,3"
                }
                let file = Data((Self.header + "\n" + rows.joined(separator: "\n") + "\n").utf8)
                #expect(file.count > 2_000_000)
                let preview = try await admin.upload("/admin/import/preview", file: file, filename: "großes.csv")
                #expect(preview.status == .ok)
                #expect(preview.text.contains("Preview: 12000 people"))
                #expect(preview.text.utf8.count < 200_000, "the preview does not carry the file")
                let done = try await Self.confirm(preview, as: &admin)
                #expect(done.text.contains("Import complete: 12000 created, 0 updated, 0 unchanged."), "\(done.text.prefix(2000))")
                #expect(try await User.query(on: app.db).count() == 12_003)
                let someone = try #require(try await User.query(on: app.db).filter(\.$email == "żółw11999@example.org").first())
                let (draft, _) = try await PeopleStore.draft(for: someone, on: app.db)
                #expect(draft.tags(.development) == ["Négociation", "Prise de parole en public"])
                #expect(draft.tags(.language) == ["Polski", "Español", "中文"])
            }
        }

        @Test func `an import of several batches, each worked out while the one before is written, writes every tag and search entry once`() async throws {
            // Batches are worked out beside the writes (`PeopleImport.apply`) with ids from one
            // draw of randomness a batch (`OrderedUUID.Bits`), and the search tags are written
            // without DISTINCT: the tables must hold exactly the file's tags, in every pass. New
            // people's tags go by `COPY` in pieces of 1,000 rows here on PostgreSQL (`NewTags`):
            // new people, then the same people with other tags, then a file of stored and new.
            try await TrellisServer.PeopleImport.NewTags.$rowsPerCopy.withValue(1_000) {
                try await withTrellis { app in
                    let skills = ["Négociation", "数据 分析", "Public speaking", "Rust", "Écoute", "Go"]
                    func file(_ round: Int, _ people: Range<Int>) -> String {
                        let rows = people.map { index in
                            let expertise = (0..<(index % 5)).map { skills[(index + $0 + round) % skills.count] }.joined(separator: ";")
                            return "b\(index)@example.org,Bea Ünal \(index),\(index % 3 == 0 ? "mentor" : "mentee"),Dept \(index % 7),,,English;Türkçe,\(expertise),Écoute;Go,Chess \(round),Candour,\(index % 3 == 0 ? "2" : ""),,"
                        }
                        return Self.header + "\n" + rows.joined(separator: "\n") + "\n"
                    }
                    var tagsByEmail: [String: Int] = [:]
                    for (round, people) in [(0, 0..<2_100), (1, 0..<2_100), (2, 1_000..<3_100)] {
                        let plan = try await PeopleCSV.plan(file(round, people), on: app.db)
                        #expect(plan.isValid)
                        try await TrellisServer.PeopleImport.apply(plan, by: nil, on: app.db)
                        for record in plan.records { tagsByEmail[record.email] = TagKind.allCases.reduce(0) { $0 + record.tags($1).count } }
                        let expected = tagsByEmail.values.reduce(0, +)
                        let counts = try #require(try await PlainRows.first("SELECT COUNT(*) AS tags FROM profile_tags", on: app.db))
                        #expect(try counts.int("tags") == expected, "round \(round)")
                        let search = try #require(try await PlainRows.first("SELECT COUNT(*) AS rows FROM people_search_tags", on: app.db))
                        #expect(try search.int("rows") == expected, "round \(round): one search entry a tag")
                        try await ServerTests.SearchOrder.compareSearchIndex(app, round: "round \(round)")
                        try await ServerTests.SearchOrder.compareFacets(app, round: "round \(round)")
                    }
                }
            }
        }

        @Test func `an email that lowering the case leaves decomposed finds its account, and stored spellings Swift takes for one stop nothing`() async throws {
            // Found by an attacker-style round: "H" + combining macron below lowers to "h" + the
            // mark, not to the one letter "ẖ". The second import made a second account that
            // Swift took for the first, its manager line was dropped, and every later import
            // (its preview too) stopped the process on a duplicate dictionary key.
            try await withTrellis { app in
                let first = try await PeopleCSV.plan(Self.header + "\nH\u{0331}a@x.com,First,,,,,,Swift,,,,,,\n", on: app.db)
                try await TrellisServer.PeopleImport.apply(first, by: nil, on: app.db)
                let second = try await PeopleCSV.plan(Self.header + "\n\u{1E96}a@x.com,Second,,,,,,Go,,,,,,\nb@x.com,Bob,,,H\u{0331}A@x.com,,,,,,,,,\n", on: app.db)
                #expect(second.isValid && second.count(.update) == 1 && second.count(.create) == 1)
                try await TrellisServer.PeopleImport.apply(second, by: nil, on: app.db)
                let accounts = try await PlainRows.all("SELECT id, name FROM users WHERE email LIKE '%a@x.com' AND email <> 'b@x.com'", on: app.db)
                #expect(try accounts.map { try $0.string("name") } == ["Second"], "one account, renamed")
                let bob = try #require(try await PlainRows.first("SELECT p.manager_id FROM profiles p JOIN users u ON u.id = p.id WHERE u.email = 'b@x.com'", on: app.db))
                #expect(try bob.optionalUUID("manager_id") == accounts.first?.uuid("id"), "Bob's manager is kept")
                // Two accounts stored under spellings Swift takes for one (as the old rule could
                // leave them): a preview of any file goes on.
                let sql = try #require(app.db as? any SQLDatabase)
                try await sql.raw("UPDATE users SET email = \(bind: "legach\u{0331}@x.com") WHERE email = 'b@x.com'").run()
                let twin = UUID()
                try await sql.raw("INSERT INTO users (id, email, name, search_name, role, is_active, created_at, updated_at) VALUES (\(bind: twin), \(bind: "legac\u{1E96}@x.com"), 'Twin', 'twin', 'participant', \(bind: true), \(bind: Date()), \(bind: Date()))").run()
                try await sql.raw("""
                    INSERT INTO profiles (id, headline, bio, department, timezone, communication_methods, career_goals, phone, location, contact_private, updated_at)
                    VALUES (\(bind: twin), '', '', '', '', '', '', '', '', \(bind: false), \(bind: Date()))
                    """).run()
                #expect(try await PeopleCSV.exportRecords(on: app.db).filter { $0.email.hasPrefix("legac") }.count == 2, "both spellings are read")
                let third = try await PeopleCSV.plan(Self.header + "\nsomeone@x.com,Someone,,,,,,,,,,,,\n", on: app.db)
                #expect(third.isValid && third.count(.create) == 1)
            }
        }

        /// Names, tag keys and emails stored under the old rule (lowered, not composed again) are
        /// composed by M0018: the person is found by the tag typed either way, two spellings of
        /// one tag in a list become one, and an email that would become another account's stays.
        @Test func `text stored lowered but not composed is composed again by the migration`() async throws {
            try await withTrellis { app in
                let sql = try #require(app.db as? any SQLDatabase)
                let (decomposed, composed) = ("h\u{0331}ebrew", "\u{1E96}ebrew")
                let hamid = try await PeopleStore.createPerson(email: "hamid@x.com", name: "H\u{0331}amid Noor", role: .participant, on: app.db).requireID()
                var draft = ProfileDraft(name: "H\u{0331}amid Noor")
                draft.tags[.expertise] = ["H\u{0331}ebrew", "Go", "Zig"]
                try await PeopleStore.save(draft, manager: nil, for: hamid, on: app.db)
                #expect(try await PlainRows.first("SELECT key FROM profile_tags WHERE position = 0", on: app.db)?.string("key") == composed, "the new rule composes")
                // The old rule's rows: lowered names and keys left decomposed, and the other
                // spelling of the tag stored beside it as a second tag of the list.
                try await sql.raw("UPDATE users SET search_name = \(bind: "h\u{0331}amid noor") WHERE id = \(bind: hamid)").run()
                try await sql.raw("UPDATE people_search_tags SET sort_name = \(bind: "h\u{0331}amid noor") WHERE person_id = \(bind: hamid)").run()
                for table in ["profile_tags", "people_search_tags"] {
                    try await sql.raw("UPDATE \(unsafeRaw: table) SET key = \(bind: decomposed) WHERE key = \(bind: composed)").run()
                }
                try await sql.raw("UPDATE profile_tags SET position = position + 1 WHERE profile_id = \(bind: hamid) AND position >= 1").run()
                try await sql.raw("""
                    INSERT INTO profile_tags (id, profile_id, kind, name, key, position)
                    VALUES (\(bind: UUID()), \(bind: hamid), 'expertise', \(bind: "\u{1E96}ebrew"), \(bind: composed), 1)
                    """).run()
                // Spellings stored before the zero-width space was removed from text: one that
                // is another tag of the list once cleaned, one that cleans to nothing, one alone.
                for (kind, name, key, position) in [("interests", "Go", "go", 0), ("interests", "Go\u{200B}", "go\u{200B}", 1), ("interests", "\u{200B}", "\u{200B}", 2), ("values", "Rust\u{200B}", "rust\u{200B}", 0)] {
                    try await sql.raw("""
                        INSERT INTO profile_tags (id, profile_id, kind, name, key, position)
                        VALUES (\(bind: UUID()), \(bind: hamid), \(bind: kind), \(bind: name), \(bind: key), \(bind: position))
                        """).run()
                }
                try await SearchIndex.update(hamid, SearchIndex.Document(name: "H\u{0331}amid Noor", tags: [:]), on: sql)
                try await sql.raw("INSERT INTO people_search_tags (key, sort_name, person_id, kind) VALUES (\(bind: decomposed), \(bind: "h\u{0331}amid noor"), \(bind: hamid), 'expertise')").run()
                try await DirectoryCounts.rebuild(on: sql)
                // Emails: one that composes freely, one whose composed form is another account's.
                for (email, name) in [("h\u{0331}c@x.com", "Cara"), ("h\u{0331}d@x.com", "Dana"), ("\u{1E96}d@x.com", "Dana Twin")] {
                    let id = try await PeopleStore.createPerson(email: "placeholder-\(name.count)-\(email.count)@x.com", name: name, role: .participant, on: app.db).requireID()
                    try await sql.raw("UPDATE users SET email = \(bind: email) WHERE id = \(bind: id)").run()
                }
                func holders(_ tag: String) async throws -> [String] {
                    try await Directory.search(DirectoryQuery(tag: tag), on: app.db).items.map(\.name)
                }
                #expect(try await holders("\u{1E96}ebrew").isEmpty, "under the old rule the tag typed composed finds nobody")

                let outcome = try await M0018_ComposeLoweredText.compose(on: app.db)
                #expect(outcome.names == 1 && outcome.emails == 1 && outcome.tags == 2 && outcome.mergedTags == 3)
                let others = try await PlainRows.all("SELECT kind, name, key, position FROM profile_tags WHERE profile_id = \(bind: hamid) AND kind <> 'expertise' ORDER BY kind, position", on: app.db)
                #expect(try others.map { "\(try $0.string("kind")) \(try $0.string("name")) \(try $0.string("key")) \(try $0.int("position"))" } == ["interests Go go 0", "values Rust rust 0"])
                #expect(outcome.keptEmails.map(\.email) == ["h\u{0331}d@x.com"] && outcome.keptEmails.map(\.otherName) == ["Dana Twin"])
                #expect(try await holders("\u{1E96}ebrew") == ["H\u{0331}amid Noor"])
                #expect(try await holders("H\u{0331}ebrew") == ["H\u{0331}amid Noor"])
                let list = try await PlainRows.all("SELECT name, key, position FROM profile_tags WHERE profile_id = \(bind: hamid) AND kind = 'expertise' ORDER BY position", on: app.db)
                #expect(try list.map { try $0.string("name") } == ["H\u{0331}ebrew", "Go", "Zig"], "the first spelling stays, the list moves up")
                #expect(try list.map { try $0.int("position") } == [0, 1, 2])
                #expect(try Array(list[0].string("key").utf8) == Array(composed.utf8))
                let searchName = try #require(try await PlainRows.first("SELECT search_name FROM users WHERE id = \(bind: hamid)", on: app.db)).string("search_name")
                #expect(Array(searchName.utf8) == Array("\u{1E96}amid noor".utf8))
                let emails = try await PlainRows.all("SELECT email FROM users WHERE name IN ('Cara', 'Dana', 'Dana Twin') ORDER BY name", on: app.db).map { Array(try $0.string("email").utf8) }
                #expect(emails == [Array("\u{1E96}c@x.com".utf8), Array("h\u{0331}d@x.com".utf8), Array("\u{1E96}d@x.com".utf8)])
                try await ServerTests.SearchOrder.compareSearchIndex(app, round: "after the migration")
                try await ServerTests.SearchOrder.compareFacets(app, round: "after the migration")
                // Once more: nothing left to do.
                #expect(try await M0018_ComposeLoweredText.compose(on: app.db) == .init(keptEmails: outcome.keptEmails))
            }
        }

        @Test func `ids made together from one draw of randomness are distinct and in the order made`() {
            var bits = OrderedUUID.Bits()
            let now = Date()
            let ids = (0..<50_000).map { _ in OrderedUUID.make(now: now, random: bits.next()) }
            #expect(Set(ids).count == ids.count)
            #expect(ids.map(\.uuidString) == ids.map(\.uuidString).sorted())
            var (first, second) = (OrderedUUID.Bits(), OrderedUUID.Bits())
            #expect((0..<4).map { _ in first.next() } != (0..<4).map { _ in second.next() }, "each batch draws afresh from the system")
            // The 32 bits are spread: over 50,000 draws every bit is set about half the time.
            var ones = [Int](repeating: 0, count: 32)
            for _ in 0..<50_000 { let value = first.next(); for bit in 0..<32 where value >> bit & 1 == 1 { ones[bit] += 1 } }
            #expect(ones.allSatisfy { (23_000...27_000).contains($0) }, "\(ones)")
        }

        @Test(.enabled(if: usingPostgres, "PostgreSQL's visibility map: SQLite has none"))
        func `on PostgreSQL a large import vacuums what it wrote, so reads along an index skip the table at once`() async throws {
            try await withTrellis { app in
                let sql = try #require(app.db as? any SQLDatabase)
                let rows = (0..<1_200).map { "v\($0)@example.org,Vera \($0),mentee,Sales,,,,,Negotiation,,,,," }
                let plan = try await PeopleCSV.plan(Self.header + "\n" + rows.joined(separator: "\n") + "\n", on: app.db)
                try await TrellisServer.PeopleImport.apply(plan, by: nil, on: app.db)
                for table in ["users", "profiles", "profile_tags", "people_search_tags"] {
                    let row = try #require(try await sql.raw("SELECT relpages, relallvisible FROM pg_class WHERE relname = \(bind: table)").first())
                    let (pages, visible) = (try row.decode(column: "relpages", as: Int32.self), try row.decode(column: "relallvisible", as: Int32.self))
                    // Without the vacuum no page is marked (autovacuum comes a minute or more later); the
                    // test cluster runs with synchronous_commit off, where it marks none either.
                    #expect(pages > 0 && visible == pages, "\(table): \(visible) of \(pages) pages all-visible")
                }
            }
        }

        /// Rows staged by an import whose process went away (killed mid-import) are deleted by the
        /// next import once their lease has not been renewed for `ImportJob.stalledAfter`; a
        /// running import's stay; an import gives its own lease up whether it succeeds or fails.
        @Test func `staged rows of an import that stopped without finishing are deleted by the next`() async throws {
            try await withTrellis { app in
                let sql = try #require(app.db as? any SQLDatabase)
                @Sendable func staged(_ job: UUID) async throws -> Int {
                    try await sql.raw("SELECT COUNT(*) AS n FROM import_tags WHERE job_id = \(bind: job)").first()?.decode(column: "n", as: Int.self) ?? -1
                }
                @Sendable func leases() async throws -> Set<UUID> {
                    Set(try await sql.raw("SELECT job_id FROM import_leases").all().map { try $0.decode(column: "job_id", as: UUID.self) })
                }
                @Sendable func stagedPeople(_ job: UUID) async throws -> Int {
                    try await sql.raw("SELECT COUNT(*) AS n FROM import_people WHERE job_id = \(bind: job)").first()?.decode(column: "n", as: Int.self) ?? -1
                }
                // Three people with a tag each, staged as an import stages them.
                let three = try await PeopleCSV.plan(Self.header + "\n" + (0..<3).map { "s\($0)@example.org,S \($0),mentee,Sales,,,,,Go,,,,," }.joined(separator: "\n") + "\n", on: app.db)
                @Sendable func stage(_ job: UUID, leasedAt: Date?) async throws {
                    if let leasedAt { try await sql.raw("INSERT INTO import_leases (job_id, alive_at) VALUES (\(bind: job), \(bind: leasedAt))").run() }
                    let rows = TrellisServer.PeopleImport.staging(three.records[...], existing: [:], keepingTags: [], texts: SearchIndex.TagTexts(), jobID: job, for: try BulkRows.Target(sql))
                    try await TrellisServer.PeopleImport.write(rows, on: sql)
                }
                let now = Date()
                let (gone, running, older) = (UUID(), UUID(), UUID())
                try await stage(gone, leasedAt: now.addingTimeInterval(-ImportJob.stalledAfter - 60))
                try await stage(running, leasedAt: now.addingTimeInterval(-ImportJob.stalledAfter + 60))
                try await stage(older, leasedAt: nil)  // staged before leases, or after a sweep took the lease
                let job = UUID()
                let plan = try await PeopleCSV.plan(Self.header + "\nada@example.org,Ada,mentee,Sales,,,,,Negotiation,,,,,\n", on: app.db)
                // While it stages, the import holds a lease of its own beside the running one's.
                try await TrellisServer.PeopleImport.apply(plan, jobID: job, by: nil, on: app.db, progress: { _, _ in
                    let held = try await leases()
                    #expect(held == [running, job])
                })
                let (goneRows, gonePeople) = (try await staged(gone), try await stagedPeople(gone))
                #expect(goneRows == 0 && gonePeople == 0)
                let (stillRunning, stagedBefore, own) = (try await staged(running), try await staged(older), try await staged(job))
                #expect(stillRunning == 3 && stagedBefore == 0 && own == 0)
                let (peopleRunning, peopleBefore) = (try await stagedPeople(running), try await stagedPeople(older))
                #expect(peopleRunning == 3 && peopleBefore == 0)
                #expect(try await leases() == [running])

                // An import that fails gives its lease up with its rows.
                let failing = UUID()
                let again = try await PeopleCSV.plan(Self.header + "\nbob@example.org,Bob,mentee,Sales,,,,,Design,,,,,\n", on: app.db)
                await #expect(throws: (any Error).self) {
                    try await TrellisServer.PeopleImport.apply(again, jobID: failing, by: nil, on: app.db, committing: { _, _ in
                        throw Abort(.internalServerError, reason: "stopped on purpose")
                    })
                }
                let (afterFailure, failed) = (try await leases(), try await staged(failing))
                #expect(afterFailure == [running] && failed == 0)

                // An import whose lease was taken for lost meanwhile writes nothing.
                let lost = UUID()
                let third = try await PeopleCSV.plan(Self.header + "\ncleo@example.org,Cleo,mentee,Sales,,,,,Design,,,,,\n", on: app.db)
                await #expect(throws: (any Error).self) {
                    try await TrellisServer.PeopleImport.apply(third, jobID: lost, by: nil, on: app.db, progress: { _, _ in
                        try await sql.raw("DELETE FROM import_leases WHERE job_id = \(bind: lost)").run()
                    })
                }
                let cleo = try await User.query(on: app.db).filter(\.$email == "cleo@example.org").count()
                let (lostRows, lostPeople) = (try await staged(lost), try await stagedPeople(lost))
                #expect(cleo == 0 && lostRows == 0 && lostPeople == 0)

                // An import whose lease is taken while it stages stages no more: its next batch is
                // refused (rows staged after the sweep would belong to nobody).
                let stopped = UUID()
                let batches = Counter()
                let more = try await PeopleCSV.plan(Self.header + "\n" + (0..<1_200).map { "m\($0)@example.org,M \($0),mentee,Sales,,,,,Go,,,,," }.joined(separator: "\n") + "\n", on: app.db)
                await #expect(throws: (any Error).self) {
                    try await TrellisServer.PeopleImport.apply(more, jobID: stopped, by: nil, on: app.db, progress: { _, _ in
                        await batches.add()
                        try await sql.raw("DELETE FROM import_leases WHERE job_id = \(bind: stopped)").run()
                    })
                }
                let (batchesStaged, stoppedRows) = (await batches.value, try await staged(stopped))
                #expect(batchesStaged == 1 && stoppedRows == 0)
                #expect(try await User.query(on: app.db).filter(\.$email == "m0@example.org").count() == 0)

                // The import renews its lease while it runs (here every 20 ms, over two batches).
                let renewed = UUID()
                let started = Date()
                let many = try await PeopleCSV.plan(Self.header + "\n" + (0..<1_200).map { "r\($0)@example.org,R \($0),mentee,Sales,,,,,Go,,,,," }.joined(separator: "\n") + "\n", on: app.db)
                try await TrellisServer.PeopleImport.apply(many, jobID: renewed, by: nil, on: app.db, progress: { staged, _ in
                    guard staged == 1_000 else { return }
                    try await Task.sleep(for: .milliseconds(300))
                    let alive = try await sql.raw("SELECT alive_at FROM import_leases WHERE job_id = \(bind: renewed)").first()?.decode(column: "alive_at", as: Date.self)
                    #expect(try #require(alive) > started.addingTimeInterval(0.1))
                }, leaseRenewal: .milliseconds(20))

                // A lease is renewed while its import runs.
                try await sql.raw("UPDATE import_leases SET alive_at = \(bind: now.addingTimeInterval(-3_600)) WHERE job_id = \(bind: running)").run()
                let renewing = Task { await TrellisServer.PeopleImport.Lease.renew(running, every: .milliseconds(50), on: app.db) }
                try await Task.sleep(for: .milliseconds(400))
                renewing.cancel()
                let alive = try await sql.raw("SELECT alive_at FROM import_leases WHERE job_id = \(bind: running)").first()?.decode(column: "alive_at", as: Date.self)
                #expect(try #require(alive) > now.addingTimeInterval(-60))
            }
        }

        @Test func `an import with one database connection a thread writes its new people without waiting for a second`() async throws {
            // The final transaction holds a connection; what it writes must not wait on another
            // from the pool (new people's search tags were once ordered by a query on a second
            // connection, and with one a thread the import stopped after the pool's 10 s wait).
            var settings = testSettings()
            settings.databaseConnectionsPerLoop = 1
            try await withTrellis(settings: settings) { app in
                let rows = (0..<300).map { "one\($0)@example.org,Una \($0),mentee,Sales,,,English,Négociation;数据 \($0 % 7),,Chess,,,," }
                let plan = try await PeopleCSV.plan(Self.header + "\n" + rows.joined(separator: "\n") + "\n", on: app.db)
                try await TrellisServer.PeopleImport.apply(plan, by: nil, on: app.db)
                let tags = try #require(try await PlainRows.first("SELECT COUNT(*) AS n FROM people_search_tags", on: app.db))
                #expect(try tags.int("n") == 1_200)
            }
        }

        @Test(.enabled(if: usingPostgres, "new people's tags go straight into the tables on PostgreSQL"))
        func `new people's search tags are written in the order of their table's key, as the database sorts it`() async throws {
            // `NewTags` orders the search tags itself (strings ranked by the database, ids by their
            // bytes) so that the table's key fills in turn; the rows read back in the key's order
            // must be exactly those, in that order. Spellings that bytes, case and accents order
            // differently, names shared by several people (so that their ids decide), ids of both
            // kinds (ordered and random), and pieces of seven rows a `COPY`.
            try await withTrellis { app in
                let sql = try #require(app.db as? any SQLDatabase)
                let texts = SearchIndex.TagTexts()
                // Spellings Swift takes for one but the database keeps apart (a composed letter of a
                // script newer than Foundation's normalization, and its decomposed form) must stay
                // apart, as keys and as names.
                let (composed, decomposed) = ("Name \u{105C9}", "Name \u{105D2}\u{0307}")
                let words = ["Zebra", "Äpfel", "apfel-kuchen", "数据", "éclair", "Eclair 2", "a b", "a-b", "A", "ß", "ss", "Ω", "10", "9", "Zürich", "zz", composed, decomposed]
                let names = ["Bea", "bea", "Ünal", "Zoë", "Ann", "Æsa", "李", "Ann-Marie", "ann marie", composed, decomposed]
                var tags = TrellisServer.PeopleImport.NewTags()
                var expected: [[UInt8]] = []
                for index in 0..<60 {
                    let id = index % 2 == 0 ? UUID() : OrderedUUID.make()
                    let searchName = User.searchName(names[index % names.count])
                    let lists: [TagKind: [SearchIndex.TagText]] = [
                        .expertise: texts.normalize((0..<(index % 6)).map { words[(index * 7 + $0 * 3) % words.count] }),
                        .interest: texts.normalize((0..<(index % 4)).map { words[(index + $0 * 5) % words.count] }),
                        .language: texts.normalize(index % 3 == 0 ? [] : ["English", "Español"]),
                    ]
                    tags.add(id: id, searchName: searchName, lists: lists)
                    for kind in TagKind.allCases {
                        expected += (lists[kind] ?? []).map { Array("\($0.key)|\(searchName)|\(id)|\(kind.rawValue)".utf8) }
                    }
                }
                // In two parts, as batches are gathered.
                var whole = TrellisServer.PeopleImport.NewTags()
                let (first, second) = (TrellisServer.PeopleImport.NewTags(), tags)
                whole.append(contentsOf: first)
                whole.append(contentsOf: second)
                let search = whole.searchTags(ranks: try await whole.ranks(on: sql))
                try await TrellisServer.PeopleImport.NewTags.$rowsPerCopy.withValue(7) {
                    try await TrellisServer.PeopleImport.NewTags.write(search, on: sql)
                }
                // Compared by their bytes (Swift's equality would take the two spellings for one).
                let stored = try await sql.raw("SELECT key, sort_name, person_id, kind FROM people_search_tags ORDER BY key, sort_name, person_id, kind").all()
                    .map { Array("\(try $0.decode(column: "key", as: String.self))|\(try $0.decode(column: "sort_name", as: String.self))|\(try $0.decode(column: "person_id", as: UUID.self))|\(try $0.decode(column: "kind", as: String.self))".utf8) }
                let written = search.written.map { Array("\($0.key)|\($0.sortName)|\($0.person)|\($0.kind)".utf8) }
                #expect(stored == written)
                #expect(written.sorted { $0.lexicographicallyPrecedes($1) } == expected.sorted { $0.lexicographicallyPrecedes($1) } && expected.count > 150)
                func holds(_ part: String) -> Bool {
                    let bytes = Array(part.utf8)
                    return written.contains { row in (0...(row.count - bytes.count)).contains { Array(row[$0..<($0 + bytes.count)]) == bytes } }
                }
                #expect(holds("\u{105C9}") && holds("\u{105D2}\u{0307}"), "both spellings are written")
            }
        }

        @Test(.enabled(if: usingPostgres, "PostgreSQL's planner statistics"))
        func `on PostgreSQL the staged rows have statistics of their own before they are applied`() async throws {
            // Statistics of an earlier job's staged rows made the planner take a new job's for
            // none, and join them to the stored tags by scanning them all for each stored tag.
            try await withTrellis { app in
                let sql = try #require(app.db as? any SQLDatabase)
                @Sendable func stagedJobs(_ table: String = "import_tags") async throws -> String {
                    try await sql.raw("SELECT coalesce(most_common_vals::text, '') AS jobs FROM pg_stats WHERE schemaname = current_schema() AND tablename = \(bind: table) AND attname = 'job_id'")
                        .first()?.decode(column: "jobs", as: String.self) ?? ""
                }
                let rows = (0..<300).map { "v\($0)@example.org,Vera \($0),mentee,Sales,,,,,Negotiation;Design,,,,," }
                let first = UUID()
                try await TrellisServer.PeopleImport.apply(try await PeopleCSV.plan(Self.header + "\n" + rows.joined(separator: "\n") + "\n", on: app.db), jobID: first, by: nil, on: app.db)
                // New people's tags are not staged on PostgreSQL (`NewTags`): their people are.
                #expect(try await stagedJobs("import_people").contains(first.uuidString.lowercased()))
                // Every tag list changed: the next job's rows are compared with the stored tags.
                let second = UUID()
                let changed = rows.map { $0.replacingOccurrences(of: "Negotiation;Design", with: "Coaching;Design") }
                let plan = try await PeopleCSV.plan(Self.header + "\n" + changed.joined(separator: "\n") + "\n", on: app.db)
                try await TrellisServer.PeopleImport.apply(plan, jobID: second, by: nil, on: app.db, committing: { _, _ in
                    let jobs = try await stagedJobs()
                    #expect(jobs.contains(second.uuidString.lowercased()) && !jobs.contains(first.uuidString.lowercased()), "statistics of job_id: \(jobs)")
                })
                let coaching = try await sql.raw("SELECT count(*) AS n FROM profile_tags WHERE key = 'coaching'").first()?.decode(column: "n", as: Int.self)
                #expect(coaching == 300)
            }
        }

        @Test func `a confirmed job says it is alive while it waits its turn, and its page does not call it stopped`() async throws {
            // A job confirmed behind a long import used to report only while staging, so after five
            // minutes of waiting its page said the server had stopped.
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let admin = try #require(try await User.query(on: app.db).filter(\.$email == TestPeople.admin).first())
                let old = Date().addingTimeInterval(-10 * 60)
                var ids: [UUID] = []
                for state in [ImportJob.State.running, .done] {
                    let job = ImportJob(adminID: try admin.requireID(), filename: "waiting.csv", csv: "", totalRows: 5, now: old)
                    job.state = state.rawValue
                    job.heartbeatAt = old
                    try await job.save(on: app.db)
                    ids.append(try job.requireID())
                }
                var browser = Browser(app)
                try await browser.signIn(TestPeople.admin)
                #expect(try await browser.get("/admin/import/jobs/\(ids[0])").text.contains("stopped before it finished"))
                let beats = ids.map { id in Task { await ImportRunner.heartbeat(id, every: .milliseconds(20), on: app.db) } }
                try await Task.sleep(for: .milliseconds(300))
                for beat in beats { beat.cancel(); await beat.value }
                let waiting = try #require(try await ImportJob.find(ids[0], on: app.db))
                #expect(!waiting.isStalled() && waiting.heartbeatAt.map { Date().timeIntervalSince($0) < 60 } == true)
                let page = try await browser.get("/admin/import/jobs/\(ids[0])").text
                #expect(page.contains("Checking the file again") && !page.contains("stopped before it finished"))
                // A job that has ended is left as it was.
                let ended = try #require(try await ImportJob.find(ids[1], on: app.db))
                #expect(ended.heartbeatAt.map { abs($0.timeIntervalSince(old)) < 1 } == true)
            }
        }

        @Test func `adding a person while an import adds the same email ends with one of them refused in words`() async throws {
            // On PostgreSQL the two once waited on each other (the import on the email, the new
            // account on the counts the import held) until the database broke the deadlock.
            try await withTrellis { app in
                for round in 0..<6 {
                    let emails = (0..<300).map { "r\(round)p\($0)@example.org" }
                    let file = Self.header + "\n" + emails.map { "\($0),Person,mentee,,,,,,,,,,," }.joined(separator: "\n") + "\n"
                    let plan = try await PeopleCSV.plan(file, on: app.db)
                    let imported = Task { () -> String in
                        do { try await TrellisServer.PeopleImport.apply(plan, by: nil, on: app.db); return "imported" } catch let errors as ValidationErrors {
                            return errors["file"] ?? errors.summary
                        }
                    }
                    try await Task.sleep(for: .milliseconds(round * 15))
                    var added = "added"
                    do {
                        _ = try await PeopleStore.createPerson(email: emails[150], name: "Added", role: .participant, on: app.db)
                    } catch let errors as ValidationErrors {
                        added = errors["email"] ?? errors.summary
                    }
                    let outcome = try await imported.value
                    #expect((outcome == "imported") != (added == "added"), "round \(round): \(outcome) / \(added)")
                    if outcome != "imported" { #expect(outcome.contains("added to Trellis by someone else")) }
                    if added != "added" { #expect(added.contains("already in Trellis")) }
                    #expect(try await User.query(on: app.db).filter(\.$email == emails[150]).count() == 1)
                    try await ServerTests.SearchOrder.compareFacets(app, round: "round \(round)")
                }
            }
        }

        @Test func `someone added after the preview refuses the import that would create them again`() async throws {
            // The import once found them at its start and updated the new account instead, counting
            // them as created; the race above failed on PostgreSQL when the account came first.
            try await withTrellis { app in
                let file = Self.header + "\nkim@example.org,Kim,mentee,,,,,,,,,,,\nlee@example.org,Lee,mentee,,,,,,,,,,,\n"
                let plan = try await PeopleCSV.plan(file, on: app.db)
                _ = try await PeopleStore.createPerson(email: "lee@example.org", name: "Lee Added", role: .participant, on: app.db)
                await #expect(throws: TrellisServer.PeopleImport.addedMeanwhile) {
                    try await TrellisServer.PeopleImport.apply(plan, by: nil, on: app.db)
                }
                #expect(try await User.query(on: app.db).count() == 1)
                #expect(try await User.query(on: app.db).first()?.name == "Lee Added")
                // An account without a profile (older data) is not in the preview's reading of who
                // exists: the import takes it over and gives it one, as before.
                let lee = try #require(try await User.query(on: app.db).first())
                try await Profile.query(on: app.db).filter(\.$id == lee.requireID()).delete()
                let again = try await PeopleCSV.plan(file, on: app.db)
                try await TrellisServer.PeopleImport.apply(again, by: nil, on: app.db)
                #expect(try await User.query(on: app.db).count() == 2)
                #expect(try await Profile.query(on: app.db).count() == 2)
            }
        }

        @Test func `what a job records on finishing is written in the import's own transaction`() async throws {
            // So an import that committed is never shown as running or as stopped afterwards: if
            // the last step of that transaction fails, nothing is imported.
            try await withTrellis { app in
                struct Refused: Error {}
                let plan = try await PeopleCSV.plan(Self.header + "\nw@example.org,Wes,mentee,,,,,,,,,,,\n", on: app.db)
                await #expect(throws: Refused.self) {
                    try await TrellisServer.PeopleImport.apply(plan, by: nil, on: app.db, committing: { _, _ in throw Refused() })
                }
                #expect(try await User.query(on: app.db).count() == 0)
                let outcome = try await TrellisServer.PeopleImport.apply(plan, by: nil, on: app.db, committing: { tx, outcome in
                    // Inside the transaction, the people are already there.
                    let found = try await User.query(on: tx).filter(\.$email == "w@example.org").count()
                    #expect(found == 1 && outcome.created == 1)
                })
                #expect(outcome.created == 1)
            }
        }

        @Test(.enabled(if: !usingPostgres, "SQLite's rebuild of the staging table"))
        func `making the staging table again is all or nothing, keeps its rows, and can run again after a failure`() async throws {
            try await withTrellis { app in
                let sql = try #require(app.db as? any SQLDatabase)
                let job = UUID()
                func stage(role: String?) async throws {
                    try await sql.raw("""
                        INSERT INTO import_people (job_id, user_id, is_new, email, name, search_name, role, department, timezone, doc_name, doc_expertise, doc_development, doc_other)
                        VALUES (\(bind: job), \(bind: UUID()), \(bind: true), \(bind: "s\(UUID())@example.org"), 'S', 's', \(bind: role), '', '', '', '', '', '')
                        """).run()
                }
                // The table as M0012 found it (the columns added after it, M0016, come back at the end).
                try await M0016_StageKeptTags().revert(on: app.db)
                try await stage(role: "mentee")
                try await stage(role: nil)
                // Back to a required role: the row without one is left out, the other kept.
                try await M0012_AllowImportWithoutRole().revert(on: app.db)
                #expect(try await sql.raw("SELECT COUNT(*) AS n FROM import_people").first()?.decode(column: "n", as: Int.self) == 1)
                // A failure part way (here: a column the copy does not expect) changes nothing
                // and leaves nothing behind; once the cause is gone, it runs.
                try await sql.raw("ALTER TABLE import_people ADD COLUMN extra TEXT").run()
                await #expect(throws: (any Error).self) { try await M0012_AllowImportWithoutRole().prepare(on: app.db) }
                #expect(try await sql.raw("SELECT name FROM sqlite_master WHERE name = 'import_people_rebuilt'").all().isEmpty)
                #expect(try await sql.raw("SELECT COUNT(*) AS n FROM import_people").first()?.decode(column: "n", as: Int.self) == 1)
                try await sql.raw("ALTER TABLE import_people DROP COLUMN extra").run()
                try await M0012_AllowImportWithoutRole().prepare(on: app.db)
                try await stage(role: nil)
                #expect(try await sql.raw("SELECT COUNT(*) AS n FROM import_people").first()?.decode(column: "n", as: Int.self) == 2)
                #expect(try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'idx_import_people_user'").all().count == 1)
                try await M0016_StageKeptTags().prepare(on: app.db)
                #expect(try await sql.raw("SELECT COUNT(*) AS n FROM import_people WHERE keeps_tags = \(bind: false) AND recounts = \(bind: false)").first()?.decode(column: "n", as: Int.self) == 2)
            }
        }

        @Test func `an import discards its own staged rows and leaves another import's, however many it staged`() async throws {
            // On SQLite a table holding only the import's own rows is emptied whole; another
            // process's import may have staged rows meanwhile, which must stay.
            try await withTrellis { app in
                let sql = try #require(app.db as? any SQLDatabase)
                let other = UUID()
                func stageOther() async throws {
                    // Under a lease of its own, as an import running elsewhere holds one (rows
                    // without one are an import's that stopped, and the next import deletes them).
                    try await sql.raw("INSERT INTO import_leases (job_id, alive_at) VALUES (\(bind: other), \(bind: Date()))").run()
                    try await sql.raw("""
                        INSERT INTO import_people (job_id, user_id, is_new, email, name, search_name, role, department, timezone, doc_name, doc_expertise, doc_development, doc_other)
                        VALUES (\(bind: other), \(bind: UUID()), \(bind: true), \(bind: "o\(UUID())@example.org"), 'O', 'o', 'mentee', '', '', '', '', '', '')
                        """).run()
                    try await sql.raw("""
                        INSERT INTO import_tags (job_id, id, profile_id, kind, name, key, position)
                        VALUES (\(bind: other), \(bind: UUID()), \(bind: UUID()), 'interests', 'Chess', 'chess', 0)
                        """).run()
                }
                func staged() async throws -> [String: Int] {
                    var counts: [String: Int] = [:]
                    for table in ["import_people", "import_tags"] {
                        for row in try await sql.raw("SELECT job_id, COUNT(*) AS n FROM \(ident: table) GROUP BY job_id").all() {
                            counts["\(table) \(try row.decode(column: "job_id", as: UUID.self) == other ? "other" : "own")", default: 0] += try row.decode(column: "n", as: Int.self)
                        }
                    }
                    return counts
                }
                func file(_ rows: Int, _ interest: String) -> String {
                    Self.header + "\n" + (0..<rows).map { "d\($0)@example.org,Dana \($0),mentee,Sales,,,,,Design,\(interest),,,," }.joined(separator: "\n") + "\n"
                }
                // A small import and a large one (1,000 people or more: the large transaction's
                // settings), each with another job's rows staged, then without any.
                try await stageOther()
                try await TrellisServer.PeopleImport.apply(try await PeopleCSV.plan(file(20, "Chess"), on: app.db), by: nil, on: app.db)
                #expect(try await staged() == ["import_people other": 1, "import_tags other": 1])
                try await TrellisServer.PeopleImport.apply(try await PeopleCSV.plan(file(1_200, "Go"), on: app.db), by: nil, on: app.db)
                #expect(try await staged() == ["import_people other": 1, "import_tags other": 1])
                try await TrellisServer.PeopleImport.discardStaged(jobID: other, on: app.db)
                try await TrellisServer.PeopleImport.apply(try await PeopleCSV.plan(file(1_200, "Chess"), on: app.db), by: nil, on: app.db)
                #expect(try await staged() == [:])
                #expect(try await PlainRows.first("SELECT COUNT(*) AS n FROM profile_tags WHERE key = 'chess'", on: app.db)?.int("n") == 1_200)
            }
        }

        @Test(.enabled(if: !usingPostgres, "SQLite's settings for a large transaction"))
        func `a large transaction's settings hold inside it and are a writer's again after it`() async throws {
            try await withTrellis { app in
                @Sendable func settings(_ sql: any SQLDatabase) async throws -> [String: Int] {
                    var values: [String: Int] = [:]
                    for pragma in ["cache_spill", "cache_size", "threads", "secure_delete"] {
                        values[pragma] = try await sql.raw("PRAGMA \(unsafeRaw: pragma)").first()?.decode(column: pragma, as: Int.self)
                    }
                    return values
                }
                try await DatabaseWrites.transaction(on: app.db) { tx in
                    let sql = try #require(tx as? any SQLDatabase)
                    let writer = try await settings(sql)
                    #expect(writer["secure_delete"] == 1, "every other transaction zeroes what it deletes")
                    #expect(writer["cache_size"] == -DatabaseWrites.cacheKiB)
                    try await DatabaseWrites.beginLargeTransaction(holdingKiB: 1 << 20, sortHelpers: 2, on: sql)
                    let large = try await settings(sql)
                    // 1 GB, in pages of 4 KiB and a little (SQLite's own header of each page in
                    // memory): 0 would be spilling turned off.
                    #expect((230_000...262_144).contains(large["cache_spill"] ?? 0), "\(large)")
                    #expect(large["cache_size"] == -DatabaseWrites.sortKiB)
                    #expect(large["threads"] == 2)
                    #expect(large["secure_delete"] == 2, "FAST")
                    try await DatabaseWrites.endLargeTransaction(on: sql)
                    #expect(try await settings(sql) == writer)
                }
            }
        }

        @Test func `a preview where nothing would change offers nothing to import`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                try await PeopleCSV.apply(try await PeopleCSV.plan(String(decoding: Self.tricky, as: UTF8.self), on: app.db), by: nil, on: app.db)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let preview = try await admin.upload("/admin/import/preview", file: Self.tricky, filename: "people.csv")
                #expect(preview.text.contains("there is nothing to import"))
                #expect(!preview.text.contains("action=\"/admin/import/confirm\""))
            }
        }

        @Test func `a file with bad rows writes nothing and lists every problem`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let csv = Self.header + "\n"
                    + "ok@example.org,Okay Person,mentee,Sales,,Europe/Paris,English,,Writing,,,,weekly,3\n"
                    + "bad-email,Someone,mentee,Sales,,Europe/Paris,English,,,,,,,\n"
                    + "x@example.org,X,teacher,Sales,,Nowhere/City,English,,,,,,daily,\n"
                for path in ["/admin/import/preview"] {
                    let response = try await admin.post(path, [("csv", csv)])
                    #expect(response.status == .unprocessableEntity)
                    let html = response.text
                    #expect(html.contains("Nothing was imported"))
                    #expect(html.contains("The file has 4 problems"))
                    #expect(html.contains("<td>3</td><td>email</td><td>bad-email</td>"))
                    #expect(html.contains("<td>4</td><td>role</td><td>teacher</td><td>Mentoring role: choose mentor, mentee or both (got “teacher”).</td>"))
                    #expect(html.contains("<td>4</td><td>timezone</td><td>Nowhere/City</td>"))
                    #expect(html.contains("<td>4</td><td>meeting_frequency</td><td>daily</td>"))
                }
                #expect(try await User.query(on: app.db).count() == 3)
            }
        }

        @Test func `a file wrong on every row lists the first thousand problems and says how many there are`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let rows = (0..<1_500).map { "p\($0)@example.org,Person \($0),teacher,,,,,,,,,,," }
                let response = try await admin.post("/admin/import/preview", [("csv", Self.header + "\n" + rows.joined(separator: "\n") + "\n")])
                #expect(response.status == .unprocessableEntity)
                #expect(response.text.contains("The file has 1,500 problems."))
                #expect(response.text.contains("The first 1,000 are listed below"))
                #expect(response.text.contains("--dry-run"))
                #expect(response.text.components(separatedBy: "<td>role</td>").count - 1 == 1_000)
                #expect(response.text.contains("<td>1001</td><td>role</td>") && !response.text.contains("<td>1002</td><td>role</td>"))
            }
        }

        @Test func `files that are not CSV people files are explained`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let notUTF8 = try await admin.upload("/admin/import/preview", file: Data([0xFF, 0xFE, 0x00, 0xD8, 0x00]), filename: "people.csv")
                #expect(notUTF8.status == .unprocessableEntity)
                #expect(notUTF8.text.contains("not UTF-8"))
                let wrongHeader = try await admin.post("/admin/import/preview", [("csv", "name,email\nA,a@example.org\n")])
                #expect(wrongHeader.text.contains("The header is missing this column"))
                let nothing = try await admin.post("/admin/import/preview", [("csv", "  ")])
                #expect(nothing.text.contains("Choose a CSV file"))
            }
        }

        /// PostgreSQL stages an import with `COPY` in its text format, where a backslash starts an
        /// escape (`\N` is NULL, `\.` once ended the data): every such text must arrive as typed.
        @Test func `backslashes and COPY's escapes in a file are stored as they were typed`() async throws {
            try await withTrellis { app in
                let texts = ["Back\\slash", "\\N", "\\.", "a\\tb", "\\\\", "O'Brien \"\\n\"", "Zoë\\ø 日本"]
                var csv = Self.header + "\n"
                for (index, text) in texts.enumerated() {
                    func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
                    csv += "b\(index)@example.org,\(quoted("\(text) \(index)")),mentee,\(quoted(text)),,,,,\(quoted(text)),,,,,\n"
                }
                let plan = try await PeopleCSV.plan(csv, on: app.db)
                try #require(plan.isValid, "\(plan.problems)")
                try await PeopleCSV.apply(plan, by: nil, on: app.db)
                for (index, text) in texts.enumerated() {
                    let user = try #require(try await User.query(on: app.db).filter(\.$email == "b\(index)@example.org").first())
                    #expect(user.name == "\(text) \(index)")
                    #expect(try await Profile.find(user.id, on: app.db)?.department == text)
                    let tags = try await PeopleStore.tags(of: [try user.requireID()], on: app.db)
                    #expect(tags[try user.requireID()]?[.development] == [text], "\(text)")
                }
            }
        }

        @Test func `export then import changes nothing; a changed row updates the person`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                try await PeopleCSV.apply(try await PeopleCSV.plan(String(decoding: Self.tricky, as: UTF8.self), on: app.db), by: nil, on: app.db)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let export = try await admin.get("/admin/export/people.csv")
                #expect(export.status == .ok)
                #expect(export.headers.contentType?.subType == "csv")
                #expect(export.headers.first(name: .contentDisposition)?.contains("trellis-people.csv") == true)
                let csv = export.text
                #expect(csv.hasPrefix(Self.header + "\n"))
                #expect(csv.contains("\"Zoë \"\"Z\"\" Ødegård\""), "quotes are escaped by the CSV writer")

                let before = try await PeopleCSV.exportRecords(on: app.db)
                let again = try await PeopleCSV.plan(csv, on: app.db)
                #expect(again.isValid)
                // Everyone, the three without a mentoring role included.
                #expect(again.count(.unchanged) == 5 && again.count(.update) == 0 && again.count(.create) == 0)
                try await PeopleCSV.apply(again, by: nil, on: app.db)
                #expect(try await PeopleCSV.exportRecords(on: app.db) == before)

                let changed = csv.replacingOccurrences(of: ",Sales,zoe@example.org,", with: ",Marketing,zoe@example.org,")
                let plan = try await PeopleCSV.plan(changed, on: app.db)
                #expect(plan.count(.update) == 1)
                try await PeopleCSV.apply(plan, by: nil, on: app.db)
                let jose = try #require(try await User.query(on: app.db).filter(\.$email == "jose@example.org").first())
                #expect(try await Profile.find(jose.id, on: app.db)?.department == "Marketing")
                #expect(try await User.query(on: app.db).count() == 5)
            }
        }

        @Test func `the export holds people without a mentoring role, so it imports into an empty Trellis with every reporting line`() async throws {
            // Exports used to leave out everyone without a mentoring role: a mentee whose manager
            // had none was exported with a manager_email that was in no file, so the export did
            // not import anywhere else, and `trellis match` could not see the line above.
            var exported = ""
            try await withTrellis { app in
                let file = Self.header + "\n"
                    + "top@example.org,Tia Top,mentor,Ops,,,,,,,,2,,\n"
                    + "middle@example.org,Max Middle,,Ops,top@example.org,,,,,,,,,\n"
                    + "report@example.org,Rae Report,mentee,Ops,middle@example.org,,,,,,,,,\n"
                let plan = try await PeopleCSV.plan(file, on: app.db)
                #expect(plan.isValid, "\(plan.problems)")
                try await PeopleCSV.apply(plan, by: nil, on: app.db)
                var admin = Browser(app)
                try await TestPeople.create(on: app)
                try await admin.signIn(TestPeople.admin)
                exported = try await admin.get("/admin/export/people.csv").text
            }
            #expect(exported.contains("\nmiddle@example.org,Max Middle,,Ops,top@example.org,"))
            try await withTrellis { app in
                let plan = try await PeopleCSV.plan(exported, on: app.db)
                #expect(plan.isValid, "\(plan.problems)")
                try await PeopleCSV.apply(plan, by: nil, on: app.db)
                let middle = try #require(try await User.query(on: app.db).filter(\.$email == "middle@example.org").first())
                let report = try #require(try await User.query(on: app.db).filter(\.$email == "report@example.org").first())
                #expect(try await Profile.find(report.id, on: app.db)?.managerID == middle.id)
                #expect(try await Profile.find(middle.id, on: app.db)?.mentoringRole == nil)
                // And exported again, the same file.
                #expect(PeopleFile.text(of: try await PeopleCSV.exportRecords(on: app.db)) == exported)
            }
        }

        @Test func `a preview says who would lose their mentoring role because the file leaves it blank`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                try await PeopleCSV.apply(try await PeopleCSV.plan(String(decoding: Self.tricky, as: UTF8.self), on: app.db), by: nil, on: app.db)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let export = try await admin.get("/admin/export/people.csv").text
                // Zoë mentors; her row with the role and capacity left blank.
                let blanked = export.replacingOccurrences(of: ",mentor,Sales,,Europe/Oslo,", with: ",,Sales,,Europe/Oslo,")
                    .replacingOccurrences(of: ",Candour,3,monthly,", with: ",Candour,,monthly,")
                #expect(blanked != export)
                let plan = try await PeopleCSV.plan(blanked, on: app.db)
                #expect(plan.isValid, "\(plan.problems)")
                #expect(plan.losingRole == ["zoe@example.org"])
                let preview = try await admin.post("/admin/import/preview", [("csv", blanked)])
                #expect(preview.text.contains("1 person has a mentoring role now and would lose it"))
                #expect(preview.text.contains("zoe@example.org. If that is not what you meant"))
                // The export itself takes nobody's role away.
                #expect(try await PeopleCSV.plan(export, on: app.db).losingRole.isEmpty)
            }
        }

        @Test func `re-importing keeps profile text the file does not carry`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                try await PeopleCSV.apply(try await PeopleCSV.plan(String(decoding: Self.tricky, as: UTF8.self), on: app.db), by: nil, on: app.db)
                let zoe = try #require(try await User.query(on: app.db).filter(\.$email == "zoe@example.org").first())
                let profile = try #require(try await Profile.find(zoe.id, on: app.db))
                profile.bio = "Twenty years of enterprise deals."
                try await profile.save(on: app.db)
                let csv = String(decoding: Self.tricky, as: UTF8.self).replacingOccurrences(of: "Skiing", with: "Skiing;Sailing")
                try await PeopleCSV.apply(try await PeopleCSV.plan(csv, on: app.db), by: nil, on: app.db)
                let (draft, _) = try await PeopleStore.draft(for: zoe, on: app.db)
                #expect(draft.bio == "Twenty years of enterprise deals.")
                #expect(draft.tags(.interest) == ["Skiing", "Sailing"])
            }
        }

        @Test func `an import writes every profile whole: new people, an account without a profile, a manager added later in the file or taken away`() async throws {
            try await withTrellis { app in
                // An account with no profile row yet, and a person whose manager the file takes away.
                // (createPerson makes an empty profile; the import must not count on one being there.)
                let lone = try await PeopleStore.createPerson(email: "lone@example.org", name: "Lone Wolf", role: .participant, on: app.db)
                try await Profile.query(on: app.db).filter(\.$id == lone.requireID()).delete()
                #expect(try await Profile.find(lone.id, on: app.db) == nil)
                let first = Self.header + "\n"
                    + "kept@example.org,Kept Person,mentee,Ops,old@example.org,Europe/Paris,French,,Python,,,,weekly,4\n"
                    + "old@example.org,Old Boss,mentor,Ops,,Europe/Paris,French,Python,,,,1,monthly,20\n"
                try await PeopleCSV.apply(try await PeopleCSV.plan(first, on: app.db), by: nil, on: app.db)
                let old = try #require(try await User.query(on: app.db).filter(\.$email == "old@example.org").first())
                let kept = try #require(try await User.query(on: app.db).filter(\.$email == "kept@example.org").first())
                #expect(try await Profile.find(kept.id, on: app.db)?.managerID == old.id)

                let second = Self.header + "\n"
                    + "lone@example.org,Lone Wolf,mentee,Research,boss@example.org,Asia/Tokyo,Japanese,,Statistics,,,,biweekly,3\n"
                    + "kept@example.org,Kept Person,mentee,Ops,,Europe/Paris,French,,Python,,,,weekly,4\n"
                    + "new@example.org,New Person,mentee,Research,old@example.org,Asia/Tokyo,Japanese,,Statistics,,,,as-needed,\n"
                    + "boss@example.org,Big Boss,mentor,Research,,Asia/Tokyo,Japanese,Statistics,,,,2,monthly,25\n"
                let plan = try await PeopleCSV.plan(second, on: app.db)
                #expect(plan.isValid, "\(plan.problems)")
                try await PeopleCSV.apply(plan, by: nil, on: app.db)
                let boss = try #require(try await User.query(on: app.db).filter(\.$email == "boss@example.org").first())
                let newcomer = try #require(try await User.query(on: app.db).filter(\.$email == "new@example.org").first())

                let loneProfile = try #require(try await Profile.find(lone.id, on: app.db), "the account without a profile has one now")
                #expect(loneProfile.department == "Research" && loneProfile.timezone == "Asia/Tokyo")
                #expect(loneProfile.mentoringRole == MentoringRole.mentee.rawValue && loneProfile.capacityMentees == nil)
                #expect(loneProfile.meetingFrequency == MeetingFrequency.biweekly.rawValue && loneProfile.yearsExperience == 3)
                #expect(loneProfile.managerID == boss.id, "a manager who comes later in the file")
                #expect(try await Profile.find(kept.id, on: app.db)?.managerID == nil, "a manager the file leaves blank is taken away")
                let newProfile = try #require(try await Profile.find(newcomer.id, on: app.db))
                #expect(newProfile.managerID == old.id && newProfile.yearsExperience == nil)
                #expect(newProfile.meetingFrequency == MeetingFrequency.asNeeded.rawValue && newProfile.department == "Research")
                let bossProfile = try #require(try await Profile.find(boss.id, on: app.db))
                #expect(bossProfile.mentoringRole == MentoringRole.mentor.rawValue && bossProfile.capacityMentees == 2 && bossProfile.yearsExperience == 25)
                #expect(bossProfile.managerID == nil && bossProfile.bio == "" && bossProfile.contactPrivate == false)
                // Their tags are written as well.
                let (draft, _) = try await PeopleStore.draft(for: lone, on: app.db)
                #expect(draft.tags(.development) == ["Statistics"] && draft.tags(.language) == ["Japanese"])
            }
        }

        /// The preview reads the file and checks each row on a thread beside the reading of
        /// everyone stored (`PeopleCSV.plan`): with more people stored than one read takes, it must
        /// find what checking after the reading finds, and a file it cannot read is still explained.
        @Test func `a preview checks the file beside reading everyone stored and finds what one after the other finds`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                // 2,500 stored (more than one read of 2,000), in chains of managers.
                let stored = (0..<2_500).map { i in
                    "s\(i)@example.org,Stored \(i),\(i % 5 == 0 ? "mentor" : "mentee"),Dept \(i / 100),\(i % 100 == 0 ? "" : "s\(i - 1)@example.org"),Europe/Oslo,English,\(i % 5 == 0 ? "Sales" : ""),\(i % 5 == 0 ? "" : "Sales"),,,\(i % 5 == 0 ? "2" : ""),monthly,3"
                }
                try await PeopleCSV.apply(try await PeopleCSV.plan(Self.header + "\n" + stored.joined(separator: "\n") + "\n", on: app.db), by: nil, on: app.db)
                let rows = [
                    // a new person managed by someone stored and not in the file
                    "new@example.org,New Person,mentee,Dept 1,s2399@example.org,Europe/Oslo,English,,Sales,,,,monthly,1",
                    // a stored person changed
                    "s7@example.org,Stored Seven,mentee,Dept 0,s6@example.org,Europe/Oslo,English,,Sales;Design,,,,monthly,3",
                    // a loop through stored people: s2100 is managed (through s2101…s2149) by s2150
                    "s2100@example.org,Stored 2100,mentee,Dept 21,s2150@example.org,Europe/Oslo,English,,Sales,,,,monthly,3",
                    // a manager nobody knows, and a bad time zone
                    "ghost@example.org,Ghost,mentee,,nobody@example.org,Mars/Olympus,,,,,,,,",
                ]
                let text = Self.header + "\n" + rows.joined(separator: "\n") + "\n"
                let plan = try await PeopleCSV.plan(text, on: app.db)
                let existing = try await PeopleCSV.exportRecords(on: app.db)
                let file = try PeopleFile.read(text)
                let oneAfterTheOther = PeopleTable.parse(
                    header: file.header, rows: file.rows,
                    existingManagers: Dictionary(existing.map { ($0.email, $0.managerEmail) }, uniquingKeysWith: { first, _ in first }).compactMapValues { $0 },
                    knownEmails: Set(existing.map(\.email)), workers: 1)
                #expect(plan.problems.map(\.description) == oneAfterTheOther.problems.map(\.description))
                #expect(plan.problems.contains { $0.row == 4 && $0.message.contains("reporting loop") }, "\(plan.problems)")
                #expect(plan.problems.contains { $0.row == 5 && $0.column == "manager_email" })
                #expect(plan.problems.contains { $0.row == 5 && $0.column == "timezone" })
                #expect(!plan.problems.contains { $0.row == 2 }, "a manager stored and not in the file is known")

                let good = Self.header + "\n" + rows[0...1].joined(separator: "\n") + "\n"
                let goodPlan = try await PeopleCSV.plan(good, on: app.db)
                #expect(goodPlan.isValid, "\(goodPlan.problems)")
                #expect(goodPlan.changes == [.create, .update])

                // An empty file (a byte-order mark and blanks) is refused before anyone is read.
                for empty in ["", "\u{FEFF}", " \r\n\t"] {
                    do {
                        _ = try await PeopleCSV.plan(empty, on: app.db)
                        Issue.record("an empty file was accepted")
                    } catch let errors as ValidationErrors {
                        #expect(errors["file"]?.contains("The file is empty") == true)
                    }
                }
            }
        }

        @Test func `a loop with people already stored is refused`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                try await PeopleCSV.apply(try await PeopleCSV.plan(String(decoding: Self.tricky, as: UTF8.self), on: app.db), by: nil, on: app.db)
                // Stored: José reports to Zoë. This file makes Zoë report to José.
                let csv = Self.header + "\nzoe@example.org,Zoë,mentor,Sales,jose@example.org,Europe/Oslo,English,Negotiation,,,,3,monthly,15\n"
                let plan = try await PeopleCSV.plan(csv, on: app.db)
                #expect(plan.problems.contains { $0.row == 2 && $0.column == "manager_email" && $0.message.contains("zoe@example.org → jose@example.org → zoe@example.org") })
            }
        }

        @Test func `a loop through a stored person without a mentoring role is refused too`() async throws {
            // The stored reporting lines were read from the export, which left out people
            // without a mentoring role: a loop through one of them went unseen.
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let alice = try #require(try await User.query(on: app.db).filter(\.$email == TestPeople.alice).first())
                let bob = try #require(try await User.query(on: app.db).filter(\.$email == TestPeople.bob).first())
                // Stored, neither with a mentoring role: Alice reports to Bob.
                let profile = try #require(try await Profile.find(alice.id, on: app.db))
                profile.managerID = bob.id
                try await profile.save(on: app.db)
                let csv = Self.header + "\n\(TestPeople.bob),Bob Brown,mentee,,\(TestPeople.alice),,,,,,,,,\n"
                let plan = try await PeopleCSV.plan(csv, on: app.db)
                #expect(plan.problems.contains { $0.column == "manager_email" && $0.message.contains("reporting loop") }, "\(plan.problems)")
            }
        }

        @Test func `the command line imports, dry-runs and exports`() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let input = directory.appendingPathComponent("people.csv")
            let output = directory.appendingPathComponent("out.csv")
            try Self.tricky.write(to: input)
            try await withTrellis { app in
                try await run(app, ["trellis", "import", "people", input.path, "--dry-run"])
                #expect(try await User.query(on: app.db).count() == 0, "a dry run writes nothing")
                try await run(app, ["trellis", "import", "people", input.path])
                #expect(try await User.query(on: app.db).count() == 2)
                try await run(app, ["trellis", "export", "people", output.path])
                let exported = try String(contentsOf: output, encoding: .utf8)
                #expect(exported.hasPrefix(Self.header))
                #expect(exported.contains("jose@example.org"))
                // Again over the same file (replacing it had deleted it, leaving only the partial file).
                try Data("an older export".utf8).write(to: output)
                try await run(app, ["trellis", "export", "people", output.path])
                #expect(try String(contentsOf: output, encoding: .utf8) == exported)
                try await run(app, ["trellis", "export", "people", output.path])
                #expect(try String(contentsOf: output, encoding: .utf8) == exported)
                let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".partial") }
                #expect(left.isEmpty, "\(left)")
                // A new export is readable by its owner only; an earlier export keeps its permissions.
                func mode(_ url: URL) throws -> Int { (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? -1 }
                let fresh = directory.appendingPathComponent("fresh.csv")
                try await run(app, ["trellis", "export", "people", fresh.path])
                #expect(try mode(fresh) == 0o600)
                try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: output.path)
                try await run(app, ["trellis", "export", "people", output.path])
                #expect(try mode(output) == 0o640)
                // Through a link, the file it points to gets the export and the link stays a link.
                let real = directory.appendingPathComponent("real.csv"), link = directory.appendingPathComponent("link.csv")
                try Data("older".utf8).write(to: real)
                try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
                try await run(app, ["trellis", "export", "people", link.path])
                #expect(try String(contentsOf: real, encoding: .utf8) == exported)
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == real.path)
                // A folder, or a folder that is not there: a clear failure, nothing written.
                await #expect(throws: ExitCode.self) { try await run(app, ["trellis", "export", "people", directory.path]) }
                await #expect(throws: ExitCode.self) { try await run(app, ["trellis", "export", "people", directory.appendingPathComponent("nowhere/out.csv").path]) }
                // "-" is standard output (the parser had read it as an option).
                try await run(app, TrellisMain.commandArguments(["trellis", "export", "people", "-"]))
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".partial") }.isEmpty)
                let bad = directory.appendingPathComponent("bad.csv")
                try Data((Self.header + "\nnope,N,mentee,,,,,,,,,,,\n").utf8).write(to: bad)
                await #expect(throws: ExitCode.self) { try await run(app, ["trellis", "import", "people", bad.path]) }
            }
        }

        @Test func `the command line says in words why a whole import was refused`() async throws {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-cli-\(UUID().uuidString).csv")
            defer { try? FileManager.default.removeItem(at: file) }
            try Data((Self.header + "\nnew@example.org,New Person,mentee,Sales,,,,,Go,,,,,\n").utf8).write(to: file)
            try await withTrellis { app in
                // Every lease is taken away as soon as it is taken, as a sweep by another import
                // would: the import refuses to stage without one.
                let sql = try #require(app.db as? any SQLDatabase)
                if SearchIndex.isPostgres(sql) {
                    try await sql.raw("""
                        CREATE FUNCTION drop_lease() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN DELETE FROM import_leases WHERE job_id = NEW.job_id; RETURN NULL; END $$
                        """).run()
                    try await sql.raw("CREATE TRIGGER drop_lease AFTER INSERT ON import_leases FOR EACH ROW EXECUTE FUNCTION drop_lease()").run()
                } else {
                    try await sql.raw("CREATE TRIGGER drop_lease AFTER INSERT ON import_leases BEGIN DELETE FROM import_leases WHERE job_id = NEW.job_id; END").run()
                }
                let console = TestConsole()
                var context = CommandContext(console: console, input: CommandInput(arguments: ["trellis", "import", "people", file.path]))
                context.application = app
                await #expect(throws: ExitCode.self) { try await console.run(app.asyncCommands.group(), with: context) }
                #expect(console.text.contains("Another import took this import's staged rows"), "\(console.text)")
                #expect(!console.text.contains("ValidationErrors"), "\(console.text)")
                #expect(try await User.query(on: app.db).filter(\.$email == "new@example.org").count() == 0)
            }
        }
    }

    @Suite struct Demo {
        @Test func `the demo organisation loads, and its program manager can sign in`() async throws {
            try await withTrellis { app in
                try await DemoLoader.load(on: app, console: app.console)
                let count = try await User.query(on: app.db).count()
                #expect(count == DemoOrganisation.people().count)
                #expect(try await Set(Profile.query(on: app.db).all().map(\.department)).count >= 6)
                var admin = Browser(app)
                try await admin.signIn(DemoOrganisation.adminEmail, DemoOrganisation.password)
                #expect(try await admin.get("/admin/people").status == .ok)
                // A full page of mentors with expertise, searchable by tag.
                let page = try await admin.get("/people?q=negotiation").text
                #expect(page.contains("people"))
                // Its programs: one active with published pairs, one with a run waiting for
                // review, one open for enrolment; the demo participant has a mentor.
                let programs = try await Program.query(on: app.db).all()
                #expect(Set(programs.map(\.programState)) == [.active, .matching, .enrolling])
                let review = try #require(programs.first { $0.programState == .matching && $0.matchingMode == .bulk })
                let choosing = try #require(programs.first { $0.matchingMode == .selfSelect })
                #expect(choosing.programState == .matching)
                #expect(try await MentoringRequest.query(on: app.db).filter(\.$programID == choosing.requireID()).filter(\.$state == RequestState.pending.rawValue).count() >= 2)
                #expect(try await Mentorship.query(on: app.db).filter(\.$programID == choosing.requireID()).count() == 1, "one mentor full")
                #expect(try await WaitlistPlace.query(on: app.db).filter(\.$programID == choosing.requireID()).count() == 1)
                // Every demo program passes the rules its settings form applies, so a manager can
                // save it unchanged.
                for program in programs { #expect(program.draft.validate().isEmpty, "\(program.name): \(program.draft.validate().fields)") }
                // A preference program collecting rankings: shortlists, and one mentor's ranking.
                let ranking = try #require(programs.first { $0.matchingMode == .preference })
                #expect(ranking.programState == .enrolling && ranking.menteesRanked >= 3 && ranking.mentorsRanked == 1)
                #expect(try await RankingEntry.query(on: app.db).filter(\.$programID == ranking.requireID()).count() >= 6)
                let pending = try #require(try await MatchRun.query(on: app.db).filter(\.$programID == review.requireID()).first())
                #expect(pending.runState == .done && pending.publishedAt == nil && pending.matched > 0)
                #expect(try await admin.get("/admin/programs/\(try review.requireID())/runs/1").text.contains("Publish"))
                var sam = Browser(app)
                try await sam.signIn(DemoOrganisation.participantEmail, DemoOrganisation.password)
                #expect(try await sam.get("/mentoring").text.contains("Your mentor:"))
                #expect(try await sam.get("/programs").text.contains("Join this program"))
                // The active program a quarter in: agreements, meetings held and ahead, goals,
                // feedback and journals; Sam's agreement waits for his signature, and an action
                // item of his is overdue.
                let mentoring = try await sam.get("/mentoring").text
                let workspace = try #require(mentoring.firstMatch(of: /href="(\/mentorships\/[0-9A-F-]+)"/)).output.1
                let samsPage = try await sam.get(String(workspace)).text
                #expect(samsPage.contains("The agreement is waiting for your signature."))
                #expect(samsPage.contains("One action item of yours is overdue."))
                #expect(samsPage.contains("meetings held so far"))
                #expect(try await AgreementRecord.query(on: app.db).count() > 20)
                #expect(try await MeetingRecord.query(on: app.db).filter(\.$state == MeetingState.cancelled.rawValue).count() > 0)
                #expect(try await GoalRecord.query(on: app.db).filter(\.$reachedAt != nil).count() > 0)
                #expect(try await JournalEntryRecord.query(on: app.db).count() > 0)
                #expect(try await MeetingNoteRecord.query(on: app.db).filter(\.$isPrivate == true).all().allSatisfy { $0.body.hasPrefix(NoteSealing.prefix) })
                #expect(try await MentorshipEvent.query(on: app.db).filter(\.$occurredAt > Date()).count() == 0, "nothing in the demo happened after now")
                await #expect(throws: ExitCode.self) { try await run(app, ["trellis", "demo"]) }
                try await run(app, ["trellis", "demo", "--reset"])
                #expect(try await User.query(on: app.db).count() == count)
                #expect(try await Program.query(on: app.db).count() == 5)
            }
        }
    }
}

/// Runs a `trellis` command against the test application.
func run(_ app: Application, _ arguments: [String]) async throws {
    var context = CommandContext(console: app.console, input: CommandInput(arguments: arguments))
    context.application = app
    try await app.console.run(app.asyncCommands.group(), with: context)
}

/// Counts calls made from other tasks.
actor Counter {
    private(set) var value = 0
    func add() { value += 1 }
}
