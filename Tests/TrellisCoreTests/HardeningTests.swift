import Foundation
import Testing
@testable import TrellisCore

@Suite struct InputSafetyTests {
    let header = PeopleTable.columns

    func row(_ email: String, manager: String = "", name: String = "Person", role: String = "mentee", timezone: String = "", capacity: String = "") -> [String] {
        let values: [String: String] = [
            "email": email, "name": name, "role": role, "department": "", "manager_email": manager, "timezone": timezone,
            "languages": "", "expertise": "", "development_areas": "", "interests": "", "values": "", "capacity": capacity,
            "meeting_frequency": "", "years_experience": "",
        ]
        return header.map { values[$0]! }
    }

    @Test func `a chain sixteen thousand deep is accepted, and a loop at its end is found and described briefly`() {
        let depth = 16_000
        var rows = (0..<depth).map { row("p\($0)@example.org", manager: $0 == 0 ? "" : "p\($0 - 1)@example.org") }
        #expect(PeopleTable.parse(header: header, rows: rows).isValid)
        // The top of the chain now reports to the bottom: everyone is in one loop.
        rows[0] = row("p0@example.org", manager: "p\(depth - 1)@example.org")
        let result = PeopleTable.parse(header: header, rows: rows)
        #expect(result.problems.count == depth)
        let first = result.problems.first { $0.row == 2 }
        #expect(first?.message.contains("p0@example.org → p15999@example.org → p15998@example.org") == true)
        #expect(first?.message.contains("(16000 people in all)") == true)
        #expect((first?.message.count ?? 0) < 400, "a long loop is shortened")
    }

    @Test func `an unknown manager is reported even when the row has other problems`() {
        let result = PeopleTable.parse(header: header, rows: [row("a@example.org", manager: "ghost@example.org", role: "teacher", timezone: "Nowhere/City")])
        let columns = Set(result.problems.map(\.column))
        #expect(columns == ["role", "timezone", "manager_email"])
    }

    @Test func `cycles are found once each, in a forest with several loops`() {
        let line = ReportingLine(managerOf: [1: 2, 2: 3, 3: 1, 4: 1, 5: 6, 6: 5, 7: 7, 8: 9])
        let cycles = line.cycles().map { Set($0) }
        #expect(cycles.count == 3)
        #expect(Set(cycles) == [[1, 2, 3], [5, 6], [7]])
    }

    @Test func `cells that spreadsheets would run as formulas are neutralised, and import undoes it exactly`() {
        let values = ["=HYPERLINK(\"http://evil.example\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'=already", "''", "'Neill", "O'Neill", "plain", "", "'"]
        for value in values {
            let escaped = SpreadsheetSafety.escape(value)
            if let first = escaped.unicodeScalars.first {
                #expect(!["=", "+", "-", "@", "\t", "\r"].contains(first), "\(value.debugDescription) → \(escaped.debugDescription)")
            }
            #expect(SpreadsheetSafety.unescape(escaped) == value, "\(value.debugDescription)")
        }
        #expect(SpreadsheetSafety.escape("'Neill") == "'Neill", "an ordinary apostrophe is left alone")
    }

    @Test func `a CSV line reads back through the CSV library exactly, a combining mark after a quotation mark or comma included`() throws {
        // The library's own writer decided quoting by Character: ",\u{301}" and "\"\u{301}" are one
        // character each, and such a field came out unquoted, or with its quotation mark single.
        var fields = [",\u{301}", "\"\u{301}", "a\"\u{301}b", "x,\u{301}y", "\r\n", "\r", "\n\u{301}", "\"", "\"\"", ",", "", " padded ",
                      "plain", "é;🎉", "\u{301}", "\u{200D},\u{200D}"]
        var generator = SystemRandomNumberGenerator()
        let pool: [Unicode.Scalar] = [",", "\"", "\r", "\n", "\u{301}", "\u{20DD}", "a", "é", "🎉", " ", ";", "\u{200D}", "\u{FE0F}"]
        for _ in 0..<300 {
            fields.append(String(String.UnicodeScalarView((0..<Int.random(in: 0...8, using: &generator)).map { _ in pool.randomElement(using: &generator)! })))
        }
        for start in stride(from: 0, to: fields.count, by: 3) {
            let row = Array(fields[start..<min(start + 3, fields.count)]) + Array(repeating: "end", count: max(0, start + 3 - fields.count))
            let (header, rows) = try PeopleFile.read(CSVText.line(["a", "b", "c"]) + CSVText.line(row))
            #expect(header == ["a", "b", "c"])
            // Compared by scalar: Swift's String equality would call some different texts equal.
            #expect(rows.map { $0.map { Array($0.unicodeScalars) } } == [row.map { Array($0.unicodeScalars) }], "\(row.debugDescription)")
        }
    }

