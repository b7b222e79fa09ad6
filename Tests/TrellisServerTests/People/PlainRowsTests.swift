import FluentPostgresDriver
import FluentSQL
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import NIOConcurrencyHelpers
import VaporTesting

extension ServerTests {
    /// The plain reads behind the busiest pages agree with Fluent's own decoding, on SQLite and
    /// on PostgreSQL, for every kind of value they read (ids, text, numbers, booleans, dates, nulls).
    @Suite struct PlainReads {
        @Test func `ids read as UUID reads them, and nothing else reads as an id`() {
            for _ in 0..<2_000 {
                let id = UUID()
                #expect(UUID.parse(id.uuidString) == id)
                #expect(UUID.parse(id.uuidString.lowercased()) == id)
            }
            for text in ["", "not an id", String(UUID().uuidString.dropLast()), UUID().uuidString + "0",
                         UUID().uuidString.replacingOccurrences(of: "-", with: "_"), "G" + UUID().uuidString.dropFirst(),
                         "{\(UUID().uuidString)}", UUID().uuidString.replacingOccurrences(of: "-", with: ""),
                         "0000000-00000-0000-0000-000000000000", "é" + UUID().uuidString.dropFirst(2)] {
                #expect(UUID.parse(text) == nil, "\(text)")
                #expect(UUID(uuidString: text) == nil, "\(text)")
            }
        }

        @Test func `a person read in plain SQL is the person Fluent reads`() async throws {
            try await withTrellis { app in
                let manager = try await PeopleStore.createPerson(email: "boss@example.org", name: "Zoë O'Brien", role: .admin, on: app.db)
                let person = try await PeopleStore.createPerson(email: "ada@example.org", name: "Ada <Lovelace> & co", role: .participant, passwordHash: "hash", on: app.db)
                var draft = ProfileDraft(name: "Ada <Lovelace> & co")
                draft.headline = "Engineer — “quotes”"
                draft.yearsExperience = 0
                draft.mentoringRole = .both
                draft.capacityMentees = 3
                draft.communicationMethods = [.video, .chat]
                draft.contactPrivate = true
                draft.tags[.expertise] = ["Swift", "SQL"]
                try await PeopleStore.save(draft, manager: .some(manager.id), for: person.requireID(), on: app.db)

                let stored = try #require(try await PeopleStore.person(person.requireID(), on: app.db))
                let fluentUser = try #require(try await User.find(person.id, on: app.db))
                let fluentProfile = try #require(try await Profile.find(person.id, on: app.db))
                #expect(stored.user.id == fluentUser.id && stored.user.email == fluentUser.email && stored.user.name == fluentUser.name)
                #expect(stored.user.passwordHash == "hash" && stored.user.isActive && stored.user.role == fluentUser.role)
                #expect(stored.user.createdAt.map { Int($0.timeIntervalSince1970) } == fluentUser.createdAt.map { Int($0.timeIntervalSince1970) })
                #expect(stored.profile.headline == fluentProfile.headline && stored.profile.yearsExperience == 0)
                #expect(stored.profile.capacityMentees == 3 && stored.profile.capacityHours == nil && stored.profile.meetingFrequency == nil)
                #expect(stored.profile.contactPrivate && stored.profile.communicationMethods == fluentProfile.communicationMethods)
                #expect(stored.profile.managerID == manager.id && stored.manager?.name == "Zoë O'Brien" && stored.manager?.passwordHash == nil)

                // Someone without a profile yet, and no manager.
                let lonely = try await PeopleStore.createPerson(email: "new@example.org", name: "New", role: .participant, on: app.db)
                let fresh = try #require(try await PeopleStore.person(lonely.requireID(), on: app.db))
                #expect(fresh.manager == nil && fresh.profile.headline == "" && fresh.profile.managerID == nil)
                #expect(try await PeopleStore.person(UUID(), on: app.db) == nil)

                // A stored person read this way saves as an update, not a second insert.
                stored.user.rename("Ada L.")
                try await stored.user.save(on: app.db)
                #expect(try await User.query(on: app.db).count() == 3)
                #expect(try await User.find(person.id, on: app.db)?.name == "Ada L.")
            }
        }

        @Test func `a plain read names the column it could not read`() async throws {
            try await withTrellis { app in
                let row = try #require(try await PlainRows.first("SELECT 'text' AS word, NULL AS empty_value", on: app.db))
                #expect(try row.string("word") == "text")
                #expect(try row.optionalInt("empty_value") == nil)
                #expect(throws: (any Error).self) { try row.int("missing") }
                #expect(throws: (any Error).self) { try row.uuid("word") }
                #expect(throws: (any Error).self) { try row.string("empty_value") }
            }
        }
    }
}

