import Foundation
import Testing
@testable import TrellisCore
import TrellisFixtures

@Suite struct PeopleTableTests {
    let header = PeopleTable.columns

    func row(_ values: [String: String]) -> [String] {
        let defaults: [String: String] = [
            "email": "ada@example.org", "name": "Ada Lovelace", "role": "mentor", "department": "Engineering",
            "manager_email": "", "timezone": "Europe/London", "languages": "English;French", "expertise": "Mathematics;Writing",
            "development_areas": "", "interests": "Music", "values": "Curiosity", "capacity": "2",
            "meeting_frequency": "monthly", "years_experience": "12",
        ]
        return header.map { values[$0] ?? defaults[$0]! }
    }

    @Test func `a good file becomes records, in file order`() {
        let result = PeopleTable.parse(header: header, rows: [
            row([:]),
            row(["email": "BOB@example.org", "name": "Bob  Okafor", "role": "mentee", "capacity": "", "manager_email": "ada@example.org", "development_areas": "Public speaking; Writing ;writing"]),
        ])
        #expect(result.isValid)
        #expect(result.records.count == 2)
        let bob = result.records[1]
        #expect(bob.email == "bob@example.org")
        #expect(bob.name == "Bob Okafor")
        #expect(bob.role == .mentee)
        #expect(bob.capacity == nil)
        #expect(bob.managerEmail == "ada@example.org")
        #expect(bob.developmentAreas == ["Public speaking", "Writing"])
        #expect(result.records[0].languages == ["English", "French"])
    }

    @Test func `a problem quotes a bounded excerpt of the cell`() {
        let heavy = "a" + String(repeating: "\u{301}", count: 5_000)
        let result = PeopleTable.parse(header: header, rows: [row(["timezone": heavy])])
        let problem = try? #require(result.problems.first)
        #expect(problem?.column == "timezone")
        #expect((problem?.description.unicodeScalars.count ?? .max) < 400)
    }

    @Test func `a blank role is someone without a mentoring role, who has no capacity`() {
        let result = PeopleTable.parse(header: header, rows: [
            row(["email": "m@example.org", "role": "", "capacity": ""]),
            row(["email": "n@example.org", "role": " ", "capacity": "2"]),
        ])
        #expect(result.problems.count == 1)
        #expect(result.problems.first.map { $0.row == 3 && $0.column == "capacity" && $0.message.contains("No mentoring role is chosen") } == true)
        let fine = PeopleTable.parse(header: header, rows: [row(["email": "m@example.org", "role": "", "capacity": ""])])
        #expect(fine.isValid && fine.records.first?.role == nil)
        #expect(fine.records.first.map { PeopleTable.cells(of: $0)[2] } == "", "written back blank")
    }

    @Test func `a manager may appear later in the file than the people they manage`() {
        let result = PeopleTable.parse(header: header, rows: [
            row(["email": "bob@example.org", "role": "mentee", "capacity": "", "manager_email": "ada@example.org"]),
            row([:]),
        ])
        #expect(result.isValid)
    }

    @Test func `columns may come in any order but must all be there, once`() {
        let shuffled = header.reversed().map { $0 }
        let cells = row([:]).reversed().map { $0 }
        #expect(PeopleTable.parse(header: shuffled, rows: [cells]).isValid)

        let missing = PeopleTable.parse(header: header.filter { $0 != "timezone" } + ["favourite_colour"], rows: [])
        #expect(missing.problems.contains { $0.row == 1 && $0.column == "timezone" && $0.message.contains("missing") })
        #expect(missing.problems.contains { $0.row == 1 && $0.column == "favourite_colour" && $0.message.contains("Unknown column") })

        let doubled = PeopleTable.parse(header: header + ["email"], rows: [])
        #expect(doubled.problems.contains { $0.column == "email" && $0.message.contains("more than once") })
    }