    @Test func `export then import is the identity on adversarial records`() throws {
        let records = [
            PersonRecord(email: "eve@example.org", name: "=cmd|' /C calc'!A0", role: .mentor, department: "+Sales", managerEmail: nil,
                         timezone: "Europe/Paris", languages: ["@English"], expertise: ["-Negotiation", "'=quoted"], developmentAreas: [],
                         interests: ["'Neill's pub quiz"], values: ["\u{00E9}quit\u{00E9}"], capacity: 2, meetingFrequency: .weekly, yearsExperience: 7),
            PersonRecord(email: "trent@example.org", name: "Trent \"\u{301}Quote\", Esq.", role: .both, department: "R&D,\u{301} Labs", managerEmail: nil,
                         timezone: "", languages: [], expertise: ["x,\u{301}y", "a\"\u{301}b"], developmentAreas: ["\u{301}accent"], interests: [], values: [],
                         capacity: 1),
            PersonRecord(email: "mallory@example.org", name: "''", role: .mentee, department: "@Ops", managerEmail: "eve@example.org",
                         timezone: "", languages: [], expertise: [], developmentAreas: ["=1+1"], interests: [], values: [], capacity: nil),
        ]
        let cells = records.map(PeopleTable.cells(of:))
        for row in cells {
            for cell in row {
                if let first = cell.unicodeScalars.first { #expect(!["=", "+", "-", "@"].contains(first), "\(cell)") }
            }
        }
        let parsed = PeopleTable.parse(header: header, rows: cells)
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.records == records)
        // And through the file's text, as an export is written and an import reads it.
        let file = try PeopleFile.read(PeopleFile.text(of: records))
        #expect(file.header == PeopleTable.columns)
        #expect(file.rows.map { $0.map { Array($0.unicodeScalars) } } == cells.map { $0.map { Array($0.unicodeScalars) } })
        #expect(PeopleTable.parse(header: file.header, rows: file.rows).records == records)
    }

    @Test func `control characters are removed from text and never split or blank a value`() {
        #expect(TextInput.line("Ada\u{0}Lovelace") == "AdaLovelace")
        #expect(TextInput.line("  Ada\tLove\u{1B}[31mlace \n") == "Ada Love[31mlace")
        #expect(TextInput.line("\u{0}") == "")
        #expect(TextInput.paragraphs("One\r\nTwo\u{0}\rThree\u{7}") == "One\nTwo\nThree")
        #expect(Tags.clean("Swift\u{0}UI") == "SwiftUI")
        #expect(!EmailAddress.isValid("a\u{0}b@example.org"))
        var draft = ProfileDraft(name: "Ada\u{0}", bio: "Line\u{0}one", tags: [.expertise: ["Sw\u{0}ift"]]).normalized()
        #expect(draft.name == "Ada" && draft.bio == "Lineone" && draft.tags(.expertise) == ["Swift"])
        draft.tags[.interest] = ["Reading; writing"]
        #expect(draft.validate()["interests"]?.contains("separates entries") == true)
    }

    @Test func `bidirectional overrides and isolates are removed, direction marks and right-to-left text kept`() {
        // An unclosed right-to-left override in a program's name reversed the state badge shown
        // after it on the programs page.
        #expect(TextInput.line("ab\u{202E}evil") == "abevil")
        for scalar in [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069] {
            #expect(TextInput.line("a\(Character(Unicode.Scalar(scalar)!))b") == "ab", "U+\(String(scalar, radix: 16))")
            #expect(TextInput.paragraphs("note\(Character(Unicode.Scalar(scalar)!))") == "note")
        }
        #expect(TextInput.line("שלום עולם") == "שלום עולם" && TextInput.line("مرحبا\u{200F}") == "مرحبا\u{200F}")
        #expect(TextInput.containsControl("x\u{2067}y") && !TextInput.containsControl("x\u{200E}y"))
    }