extension ServerTests {
    @Suite struct SessionReuse {
        @Test func `a session read a moment ago is not used after any write: sign-out, deactivation and role changes apply at once`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                #expect(try await alice.get("/people").status == .ok)
                #expect(try await alice.get("/people").status == .ok)  // served from the reused read
                // Made a program manager by a write elsewhere in this process: the next page knows.
                try await DatabaseWrites.transaction(on: app.db) { tx in
                    try await User.query(on: tx).filter(\.$id == people.alice.requireID()).set(\.$role, to: AccountRole.admin.rawValue).update()
                }
                #expect(try await alice.get("/admin/people").status == .ok)
                // Deactivated: signed out on the next request.
                try await DatabaseWrites.transaction(on: app.db) { tx in
                    try await User.query(on: tx).filter(\.$id == people.alice.requireID()).set(\.$isActive, to: false).update()
                }
                let after = try await alice.get("/people")
                #expect(after.status == .seeOther || after.status == .unauthorized || after.headers.first(name: .location)?.contains("sign-in") == true)
            }
        }
    }
}

extension ServerTests {
    @Suite struct DirectoryTotals {
        @Test func `totals counted with the page agree with a count, on every page and past the last`() async throws {
            try await withTrellis { app in
                let viewerHash = try Bcrypt.hash(TestPeople.password, cost: 4)
                for index in 0..<7 {
                    let person = try await PeopleStore.createPerson(email: "m\(index)@example.org", name: "Mentor \(index)", role: .participant, passwordHash: viewerHash, on: app.db)
                    var draft = ProfileDraft(name: "Mentor \(index)")
                    draft.mentoringRole = index % 2 == 0 ? .mentor : .mentee
                    draft.tags[.expertise] = ["Kotlin"]
                    draft.tags[.development] = index < 3 ? ["Kotlin"] : ["Rust"]
                    try await PeopleStore.save(draft, manager: nil, for: person.requireID(), on: app.db)
                }
                let cases: [(DirectoryQuery, Int)] = [
                    (DirectoryQuery(q: "kotlin", per: "2"), 7),
                    (DirectoryQuery(q: "mentor", role: "mentee", per: "2"), 3),
                    (DirectoryQuery(role: "mentor", tag: "Kotlin", per: "2"), 4),
                    (DirectoryQuery(role: "mentee", tag: "Kotlin", per: "2"), 1),
                    (DirectoryQuery(q: "nobody", per: "2"), 0),
                ]
                for (base, expected) in cases {
                    var seen: [UUID] = []
                    for page in 1...6 {
                        var query = base
                        query.page = String(page)
                        let result = try await Directory.search(query, on: app.db)
                        let last = max(1, (expected + 1) / 2)
                        // A text search is not counted while its matches go on past the page.
                        #expect(result.hasNext == (page < last), "\(base) page \(page)")
                        #expect(result.total == (base.q != nil && page < last ? nil : expected), "\(base) page \(page)")
                        #expect(result.page == min(page, last), "\(base) page \(page)")
                        if page <= last { seen += result.items.map(\.id) }
                    }
                    #expect(seen.count == expected && Set(seen).count == expected, "\(base)")
                }
            }
        }
    }
}

extension ServerTests {
    @Suite struct DirectoryCards {
        /// A card's tags are read with the page's people in one statement when the ids come first
        /// (a search, a far page) and apart from them on a near page: each way gives every person
        /// their own tags, in their order, as many as a card shows, of the kinds it shows.
        /// A card's tags travel as one text (`Directory.cardTags`): records split at U+001E, kind
        /// and name at U+001F. Read back byte by byte, whatever the names hold.
        @Test func `a card's tag text reads back as the tags, whatever their characters`() {
            let names = ["é", "e\u{301}", "\u{301}x", "👍🏽", "日本語", "a b", "C++", "\u{200D}z"]
            let list = names.enumerated().map { index, name in
                "\(index % 2 == 0 ? TagKind.expertise.rawValue : TagKind.development.rawValue)\u{1F}\(name)"
            }.joined(separator: "\u{1E}")
            let tags = Directory.tagList(list)
            #expect(tags[.expertise] == names.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
            #expect(tags[.development] == names.enumerated().filter { $0.offset % 2 == 1 }.map(\.element))
            #expect(Directory.tagList("").isEmpty && Directory.tagList("nokind\u{1F}x\u{1E}\u{1E}").isEmpty)
        }