    @Test func `every kind of bad row is reported with row, column, value and what is allowed, and nothing is returned`() {
        let result = PeopleTable.parse(header: header, rows: [
            row([:]),                                                              // row 2: fine
            row(["email": "not-an-email"]),                                        // row 3
            row(["email": "c@example.org", "name": ""]),                           // row 4
            row(["email": "d@example.org", "role": "guru"]),                       // row 5
            row(["email": "e@example.org", "timezone": "Mars/Base"]),              // row 6
            row(["email": "f@example.org", "capacity": "many"]),                   // row 7
            row(["email": "g@example.org", "capacity": ""]),                       // row 8: mentor without capacity
            row(["email": "h@example.org", "role": "mentee", "capacity": "1"]),    // row 9: mentee with capacity
            row(["email": "i@example.org", "meeting_frequency": "daily"]),         // row 10
            row(["email": "j@example.org", "years_experience": "-3"]),             // row 11
            row(["email": "k@example.org", "manager_email": "nobody@example.org"]), // row 12
            row(["email": "ada@example.org"]),                                     // row 13: duplicate
            row(["email": "m@example.org", "manager_email": "m@example.org"]),     // row 14: own manager
            ["too", "few"],                                                        // row 15
        ])
        #expect(!result.isValid)
        #expect(result.records.isEmpty)
        func has(_ row: Int, _ column: String, _ value: String? = nil, _ text: String) -> Bool {
            result.problems.contains { $0.row == row && $0.column == column && (value == nil || $0.value == value) && $0.message.contains(text) }
        }
        #expect(has(3, "email", "not-an-email", "is not an email address; expected something like name@example.org"))
        #expect(has(4, "name", "", "Name is required"))
        #expect(has(5, "role", "guru", "Mentoring role: choose mentor, mentee or both (got “guru”)"))
        #expect(has(6, "timezone", "Mars/Base", "IANA"))
        #expect(has(7, "capacity", "many", "Capacity must be a whole number from 0 to 10 (got “many”)"))
        #expect(has(8, "capacity", "", "Capacity is required for someone who mentors"))
        #expect(has(9, "capacity", "1", "A mentee does not mentor: leave capacity blank"))
        #expect(has(10, "meeting_frequency", "daily", "choose weekly, biweekly, monthly or as-needed"))
        #expect(has(11, "years_experience", "-3", "0 to 60"))
        #expect(has(12, "manager_email", "nobody@example.org", "No person with this email"))
        #expect(has(13, "email", "ada@example.org", "already appears in row 2"))
        #expect(has(14, "manager_email", "m@example.org", "own manager"))
        #expect(has(15, "", nil, "2 cells but the header has 14"))
        #expect(result.problems.map(\.row) == result.problems.map(\.row).sorted())
    }

    @Test func `a reporting loop inside the file or with stored people is refused`() {
        let loop = PeopleTable.parse(header: header, rows: [
            row(["email": "a@example.org", "manager_email": "b@example.org"]),
            row(["email": "b@example.org", "manager_email": "a@example.org"]),
        ])
        #expect(loop.problems.contains { $0.row == 2 && $0.column == "manager_email" && $0.message.contains("reporting loop") })

        // Stored: c is managed by a. The file makes a managed by c.
        let withStored = PeopleTable.parse(
            header: header, rows: [row(["email": "a@example.org", "manager_email": "c@example.org"])],
            existingManagers: ["c@example.org": "a@example.org"], knownEmails: ["c@example.org", "a@example.org"]
        )
        #expect(withStored.problems.contains { $0.message.contains("a@example.org → c@example.org → a@example.org") })
    }

    @Test func `a manager already stored need not be in the file`() {
        let result = PeopleTable.parse(header: header, rows: [row(["manager_email": "boss@example.org"])], knownEmails: ["boss@example.org"])
        #expect(result.isValid)
    }

    @Test func `cells of a record parse back to the same record`() {
        let record = PersonRecord(
            email: "zoë@example.org", name: "Zoë, \"Z\" Adeyemi", role: .both, department: "Data & Analytics",
            managerEmail: nil, timezone: "Africa/Lagos", languages: ["English", "Yoruba"], expertise: ["SQL"],
            developmentAreas: ["Public speaking"], interests: ["Chess"], values: ["Kindness"], capacity: 1,
            meetingFrequency: .asNeeded, yearsExperience: 7
        )
        let parsed = PeopleTable.parse(header: header, rows: [PeopleTable.cells(of: record)])
        #expect(parsed.problems.isEmpty)
        #expect(parsed.records == [record])
    }
}

@Suite struct DemoOrganisationTests {
    let people = DemoOrganisation.people()

    @Test func `the demo is the same on every run`() {
        #expect(DemoOrganisation.people() == people)
    }

    @Test func `about two hundred people in at least six departments across several continents`() {
        #expect((180...240).contains(people.count))
        #expect(Set(people.map(\.record.department)).count >= 6)
        let regions = Set(people.map { $0.record.timezone.split(separator: "/").first.map(String.init) ?? "" })
        #expect(regions.isSuperset(of: ["Europe", "America", "Asia", "Africa", "Australia"]))
        #expect(Set(people.map(\.record.email)).count == people.count)
    }

