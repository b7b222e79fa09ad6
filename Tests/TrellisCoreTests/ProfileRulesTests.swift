import Foundation
import Testing
@testable import TrellisCore
import TrellisFixtures

@Suite struct TagTests {
    @Test func `tags are trimmed, collapsed and de-duplicated case-insensitively, keeping the first spelling`() {
        #expect(Tags.normalize(["  Swift ", "swift", "System   design", "", "SWIFT", "Public speaking"]) == ["Swift", "System design", "Public speaking"])
    }

    @Test func `typed lists split on commas, semicolons and new lines`() {
        #expect(Tags.parse("Go, Rust;  rust\nCooking,,") == ["Go", "Rust", "Cooking"])
    }

    @Test func `the comparison key ignores case and extra spaces`() {
        #expect(Tags.key("  Machine   Learning ") == "machine learning")
    }
}

@Suite struct TagFastPathTests {
    static let samples = [
        "", " ", "Kubernetes", "Machine Learning", " Machine Learning", "Machine Learning ", "Machine  Learning",
        "Machine\tLearning", "Machine\nLearning", "A", "a b c", "Ünïcode Tag", "Tag\u{00A0}With NBSP", "\u{00A0}Lead",
        "Trail\u{2003}", "x\u{85}", "Emoji 🚀 tag", "  spaced   out  ", "\r\nCRLF\r\n", "tab\t",
    ]

    @Test("the quick paths give what the full normalisation gives", arguments: samples)
    func quickPathsAgree(sample: String) {
        #expect(Tags.clean(sample) == sample.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "))
        #expect(Tags.trimmed(sample) == sample.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static let lists = [
        "", "Go, Rust;  rust\nCooking,,", "a;b;c", " , ; ", "One\r\nTwo", "Ünï, code", "x,\ty", "single",
        "trailing,", ",leading", "new\n\nlines", "Emoji 🚀, Rocket", "Thé;\u{301}x", "Café\r\nThé", "a,\u{301}b",
    ]

    /// Splitting by Unicode scalars: a separator followed by a combining mark, or "\r\n", is one
    /// `Character` but still separates.
    static func splitByScalars(_ list: String, _ separators: Set<Unicode.Scalar>) -> [String] {
        list.unicodeScalars.split(omittingEmptySubsequences: false, whereSeparator: separators.contains).map { String(String.UnicodeScalarView($0)) }
    }

    @Test("the quick list split gives what splitting by scalars gives", arguments: lists)
    func quickSplitAgrees(list: String) {
        #expect(Tags.parse(list) == Tags.normalize(Self.splitByScalars(list, [",", ";", "\n"])))
        #expect(Tags.parse(list, separators: [";"]) == Tags.normalize(Self.splitByScalars(list, [";"])))
    }
}

@Suite struct ProfileDraftTests {
    func valid() -> ProfileDraft {
        ProfileDraft(name: "Ada Lovelace", timezone: "Europe/London", mentoringRole: .mentor, capacityMentees: 2, tags: [.expertise: ["Mathematics"]])
    }

    @Test func `a complete valid draft has no errors`() {
        #expect(valid().normalized().validate().isEmpty)
    }

    @Test func `each invalid field is named with what is allowed`() {
        var draft = valid()
        draft.name = "   "
        draft.timezone = "Mars/Olympus_Mons"
        draft.yearsExperience = 75
        draft.capacityMentees = 11
        draft.capacityHoursPerMonth = -1
        draft.tags[.interest] = [String(repeating: "x", count: 61)]
        draft.headline = String(repeating: "h", count: 141)
        let errors = draft.normalized().validate()
        #expect(errors["name"] == "Name is required.")
        #expect(errors["timezone"]?.contains("not an IANA time zone") == true)
        #expect(errors["years_experience"]?.contains("0 to 60") == true)
        #expect(errors["capacity_mentees"]?.contains("0 to 10") == true)
        #expect(errors["capacity_hours"]?.contains("0 to 80") == true)
        #expect(errors["interests"]?.contains("at most 60 characters") == true)
        #expect(errors["headline"]?.contains("140") == true)
        #expect(errors.order.first == "name")
    }