        @Test func `a card shows the person's own first tags however the page was read`() async throws {
            try await withTrellis { app in
                var csv = ServerTests.PeopleImport.header + "\n"
                // 1,010 people, so that a page past the 1,000th person is read as a far page.
                var expected: [String: (expertise: [String], development: [String], interests: [String])] = [:]
                for index in 0..<1_010 {
                    let name = String(format: "Card Person %04d", index)
                    // Tags in an order that is neither alphabetical nor the same for everyone.
                    var expertise = (0..<(index % 6)).map { "Zeta \((index + $0 * 7) % 11)" }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                    // Text beyond ASCII and characters that mean something in SQL or HTML: each
                    // comes back as it was stored.
                    if index % 7 == 0 { expertise.insert(["Ünïcødé ✓ 日本語 🎉", "100% O'Brien <b>&amp </b> \\ back _x_"][index % 2], at: expertise.count / 2) }
                    let development = index % 3 == 0 ? [] : ["Mu \(index % 5)", "Alpha \(index % 4)"]
                    let interests = ["Chess \(index % 2)"]
                    expected[name] = (expertise, development, interests)
                    csv += "card\(index)@example.org,\(name),mentor,Cards,,,,\(expertise.joined(separator: ";")),\(development.joined(separator: ";")),\(interests.joined(separator: ";")),,2,,\n"
                }
                try await PeopleCSV.apply(try await PeopleCSV.plan(csv, on: app.db), by: nil, on: app.db)
                func check(_ page: DirectoryPage, shown: Int?, _ label: String) {
                    #expect(!page.items.isEmpty, "\(label)")
                    for item in page.items {
                        guard let want = expected[item.name] else { Issue.record("\(label): \(item.name) unexpected"); continue }
                        if let shown {
                            #expect(item.expertise == Array(want.expertise.prefix(shown)), "\(label): \(item.name)")
                            #expect(item.developmentAreas == Array(want.development.prefix(shown)), "\(label): \(item.name)")
                            #expect(item.interests.isEmpty, "\(label): \(item.name)")
                        } else {
                            #expect(item.expertise == want.expertise && item.developmentAreas == want.development
                                    && item.interests == want.interests, "\(label): \(item.name)")
                        }
                        #expect(item.department == "Cards" && item.mentoringRole == "mentor", "\(label): \(item.name)")
                    }
                }
                for shown in [2, nil] as [Int?] {
                    let near = try await Directory.search(DirectoryQuery(page: "3", per: "50"), tagsShown: shown, on: app.db)
                    check(near, shown: shown, "near page")
                    let far = try await Directory.search(DirectoryQuery(page: "12", per: "91"), tagsShown: shown, on: app.db)
                    #expect(far.items.first?.name == "Card Person 1001")
                    check(far, shown: shown, "far page")
                    let search = try await Directory.search(DirectoryQuery(q: "card person", page: "4", per: "100"), tagsShown: shown, on: app.db)
                    check(search, shown: shown, "search")
                    let tagSearch = try await Directory.search(DirectoryQuery(q: "zeta 3", per: "100"), tagsShown: shown, on: app.db)
                    check(tagSearch, shown: shown, "search for a tag")
                }
                // A tag stored before control characters were cleaned from tags, holding the
                // characters that separate tags where a page reads them: still one tag.
                let sql = try #require(app.db as? any SQLDatabase)
                for (name, queries) in [
                    ("Card Person 0001", [DirectoryQuery(q: "card person 0001"), DirectoryQuery(per: "5")]),
                    ("Card Person 1001", [DirectoryQuery(q: "card person 1001"), DirectoryQuery(page: "12", per: "91")]),
                ] {
                    let stored = try #require(expected[name]?.expertise)
                    try await sql.raw("""
                        UPDATE profile_tags SET name = \(bind: "Old\u{1E}expertise\u{1F}tag") WHERE name = \(bind: stored[0]) AND kind = 'expertise'
                            AND profile_id = (SELECT id FROM users WHERE name = \(bind: name))
                        """).run()
                    for query in queries {
                        let page = try await Directory.search(query, tagsShown: nil, on: app.db)
                        let person = try #require(page.items.first { $0.name == name }, "\(query)")
                        #expect(person.expertise == ["Oldexpertisetag"] + stored.dropFirst(), "\(query)")
                    }
                }
            }
        }
    }
}

extension ServerTests {
    @Suite struct StreamedExport {
        @Test func `the export streamed in batches of any size is the export written at once`() async throws {
            try await withTrellis { app in
                _ = try await TestPeople.create(on: app)
                try await PeopleCSV.apply(try await PeopleCSV.plan(String(decoding: PeopleImport_.tricky, as: UTF8.self), on: app.db), by: nil, on: app.db)
                let records = try await PeopleCSV.exportRecords(on: app.db)
                let whole = PeopleFile.text(of: records)
                #expect(records.count >= 2)
                for batch in [1, 2, 3, 1_000] {
                    let parts = NIOLockedValueBox<[String]>([])
                    let written = try await PeopleCSV.exportStream(on: app.db, batchSize: batch) { text in parts.withLockedValue { $0.append(text) } }
                    #expect(parts.withLockedValue { $0.joined() } == whole, "batches of \(batch)")
                    #expect(written == records.count)
                }
                // Through the web, as a program manager downloads it.
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let response = try await admin.get("/admin/export/people.csv")
                #expect(response.status == .ok)
                #expect(response.body.string == whole)
            }
        }
    }
}