    @Test func `the demo passes the import rules, managers come first and no loop exists`() {
        let parsed = PeopleTable.parse(header: PeopleTable.columns, rows: people.map { PeopleTable.cells(of: $0.record) })
        #expect(parsed.problems.isEmpty, "\(parsed.problems.prefix(3))")
        var seen = Set<String>()
        for person in people {
            if let manager = person.record.managerEmail { #expect(seen.contains(manager)) }
            seen.insert(person.record.email)
        }
        let line = ReportingLine(managerOf: Dictionary(uniqueKeysWithValues: people.compactMap { p in p.record.managerEmail.map { (p.record.email, $0) } }))
        #expect(line.firstCycle() == nil)
        #expect(people.map { line.managers(of: $0.record.email).count }.max()! >= 3)
    }

    @Test func `there are mentors with capacity and mentees with development areas`() {
        let mentors = people.filter { $0.record.role?.canMentor == true }
        let mentees = people.filter { $0.record.role?.wantsMentor == true }
        #expect(mentors.count >= 40)
        #expect(mentees.count >= 80)
        #expect(mentors.allSatisfy { ($0.record.capacity ?? 0) >= 1 && !$0.record.expertise.isEmpty })
        #expect(mentees.allSatisfy { !$0.record.developmentAreas.isEmpty })
        #expect(people.contains { $0.isAdmin && $0.record.email == DemoOrganisation.adminEmail })
        #expect(people.contains { $0.record.email == DemoOrganisation.participantEmail && $0.record.role == .mentee })
    }
}

extension PeopleTableTests {
    /// Rows are checked on several threads and then in file order for what crosses rows; the
    /// result must not depend on how the rows were split. A file with every kind of problem, some
    /// of them crossing from one part to another (an email given again far below, a manager who
    /// appears later, a loop whose people sit in different parts), is read with one thread and
    /// with several.
    @Test func `rows checked on several threads give what one thread gives`() {
        var rng = SeededGenerator(seed: 77)
        var rows: [[String]] = []
        let count = 9_000
        for index in 0..<count {
            let email = "p\(index)@example.org"
            switch Int.random(in: 0..<40, using: &rng) {
            case 0: rows.append(row(["email": "not an email"]))
            case 1: rows.append(row(["email": "P\(Int.random(in: 0..<count, using: &rng))@Example.org"])) // given again, anywhere
            case 2: rows.append(row(["email": email, "manager_email": "p\(Int.random(in: 0..<count, using: &rng))@example.org"]))
            case 3: rows.append(row(["email": email, "manager_email": "nobody\(index)@example.org"]))
            case 4: rows.append(row(["email": email, "capacity": "-\(index)"]))
            case 5: rows.append(Array(row(["email": email]).dropLast()))
            case 6: rows.append(header.map { _ in " " })
            case 7: rows.append(row(["email": email, "role": "mentee", "capacity": "", "development_areas": "x;x;" + String(repeating: "y", count: 200)]))
            case 8: rows.append(row(["email": email, "manager_email": email]))
            case 9: rows.append(row(["email": email, "manager_email": "p\(count - 1 - index)@example.org"])) // loops across the parts
            default: rows.append(row(["email": email, "name": "Person \(index)", "manager_email": index > 0 && index % 3 == 0 ? "p\(index / 3)@example.org" : ""]))
            }
        }
        let one = PeopleTable.parse(header: header, rows: rows, workers: 1)
        #expect(!one.problems.isEmpty)
        #expect(one.problems.contains { $0.message.hasPrefix("This email already appears in row") })
        #expect(one.problems.contains { $0.message.hasPrefix("This would make a reporting loop") })
        for workers in [2, 3, 7] {
            let several = PeopleTable.parse(header: header, rows: rows, workers: workers)
            #expect(several.problems == one.problems)
            #expect(several.records == one.records)
        }
        // Without the bad rows, every record comes back, in file order, whatever the split.
        let good = (0..<count).map { row(["email": "q\($0)@example.org", "manager_email": $0 == 0 ? "" : "q\($0 / 2)@example.org"]) }
        for workers in [1, 2, 5] {
            let result = PeopleTable.parse(header: header, rows: good, workers: workers)
            #expect(result.isValid)
            #expect(result.records.map(\.email) == (0..<count).map { "q\($0)@example.org" })
        }
    }
}