    @Test func `too many tags in one list is refused`() {
        var draft = valid()
        draft.tags[.value] = (1...31).map { "Value \($0)" }
        #expect(draft.normalized().validate()["values"]?.contains("at most 30") == true)
    }

    @Test func `completeness counts what is filled and lists what is missing`() {
        let empty = ProfileDraft(name: "New Person")
        #expect(empty.completeness.fraction < 0.2)
        #expect(empty.completeness.missing.contains("your time zone"))
        let demo = DemoOrganisation.people().first { $0.record.email == DemoOrganisation.participantEmail }!
        var full = ProfileDraft(
            name: demo.record.name, headline: demo.headline, bio: demo.bio, department: demo.record.department,
            yearsExperience: demo.record.yearsExperience, timezone: demo.record.timezone, mentoringRole: demo.record.role,
            meetingFrequency: demo.record.meetingFrequency, communicationMethods: demo.communication, careerGoals: demo.careerGoals
        )
        for kind in TagKind.allCases { full.tags[kind] = demo.record.tags(kind) }
        #expect(full.completeness.fraction == 1)
        #expect(full.completeness.missing.isEmpty)
    }

    @Test func `time zones are checked against the IANA names`() {
        #expect(TimeZones.isValid("America/Sao_Paulo"))
        #expect(TimeZones.isValid("Asia/Kolkata"))
        #expect(!TimeZones.isValid("Europe/Atlantis"))
        #expect(!TimeZones.isValid(""))
    }

    @Test func `email addresses are normalised and checked`() {
        #expect(EmailAddress.normalize("  Ada@Example.ORG ") == "ada@example.org")
        // Lowering the case can undo composition; the key is composed again, so that spellings
        // Swift takes for one are one in the database's bytes too.
        for (typed, key) in [("H\u{0331}a@x.com", "\u{1E96}a@x.com"), ("\u{1E96}a@x.com", "\u{1E96}a@x.com"),
                             ("J\u{030C}o@x.com", "\u{01F0}o@x.com"), ("Cafe\u{0301}@x.com", "caf\u{00E9}@x.com")] {
            #expect(Array(EmailAddress.normalize(typed).unicodeScalars) == Array(key.unicodeScalars), "\(typed.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(EmailAddress.normalize(EmailAddress.normalize(typed)).utf8.elementsEqual(EmailAddress.normalize(typed).utf8))
        }
        #expect(EmailAddress.isValid("ada@example.org"))
        // The same rule (`TextInput.lowercased`) makes tag keys: "H̱ebrew" typed either way is one
        // key in bytes; Turkish İ (no composed lower case) and plain letters are left as lowered.
        for (typed, key) in [("H\u{0331}ebrew", "\u{1E96}ebrew"), ("\u{1E96}ebrew", "\u{1E96}ebrew"), ("J\u{030C}", "\u{01F0}"),
                             ("\u{0130}zmir", "i\u{0307}zmir"), ("ÉCOLE 数据", "école 数据"), ("Go", "go")] {
            #expect(Array(Tags.key(typed).unicodeScalars) == Array(key.unicodeScalars), "\(typed.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(TextInput.lowercased(Tags.key(typed)).utf8.elementsEqual(Tags.key(typed).utf8))
        }
        for bad in ["ada", "ada@", "@example.org", "ada@example", "ada @example.org", "a@b@c.org", "ada@example."] {
            #expect(!EmailAddress.isValid(bad), "\(bad) should be refused")
        }
    }

    @Test func `passwords need ten characters and a matching confirmation`() {
        #expect(PasswordRules.check("short", confirmation: "short")["password"] != nil)
        #expect(PasswordRules.check("long enough pass", confirmation: "different pass")["password_confirmation"] != nil)
        #expect(PasswordRules.check("long enough pass", confirmation: "long enough pass").isEmpty)
    }
}

@Suite struct ReportingLineTests {
    @Test func `managers are listed nearest first`() {
        let line = ReportingLine(managerOf: ["dev": "lead", "lead": "head", "head": "ceo"])
        #expect(line.managers(of: "dev") == ["lead", "head", "ceo"])
        #expect(line.inSameLine("ceo", "dev"))
        #expect(!line.inSameLine("dev", "other"))
    }