extension ServerTests {
    /// What the independent test round after this work found, each now held.
    @Suite struct SecondRound {
        @Test func `one text typed in two Unicode forms is one department, one tag and one count`() async throws {
            #expect(Array(Tags.clean("Cafe\u{301}").utf8) == Array("Caf\u{E9}".utf8))
            #expect(Array(TextInput.paragraphs("Cafe\u{301}\nbar").utf8) == Array("Caf\u{E9}\nbar".utf8))
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                // Through the web form, as people type it.
                for (person, email, spelling) in [(people.alice, TestPeople.alice, "Cafe\u{301}"), (people.bob, TestPeople.bob, "Caf\u{E9}")] {
                    var browser = Browser(app)
                    try await browser.signIn(email)
                    let response = try await browser.post("/people/\(try person.requireID())/edit", [
                        ("name", person.name), ("timezone", "Europe/Paris"), ("department", spelling), ("expertise", spelling == "Caf\u{E9}" ? "Zet\u{E1}" : "Zeta\u{301}"),
                    ])
                    #expect(response.status == .seeOther)
                }
                let snapshot = try await DirectoryCounts.snapshot(on: app.db)
                #expect(snapshot.departments == ["Caf\u{E9}"])
                let page = try await Directory.search(DirectoryQuery(department: "Cafe\u{301}"), on: app.db)
                #expect(page.total == 2 && page.items.count == 2)
                #expect(try await DirectoryCounts.suggestions(kind: .expertise, prefix: "", limit: 10, on: app.db).map(\.count) == [2])
            }
        }

        @Test func `page links keep a plus sign and the page size`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                for person in [people.admin, people.alice, people.bob] {
                    var (draft, _) = try await PeopleStore.draft(for: person, on: app.db)
                    draft.tags[.expertise] = ["C++"]
                    try await PeopleStore.save(draft, manager: .none, for: person.requireID(), on: app.db)
                }
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let first = try await alice.get("/people?tag=C%2B%2B&per=2").text
                #expect(first.contains("3 people") && first.contains("Page 1 of 2"))
                let next = try #require(first.firstMatch(of: /href="([^"]+)" rel="next"/)?.1)
                #expect(next.contains("tag=C%2B%2B") && next.contains("per=2"))
                let second = try await alice.get(String(next).replacingOccurrences(of: "&amp;", with: "&")).text
                #expect(second.contains("3 people") && second.contains("Page 2 of 2"))
            }
        }

        @Test func `a page number too long to read shows the last page, like any other too large number`() {
            #expect(DirectoryQuery(page: "99999999999999999999").pageNumber == DirectoryQuery.maximumPage)
            #expect(DirectoryQuery(page: "-99999999999999999999").pageNumber == 1)
            #expect(DirectoryQuery(page: "12abc").pageNumber == 1)
            #expect(DirectoryQuery(per: "99999999999999999999").pageSize == DirectoryQuery.maximumPageSize)
            #expect(DirectoryQuery(per: " 7 ").pageSize == 7)
        }

        @Test func `a password reset stops personal API tokens; a password change says they keep working`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let token = try await ServerTests.API.token(for: TestPeople.alice, app: app)
                let alice = try #require(try await User.query(on: app.db).filter(\.$email == TestPeople.alice).first())
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let page = try await admin.post("/admin/people/\(try alice.requireID())/reset-link")
                let link = try #require(page.text.firstMatch(of: /http:\/\/trellis\.test\/reset\/[A-Za-z0-9_-]+/)).output
                var visitor = Browser(app)
                _ = try await visitor.post(String(link.dropFirst("http://trellis.test".count)), [("password", "a brand new password"), ("password_confirmation", "a brand new password")])
                try await app.testing().test(.GET, "/api/v1/me", headers: ServerTests.API.bearer(token)) { response in
                    #expect(response.status == .unauthorized)
                }
                let kept = try await ServerTests.API.token(for: TestPeople.alice, app: app, password: "a brand new password")
                var browser = Browser(app)
                try await browser.signIn(TestPeople.alice, "a brand new password")
                let changed = try await browser.post("/settings/password", [("current_password", "a brand new password"), ("password", "another new password"), ("password_confirmation", "another new password")]).text
                #expect(changed.contains("API tokens keep working"))
                try await app.testing().test(.GET, "/api/v1/me", headers: ServerTests.API.bearer(kept)) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }
}

extension ServerTests {
    /// Pages after or before a person (keyset paging along the name index): the same people in the
    /// same order as numbered pages, forwards and backwards, with filters, with people of one name,
    /// on the web, the admin people list and the API.
    @Suite struct PagesFromAPerson {
        /// 23 people, some sharing a name (their order is then by id), in two departments and roles.
        static func seed(_ app: Application) async throws -> [UUID] {
            var ids: [UUID] = []
            for index in 0..<23 {
                let name = index % 5 == 0 ? "Sam Lee" : "Person \(String(format: "%02d", index))"
                let person = try await PeopleStore.createPerson(email: "p\(index)@example.org", name: name, role: .participant, on: app.db)
                var draft = ProfileDraft(name: name)
                draft.department = index % 3 == 0 ? "Design" : "Engineering"
                draft.mentoringRole = index % 2 == 0 ? .mentor : .mentee
                try await PeopleStore.save(draft, manager: nil, for: person.requireID(), on: app.db)
                ids.append(try person.requireID())
            }
            return ids
        }