    @Test func `a byte-order mark inside text is removed like a control, and named where it cannot be`() {
        // As a file joined from two, or a cell pasted from one, carries it into a value.
        #expect(TextInput.line("\u{FEFF}Alice") == "Alice")
        // The zero-width space too: kept in a tag, it was trimmed off the edge of an exported
        // cell, so export followed by import changed the tag. Joiners stay (emoji, scripts).
        #expect(Tags.clean("Go\u{200B}") == "Go" && Tags.clean("\u{200B}Go") == "Go" && Tags.clean("G\u{200B}o") == "Go")
        #expect(Tags.normalize(["Swift", "Swift\u{200B}"]) == ["Swift"])
        #expect(TextInput.line("Ada\u{200B} Lovelace") == "Ada Lovelace")
        #expect(Tags.clean("👩\u{200D}💻") == "👩\u{200D}💻" && Tags.clean("می\u{200C}خواهم") == "می\u{200C}خواهم")
        #expect(Tags.clean("Swift\u{FEFF}") == "Swift")
        #expect(TextInput.paragraphs("Bio\u{FEFF} text") == "Bio text")
        let draft = ProfileDraft(name: "\u{FEFF}Ada", tags: [.language: ["\u{FEFF}English"]]).normalized()
        #expect(draft.name == "Ada" && draft.tags(.language) == ["English"])
        #expect(!EmailAddress.isValid("\u{FEFF}ada@example.org"))
        #expect("\u{FEFF}ada@example.org".shownInMessage.contains("\\u{FEFF}"))
        // What is quoted back in a message shows its control characters as escapes, never as they are.
        #expect("outside\u{0}".quoted(40) == "outside\\u{0}")
        #expect("a\u{1B}[2Jb".quoted(2) == "a\\u{1B}…")
        if case .failure(let problem) = ProfileRules.choice("outside\u{0}\u{202E}", as: MeetingsPlace.self) {
            #expect(problem.message == "Where pairs meet: choose trellis or outside (got “outside\\u{0}\\u{202E}”).")
        } else { Issue.record("a control character is not a choice") }
        // A people file with one in data cells: removed from the email as from the name (as a NUL
        // is), so the person is the one without it, not a look-alike second account.
        let blank = Array(repeating: "", count: PeopleTable.columns.count - 3)
        let parsed = PeopleTable.parse(header: PeopleTable.columns, rows: [["\u{FEFF}ada@example.org", "\u{FEFF}Ada", "mentee"] + blank, ["ada@example.org", "Ada", "mentee"] + blank])
        #expect(parsed.problems.count == 1 && parsed.problems.first?.message.contains("already appears in row 2") == true, "\(parsed.problems)")
        let stored = PeopleTable.parse(header: PeopleTable.columns, rows: [["bob@example.org\u{FEFF}", "\u{FEFF}Bob", "mentee"] + blank])
        #expect(stored.problems.isEmpty && stored.records.map(\.name) == ["Bob"] && stored.records.map(\.email) == ["bob@example.org"], "\(stored.problems)")
    }

    @Test func `the web form shows lists so that saving them gives the same list back, commas included`() {
        for tags in [["Climbing, bouldering"], ["Chess", "Climbing, bouldering"], ["Go", "Rust"], [], ["Ünïcode"]] {
            #expect(Tags.parseTyped(Tags.formText(tags)) == tags, "\(tags)")
        }
        #expect(Tags.parseTyped("Go, Rust, Swift") == ["Go", "Rust", "Swift"])
        #expect(Tags.parseTyped("Go\nRust, the language") == ["Go", "Rust, the language"])
    }

    @Test func `a separator followed by a combining mark, or a carriage return before a new line, still separates`() {
        // ";" and U+0301 are one character, as are "\r\n": split by scalar, they separate entries
        // as anywhere else, and a tag holding one is refused, so that export and import agree.
        #expect(Tags.parse("Zeta 9;\u{301}accent", separators: [";"]) == ["Zeta 9", "\u{301}accent"])
        #expect(Tags.parse("Café\r\nThé", separators: ["\n"]) == ["Café", "Thé"])
        #expect(Tags.parseTyped("Café\r\nThé") == ["Café", "Thé"])
        #expect(Tags.parseTyped("Thé;\u{301}x") == ["Thé", "\u{301}x"])
        #expect(Tags.problem(with: "a;\u{301}b")?.contains("separates entries") == true)
        // Every line separator ends an entry of a typed list, not only a line feed.
        for separator in ["\r", "\u{2028}", "\u{2029}", "\u{85}", "\u{0B}", "\u{0C}"] {
            #expect(Tags.parseTyped("Go, Rust\(separator)Swift") == ["Go, Rust", "Swift"], "\(separator.debugDescription)")
        }
        // DEL is removed from plain ASCII text as from any other.
        #expect(Tags.clean("m\u{7F}n") == "mn" && TextInput.line("Tester\u{7F}") == "Tester" && Tags.clean("é\u{7F}x") == "éx")
        for tags in [["a,\u{301}b", "c"], ["Ünï,\u{301}"]] {
            #expect(Tags.parseTyped(Tags.formText(tags)) == tags, "\(tags)")
        }
    }