    @Test func `a manager that would close a loop is found, with the loop`() {
        let line = ReportingLine(managerOf: ["b": "a", "c": "b"])
        #expect(line.cycle(ifManagerOf: "a", becomes: "b") == ["a", "b", "a"])
        #expect(line.cycle(ifManagerOf: "a", becomes: "c") == ["a", "c", "b", "a"])
        #expect(line.cycle(ifManagerOf: "a", becomes: "a") == ["a", "a"])
        #expect(line.cycle(ifManagerOf: "c", becomes: "a") == nil)
        #expect(line.cycle(ifManagerOf: "x", becomes: "c") == nil)
    }

    @Test func `existing cycles in data do not hang look-ups`() {
        let line = ReportingLine(managerOf: ["a": "b", "b": "a"])
        #expect(line.managers(of: "a") == ["b"])
        #expect(line.firstCycle() != nil)
    }
}

/// Quick paths for ASCII text, each compared with the general rule it stands in for.
@Suite struct ASCIIQuickPathTests {
    /// Random text from an alphabet heavy in what the rules look at: @, dots, separators,
    /// white space and controls, at lengths around the 254 limit too.
    static func samples(count: Int, seed: UInt64) -> [String] {
        var rng = SeededGenerator(seed: seed)
        let alphabet = Array("ab.@@..xyz-_+09,;<>\"  \t\r\n\u{0}\u{1F}\u{7F}\u{0B}\u{0C}")
        var texts = ["", "@", "a@b.c", "a@b.", "a@.b", "@b.c", "a@@b.c", "a b@c.d", "ab@c.d ", " ab@c.d", "a@b.c.", "\u{7F}a@b.c"]
        for _ in 0..<count {
            let length = Int.random(in: 0...12, using: &rng) == 0 ? Int.random(in: 250...258, using: &rng) : Int.random(in: 0...14, using: &rng)
            texts.append(String((0..<length).map { _ in alphabet.randomElement(using: &rng)! }))
            // Mostly well formed, with one thing changed.
            var address = Array("p\(Int.random(in: 0...999, using: &rng))@example.org")
            address[Int.random(in: 0..<address.count, using: &rng)] = alphabet.randomElement(using: &rng)!
            texts.append(String(address))
        }
        return texts
    }

    @Test func `an email is valid on its bytes exactly when it is by Unicode scalar`() {
        for text in Self.samples(count: 20_000, seed: 5) {
            #expect(EmailAddress.isValid(text) == EmailAddress.isValidByScalar(text), "“\(text.debugDescription)”")
        }
    }

    @Test func `trimming spaces quickly gives what Foundation gives`() {
        for text in Self.samples(count: 5_000, seed: 6) {
            #expect(TextInput.trimmingSpaces(text) == text.trimmingCharacters(in: .whitespaces), "“\(text.debugDescription)”")
        }
    }
}

/// One reading of whole numbers everywhere: a capacity of "+3" in a score table and "+3" years in
/// a profile are refused alike (a leading plus used to pass one and not the other, and scores
/// never accepted it), with the field's own message.
@Suite struct WholeNumberTests {
    @Test func `digits with an optional minus sign, nothing else`() {
        for (text, expected) in [("0", 0), ("7", 7), ("007", 7), ("-1", -1), ("2147483647", 2_147_483_647), ("9223372036854775807", Int.max)] as [(String, Int)] {
            #expect(TextInput.wholeNumber(text) == expected, "\(text)")
        }
        for text in ["", "+3", "-", "+", " 3", "3 ", "3.0", "1e3", "٣", "３", "0x10", "--1", "9223372036854775808", "3\u{0}", "\u{FEFF}3"] {
            #expect(TextInput.wholeNumber(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test func `a profile number with a plus sign is refused by name`() {
        guard case .failure(let problem) = ProfileRules.capacityMentees.parse("+3") else { Issue.record("+3 accepted"); return }
        #expect(problem.message.contains("Capacity must be"))
        guard case .success(let value) = ProfileRules.capacityMentees.parse(" 3 ") else { Issue.record("3 refused"); return }
        #expect(value == 3)
    }
}