        @Test func `walking after and before each person gives the numbered pages' people in order`() async throws {
            try await withTrellis { app in
                _ = try await Self.seed(app)
                for base in [DirectoryQuery(per: "4"), DirectoryQuery(department: "Engineering", per: "3"),
                             DirectoryQuery(role: "mentor", per: "2"), DirectoryQuery(department: "Design", role: "mentee", per: "1")] {
                    var numbered: [UUID] = []
                    var page = 1
                    while true {
                        var query = base
                        query.page = String(page)
                        let result = try await Directory.search(query, on: app.db)
                        numbered += result.items.map(\.id)
                        if page >= result.pageCount ?? 1 { break }
                        page += 1
                    }
                    #expect(Set(numbered).count == numbered.count && !numbered.isEmpty, "\(base)")
                    // Forwards from the first page.
                    var walked = try await Directory.search(base, on: app.db).items.map(\.id)
                    var number = 1
                    while walked.count < numbered.count {
                        var query = base
                        number += 1
                        (query.page, query.after) = (String(number), walked.last?.uuidString)
                        let result = try await Directory.search(query, on: app.db)
                        #expect(result.page == number && !result.items.isEmpty, "\(base) after page \(number - 1)")
                        if result.items.isEmpty { break }
                        walked += result.items.map(\.id)
                    }
                    #expect(walked == numbered, "\(base) forwards")
                    // Backwards from the last page.
                    var last = base
                    last.page = "100000"
                    let lastPage = try await Directory.search(last, on: app.db)
                    var backwards = lastPage.items.map(\.id)
                    number = lastPage.page
                    while number > 1 {
                        var query = base
                        number -= 1
                        (query.page, query.before) = (String(number), backwards.first?.uuidString)
                        let result = try await Directory.search(query, on: app.db)
                        #expect(result.items.count == result.per, "\(base) before page \(number + 1)")
                        backwards = result.items.map(\.id) + backwards
                    }
                    #expect(backwards == numbered, "\(base) backwards")
                }
                // A person who is not there, or nothing after the last person: the numbered page.
                let unknown = try await Directory.search(DirectoryQuery(page: "2", per: "4", after: UUID().uuidString), on: app.db)
                let second = try await Directory.search(DirectoryQuery(page: "2", per: "4"), on: app.db)
                #expect(unknown.items.map(\.id) == second.items.map(\.id) && unknown.page == 2)
                let lastPage = try await Directory.search(DirectoryQuery(page: "6", per: "4"), on: app.db)
                let pastEnd = try await Directory.search(DirectoryQuery(page: "7", per: "4", after: lastPage.items.last?.id.uuidString), on: app.db)
                #expect(pastEnd.items.map(\.id) == lastPage.items.map(\.id) && pastEnd.page == 6)
                // A search is in order of relevance: the person is ignored and the page number used.
                let searched = try await Directory.search(DirectoryQuery(q: "person", page: "1", per: "4", after: lastPage.items.last?.id.uuidString), on: app.db)
                #expect(searched.page == 1 && searched.items.count == 4)
            }
        }

        /// The people a page lists, and its previous and next links.
        static func read(_ html: String) -> (ids: [String], previous: String?, next: String?) {
            let ids = html.matches(of: /<h2><a href="\/people\/([0-9A-F-]{36})"/).map { String($0.output.1) }
                + html.matches(of: /<td><a href="\/people\/([0-9A-F-]{36})"/).map { String($0.output.1) }
            func link(_ rel: String) -> String? {
                html.matches(of: /<a href="([^"]+)" rel="(prev|next)">/).first { $0.output.2 == rel }
                    .map { String($0.output.1).replacingOccurrences(of: "&amp;", with: "&") }
            }
            return (ids, link("prev"), link("next"))
        }