    @Test func `text taken as it is (accented Latin letters, Chinese) is what normalising it would give`() {
        // `Tags.clean` returns these without normalising them: each scalar, and texts of them, must
        // already be NFC and hold no whitespace or control.
        let plain = (UInt32(0xA1)..<0x300).map { $0 } + (UInt32(0x4E00)...0x9FFF).map { $0 }
        for value in plain {
            let scalar = Unicode.Scalar(value)!
            #expect(Tags.isPlainLetter(value) && !scalar.properties.isWhitespace && !TextInput.isControl(scalar))
            let text = "a" + String(scalar) + "b"
            #expect(Self.sameScalars(text.precomposedStringWithCanonicalMapping, text), "U+\(String(value, radix: 16))")
        }
        // Every Latin one beside every other, and random texts of them with ASCII and spaces.
        let latin = plain.prefix { $0 < 0x300 }.map { Character(Unicode.Scalar($0)!) }
        for first in latin {
            let texts = latin.map { String([first, $0]) }
            #expect(texts.allSatisfy { Self.sameScalars($0.precomposedStringWithCanonicalMapping, $0) }, "\(first)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let text = String((0..<Int.random(in: 1...10, using: &generator)).map { _ in
                Character(Unicode.Scalar(Bool.random(using: &generator) ? plain.randomElement(using: &generator)! : UInt32.random(in: 0x21...0x7E, using: &generator))!)
            })
            #expect(Self.sameScalars(Tags.clean(text), text.precomposedStringWithCanonicalMapping))
            #expect(Self.sameScalars(Tags.clean("  " + text + " \t" + text + " "), text + " " + text))
        }
        // Neighbours of the ranges are not taken as they are.
        for value: UInt32 in [0x7F, 0x85, 0xA0, 0x300, 0x301, 0x4DFF, 0xA000, 0x3000, 0x2028] { #expect(!Tags.isPlainLetter(value)) }
        #expect(Self.sameScalars(Tags.clean("e\u{301}"), "\u{E9}") && Self.sameScalars(Tags.clean("中\u{3000}文"), "中 文"))
    }

    /// The same Unicode scalars (Swift's `==` on strings compares canonical equivalents as equal).
    static func sameScalars(_ a: String, _ b: String) -> Bool { Array(a.unicodeScalars) == Array(b.unicodeScalars) }

    @Test func `a combining mark after a space is kept, so the form's list text gives the same list back`() {
        // " " followed by U+0301 is one whitespace character: cleaning by character dropped the
        // mark, so an unchanged edit form lost it from every entry after the first.
        #expect(Tags.clean("a \u{301}b") == "a \u{301}b")
        #expect(Tags.clean(" \u{301}x") == "\u{301}x")
        #expect(Tags.clean("  Ada \t  Lovelace \n") == "Ada Lovelace")
        for tags in [["x", "\u{301}y"], ["Zeta", "\u{301}\u{302}", "\u{301}accent"], ["a,b", "\u{301}c"]] {
            #expect(Tags.parseTyped(Tags.formText(tags)) == tags, "\(tags.map(\.debugDescription))")
        }
    }

    @Test func `lengths are counted by scalar everywhere, and messages quote a bounded excerpt`() {
        // One letter and 20,000 combining marks is one Swift character: counted by character, the
        // form accepted it where the API refused it, and messages quoted all of it.
        let heavy = "a" + String(repeating: "\u{301}", count: 20_000)
        #expect(heavy.count == 1)
        #expect(ProfileRules.name.problem(heavy)?.contains("at most 120") == true)
        #expect(ProfileRules.name.problem(sent: heavy) != nil)
        let tagProblem = Tags.problem(with: heavy)
        #expect(tagProblem?.contains("too long") == true && (tagProblem?.unicodeScalars.count ?? .max) < 200)
        let separatorProblem = Tags.problem(with: heavy + ";b")
        #expect((separatorProblem?.unicodeScalars.count ?? .max) < 200)
        if case .failure(let problem) = ProfileRules.capacityMentees.parse("1" + String(repeating: "\u{301}", count: 10_000)) {
            #expect(problem.message.unicodeScalars.count < 200)
        } else {
            Issue.record("a number with marks was accepted")
        }
        #expect(ProfileRules.emailProblem(heavy + "@example.org").map { $0.unicodeScalars.count < 200 } == true)
        #expect("abc".excerpt(3) == "abc" && "abcd".excerpt(3) == "abc…" && heavy.scalarPrefix(5).unicodeScalars.count == 5)
        // A separator or "@" hidden in one character with a mark is still seen.
        #expect(!EmailAddress.isValid("a@\u{301}b@example.org"))
        #expect(!EmailAddress.isValid("a,\u{301}b@example.org"))
        #expect(!EmailAddress.isValid("a \u{301}b@example.org"))
        #expect(EmailAddress.isValid("ada@example.org"))
        #expect(!EmailAddress.isValid(String(repeating: "é", count: 250) + "@x.org"))
    }
}