        @Test func `the directory's and the people list's links name the person at the edge and visit everyone once`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                _ = try await Self.seed(app)
                for index in 23..<120 {
                    _ = try await PeopleStore.createPerson(email: "q\(index)@example.org", name: "Q \(index)", role: .participant, on: app.db)
                }
                var browser = Browser(app)
                try await browser.signIn(TestPeople.admin)
                for (start, everyone) in [("/people?per=5", 123), ("/admin/people", 123)] {
                    var seen: [String] = []
                    var path: String? = start
                    var pages = 0
                    var lastPath = start
                    while let next = path {
                        let page = Self.read(try await browser.get(next).text)
                        seen += page.ids
                        if pages > 0 { #expect(next.contains("after="), "\(next)") }
                        (path, lastPath, pages) = (page.next, next, pages + 1)
                    }
                    #expect(seen.count == everyone && Set(seen).count == everyone, "\(start): \(seen.count)")
                    // And back again.
                    var back: [String] = []
                    path = lastPath
                    while let previous = path {
                        let page = Self.read(try await browser.get(previous).text)
                        back = page.ids + back
                        path = page.previous
                    }
                    #expect(back == seen, "\(start) backwards")
                }
            }
        }

        @Test func `Previous and Next follow who is there, not the page number: after people are added, renamed, or the number is made up`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                _ = try await Self.seed(app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                // Forwards to page 4, five at a time.
                var path = "/people?per=5"
                var forward: [String] = []
                for _ in 0..<3 {
                    let page = Self.read(try await admin.get(path).text)
                    forward += page.ids
                    path = try #require(page.next)
                }
                let fourth = Self.read(try await admin.get(path).text)
                forward += fourth.ids
                #expect(forward.count == 20)
                // Three people join, in front of everyone, and the fourth page's first person is renamed
                // to the far end of the alphabet.
                for index in 0..<3 {
                    _ = try await PeopleStore.createPerson(email: "early\(index)@example.org", name: "Aaaa Early \(index)", role: .participant, on: app.db)
                }
                // Backwards to the start: nobody seen on the way forward is missed, nobody twice.
                var back = fourth.ids
                var previous = fourth.previous
                while let link = previous {
                    let page = Self.read(try await admin.get(link).text)
                    back = page.ids + back
                    previous = page.previous
                }
                #expect(Set(forward).isSubset(of: Set(back)), "missed going back: \(Set(forward).subtracting(back).count)")
                #expect(Set(back).count == back.count && back.count == 23, "\(back.count)")

                // A link made before its person was renamed still leads to the page that followed.
                let first = Self.read(try await admin.get("/people?per=5").text)
                let second = Self.read(try await admin.get(try #require(first.next)).text)
                let lastID = try #require(first.ids.last)
                let edge = try #require(UUID(uuidString: lastID))
                let renamed = try #require(try await User.find(edge, on: app.db))
                var draft = try await PeopleStore.draft(for: renamed, on: app.db).0
                draft.name = "Zzzz Renamed"
                try await PeopleStore.save(draft, manager: nil, for: edge, on: app.db)
                #expect(Self.read(try await admin.get(try #require(first.next)).text).ids == second.ids)

                // A page number made up with a person: Next is there while anyone follows, and the
                // number stays within the pages.
                let made = try await admin.get("/people?per=5&page=42&after=\(first.ids[1])").text
                #expect(Self.read(made).next != nil && Self.read(made).previous != nil)
                #expect(!made.contains("Page 42 of"))
                // Everyone on one page: a person in the link changes nothing.
                let few = try await admin.get("/people?department=Design&per=100&after=\(first.ids[0])").text
                #expect(Self.read(few).ids.count == 8 && Self.read(few).next == nil && Self.read(few).previous == nil)
            }
        }

        @Test func `the API answers after and before, and names what is wrong with them`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                _ = try await Self.seed(app)
                let token = try await API.token(for: TestPeople.alice, app: app)
                var firstPage: DirectoryPageDTO?
                try await app.testing().test(.GET, "/api/v1/people?per=3", headers: API.bearer(token)) { response throws in
                    firstPage = try response.content.decode(DirectoryPageDTO.self)
                }
                let first = try #require(firstPage)
                try await app.testing().test(.GET, "/api/v1/people?per=3&after=\(first.items[2].id)", headers: API.bearer(token)) { response throws in
                    let next = try response.content.decode(DirectoryPageDTO.self)
                    var numbered = DirectoryQuery(page: "2", per: "3")
                    numbered.page = "2"
                    let expected = try await Directory.search(numbered, on: app.db)
                    #expect(next.items.map(\.id) == expected.items.map(\.id) && next.total == first.total)
                }
                for (query, field, words) in [("after=12", "after", "id of a person"), ("after=\(first.items[0].id)&q=sam", "after", "q"),
                                              ("before=x%00", "before", "id of a person"), ("after=\(first.items[0].id)&before=\(first.items[1].id)", "before", "not both")] {
                    try await app.testing().test(.GET, "/api/v1/people?\(query)", headers: API.bearer(token)) { response in
                        #expect(response.status == .unprocessableEntity, "\(query)")
                        #expect(response.body.string.contains("\"\(field)\"") && response.body.string.contains(words), "\(query): \(response.body.string)")
                    }
                }
            }
        }
    }
}

extension ServerTests {
    @Suite struct RecentReadsReuse {
        @Test func `a recent read is reused until a write of this process, then read again`() async throws {
            try await withTrellis { app in
                let reads = NIOLockedValueBox(0)
                let cache = RecentReads()
                for _ in 0..<3 {
                    let value = try await cache.value("k") { reads.withLockedValue { $0 += 1; return $0 } }
                    #expect(value == 1)
                }
                try await DatabaseWrites.transaction(on: app.db) { _ in }
                #expect(try await cache.value("k") { reads.withLockedValue { $0 += 1; return $0 } } == 2)
                #expect(try await cache.value("other") { 7 } == 7)
                // Optional values too (a session token nobody has reads as nil, and is reused as nil).
                let optionalReads = NIOLockedValueBox(0)
                for _ in 0..<3 {
                    let none: Int? = try await cache.value("none") { optionalReads.withLockedValue { $0 += 1 }; return nil }
                    #expect(none == nil)
                }
                #expect(optionalReads.withLockedValue { $0 } == 1)
                // A bounded number of keys.
                let small = RecentReads(maximumEntries: 2)
                for key in ["a", "b", "c"] { _ = try await small.value(key) { key } }
                #expect(try await small.value("c") { "read again" } == "c")
            }
        }

        @Test func `the directory's menus, the form's suggestions and the dashboard's counts show a change on the next page`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                // Read once, so that the values are in the cache.
                #expect(!(try await admin.get("/people").text.contains("Ocean Sciences")))
                #expect(!(try await admin.get("/people/\(try people.admin.requireID())/edit").text.contains("Tidepooling")))
                let dashboard = try await admin.get("/").text
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let saved = try await alice.post("/people/\(try people.alice.requireID())/edit", OneRule.form(["department": "Ocean Sciences", "interests": "Tidepooling"]))
                #expect(saved.status == .seeOther)
                #expect(try await admin.get("/people").text.contains("<option value=\"Ocean Sciences\">"))
                #expect(try await admin.get("/people/\(try people.admin.requireID())/edit").text.contains("Tidepooling"))
                #expect(try await admin.get("/").text != dashboard, "the dashboard counts a new mentor")
            }
        }
    }
}

extension ServerTests {
    /// Statements PostgreSQL keeps per connection (`PostgresStatements`): typed, bounded, and
    /// prepared again when the server has lost them or their tables changed shape.
    @Suite struct KeptStatements {
        @Test func `each placeholder outside quotes gets its value's type, and nothing else changes`() {
            let types: [PostgresDataType] = [.text, .uuid, .int8, .bool, .timestamptz, .text, .text, .text, .text, .text, .text, .int8]
            #expect(PostgresStatements.typedPlaceholders("SELECT $1, $2,$3 FROM t WHERE a = $4 AND b < $5", types: types)
                    == "SELECT $1::text, $2::uuid,$3::int8 FROM t WHERE a = $4::bool AND b < $5::timestamptz")
            // Two digits; not a placeholder past the values, $0, or inside a string or a quoted name.
            #expect(PostgresStatements.typedPlaceholders("x IN ($12, $13, $0) LIKE '$1 it''s $2' AND \"$3\" = $1", types: types)
                    == "x IN ($12::int8, $13, $0) LIKE '$1 it''s $2' AND \"$3\" = $1::text")
            // An unknown type is left for the server to infer; text outside ASCII is kept as it is.
            #expect(PostgresStatements.typedPlaceholders("SELECT 'Zoë', $1 || 'ø$1'", types: [.jsonb]) == "SELECT 'Zoë', $1 || 'ø$1'")
            #expect(PostgresStatements.typedPlaceholders("", types: []) == "")
            #expect(PostgresStatements.typedPlaceholders("$", types: [.text]) == "$")
        }

        @Test func `values written into a statement are literals of their type that no value can end early`() {
            let id = UUID()
            #expect(PostgresStatements.withValuesWritten("SELECT $1, $2 WHERE a = $3 AND b = $4 AND c = '$1' AND \"$2\" = $12", ["it's \\ x", id, -42, true])
                    == "SELECT E'it''s \\\\ x'::text, E'\(id.uuidString)'::uuid WHERE a = E'-42'::int8 AND b = E'true'::bool AND c = '$1' AND \"$2\" = $12")
            #expect(PostgresStatements.withValuesWritten("SELECT $1", ["Zoë ø 日本 👍🏽 $1"]) == "SELECT E'Zoë ø 日本 👍🏽 $1'::text")
            // A value of another type, or a text with a NUL: bound as usual.
            #expect(PostgresStatements.withValuesWritten("SELECT $1", [Date()]) == nil)
            #expect(PostgresStatements.withValuesWritten("SELECT $1", ["a\u{0}b"]) == nil)
            #expect(PostgresStatements.withValuesWritten("SELECT 1", []) == "SELECT 1")
        }

        @Test func `a statement with its values written in reads them back exactly, whatever the server's string setting, and plans kept statements once`() async throws {
            guard usingPostgres else { return }
            try await withTrellis { app in
                let texts = ["'", "''", "\\", "\\'", "'\\", "x'; DROP TABLE users; --", "E'x'", "$1", "$$", "a\nb\tc", "Zoë \u{301} 日本 👍🏽", "\\x41", "%_", "\u{7F}", ""]
                @Sendable func roundTrip(on db: any Database) async throws {
                    for text in texts {
                        let row = try #require(try await PlainRows.first(
                            "SELECT \(bind: text) AS word, \(bind: text) = \(bind: text) AS same, current_query() AS sent", on: db))
                        #expect(try row.string("word") == text && row.bool("same"), "\(text.debugDescription)")
                        // Written into the text, not bound.
                        #expect(try row.string("sent").contains("E'") && !row.string("sent").contains("$1 AS word"), "\(text.debugDescription)")
                    }
                    for number in [0, -1, Int.max, Int.min] {
                        #expect(try await PlainRows.first("SELECT \(bind: number) AS n", on: db)?.int("n") == number)
                    }
                }
                try await roundTrip(on: app.db)
                try await app.db.transaction { db in
                    try await (db as! any SQLDatabase).raw("SET LOCAL standard_conforming_strings = off").run()
                    try await roundTrip(on: db)
                }
                let mode = try await PlainRows.first("SELECT current_setting('plan_cache_mode') AS mode", on: app.db)?.string("mode")
                #expect(mode == "force_generic_plan")
            }
        }

        @Test func `kept statements read every kind of value, stay within their limit on the server, and come back after being lost`() async throws {
            guard usingPostgres else { return }
            try await withTrellis { app in
                let id = UUID()
                let date = Date(timeIntervalSince1970: 1_700_000_000)
                let read = try #require(try await PlainRows.first("""
                    SELECT \(bind: "Zoë 'O'") AS word, \(bind: id) AS id, \(bind: 41) + 1 AS number, NOT \(bind: false) AS flag, \(bind: date) AS at
                    """, on: app.db, prepared: true))
                #expect(try read.string("word") == "Zoë 'O'" && read.uuid("id") == id && read.int("number") == 42 && read.bool("flag"))
                #expect(try read.optionalDate("at") == date)
                // A whole number compared with a smaller integer column, as the unnamed statement would.
                try await (app.db as! any SQLDatabase).raw("CREATE TABLE kept_check (small INTEGER, word TEXT)").run()
                try await (app.db as! any SQLDatabase).raw("INSERT INTO kept_check VALUES (7, 'seven')").run()
                let found = try await PlainRows.all("SELECT word FROM kept_check WHERE small = \(bind: 7)", on: app.db, prepared: true)
                #expect(try found.map { try $0.string("word") } == ["seven"])

                // On one connection (a transaction's): far more distinct statements than are kept.
                try await app.db.transaction { db in
                    let tx = try #require(db as? any PostgresDatabase)
                    let total = PostgresStatements.capacity + 40
                    for n in 0..<total {
                        let row = try await PlainRows.first("SELECT \(bind: n) + \(literal: n) AS n", on: db, prepared: true)
                        #expect(try row?.int("n") == 2 * n)
                    }
                    let (kept, onServer) = try await tx.withConnection { connection in
                        connection.query("SELECT COUNT(*) AS n FROM pg_prepared_statements").map { result in
                            (PostgresStatements.count(on: connection), (try? result.rows.first?.decode(Int.self)) ?? -1)
                        }
                    }.get()
                    #expect(kept == PostgresStatements.capacity)
                    #expect(onServer == PostgresStatements.capacity)
                    // The first ones were closed; run again, they are prepared afresh.
                    #expect(try await PlainRows.first("SELECT \(bind: 3) + \(literal: 3) AS n", on: db, prepared: true)?.int("n") == 6)

                }

                // On one connection outside a transaction: the server forgets every statement, or
                // the table a kept statement reads changes shape; the next run prepares it again.
                let postgres = try #require(app.db as? any PostgresDatabase)
                try await postgres.withConnection { connection in
                    connection.eventLoop.makeFutureWithTask {
                        func run(_ text: String, _ binds: [PostgresData]) async throws -> [PlainRow] {
                            try await PostgresStatements.run(text, binds, on: connection).get().map { PlainRow(postgres: $0.makeRandomAccess()) }
                        }
                        #expect(try await run("SELECT $1 + 3 AS n", [PostgresData(int: 3)]).first?.int("n") == 6)
                        _ = try await connection.query("DEALLOCATE ALL").get()
                        #expect(try await run("SELECT $1 + 3 AS n", [PostgresData(int: 3)]).first?.int("n") == 6)

                        #expect(try await run("SELECT * FROM kept_check WHERE small = $1", [PostgresData(int: 7)]).count == 1)
                        _ = try await connection.query("ALTER TABLE kept_check ADD COLUMN extra TEXT DEFAULT 'more'").get()
                        let reshaped = try await run("SELECT * FROM kept_check WHERE small = $1", [PostgresData(int: 7)])
                        #expect(try reshaped.first?.string("extra") == "more")
                        // Any other error is the caller's, and the statement stays kept.
                        await #expect(throws: (any Error).self) { try await run("SELECT 1 / $1 AS n", [PostgresData(int: 0)]) }
                        #expect(try await run("SELECT 1 / $1 AS n", [PostgresData(int: 1)]).first?.int("n") == 1)
                    }
                }.get()
            }
        }
    }
}
