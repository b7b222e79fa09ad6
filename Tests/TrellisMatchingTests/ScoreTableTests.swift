import Foundation
import Testing
@testable import TrellisMatching
import TrellisCore
import TrellisFixtures

/// `ScoreTable` reads score files as bytes. Its results and every message must be what reading
/// every cell as a string gave (the reference below is the previous reader, kept here), on
/// generated and awkward files.
@Suite struct ScoreTableTests {
    // MARK: The reference: every cell a string, names in dictionaries

    enum Outcome: Equatable {
        case table(mentees: [String], mentors: [String], capacities: [Int], arcs: [[Int64]])
        case problems([String])
    }

    static func referenceTable(_ data: Data, path: String, columns: [String]) throws -> [(row: Int, cells: [String])] {
        guard let decoded = String(data: data, encoding: .utf8) else { throw CSVTable.Refusal(lines: ["\(path): \(PeopleFile.notUTF8(data))"]) }
        var text = decoded
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard text.unicodeScalars.contains(where: { !CharacterSet.whitespacesAndNewlines.contains($0) }) else {
            throw CSVTable.Refusal(lines: ["\(path): The file is empty; it needs a header row: \(columns.joined(separator: ","))."])
        }
        let all = CSVBytes.rows(text)
        let names = (all.first ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let twice = names.enumerated().first(where: { names.firstIndex(of: $0.element) != $0.offset })?.element {
            throw CSVTable.Refusal(lines: ["\(path): row 1 (header): the column \(twice) is there twice."])
        }
        let missing = columns.filter { !names.contains($0) }, unknown = names.filter { !columns.contains($0) }
        if !missing.isEmpty || !unknown.isEmpty {
            throw CSVTable.Refusal(lines: ["\(path): row 1 (header): expected exactly the columns \(columns.joined(separator: ","))" + (missing.isEmpty ? "" : "; missing \(missing.joined(separator: ", "))") + (unknown.isEmpty ? "" : "; unknown \(unknown.joined(separator: ", "))") + "."])
        }
        var problems: [String] = []
        var result: [(Int, [String])] = []
        let positions = columns.map { names.firstIndex(of: $0)! }
        for (offset, cells) in all.dropFirst().enumerated() {
            if cells.allSatisfy({ Tags.trimmed($0).isEmpty }) { continue }
            guard cells.count == names.count else { problems.append("\(path): row \(offset + 2): \(cells.count) cells but the header has \(names.count)."); continue }
            result.append((offset + 2, positions.map { Tags.trimmed(cells[$0]) }))
        }
        if !problems.isEmpty { throw CSVTable.Refusal(lines: problems) }
        return result
    }

    static func reference(scores: Data, capacities: Data) -> Result<Outcome, CSVTable.Refusal> {
        do {
            var problems: [String] = []
            var mentors: [String] = [], caps: [Int] = [], mentorRows: [Int] = [], mentorIndex: [String: Int] = [:]
            for (row, cells) in try referenceTable(capacities, path: "c.csv", columns: ["mentor", "capacity"]) {
                let mentor = cells[0]
                if mentor.isEmpty { problems.append("c.csv: row \(row), column mentor: a mentor is required."); continue }
                if let first = mentorIndex[mentor] { problems.append("c.csv: row \(row), column mentor, value “\(mentor.shownInMessage)”: already listed in row \(mentorRows[first])."); continue }
                mentorIndex[mentor] = mentors.count
                mentors.append(mentor); mentorRows.append(row)
                // Digits only (a plus sign is refused, as in scores and profiles).
                let digits = !cells[1].isEmpty && cells[1].unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
                guard digits, let capacity = Int(cells[1]), capacity <= Int(Int32.max) else {
                    problems.append("c.csv: row \(row), column capacity, value “\(cells[1].shownInMessage)”: must be a whole number from 0 to \(Int32.max)."); caps.append(0); continue
                }
                caps.append(capacity)
            }
            var mentees: [String] = [], menteeIndex: [String: Int] = [:], arcs: [[Int64]] = [], pairRow: [Int: Int] = [:]
            for (row, cells) in try referenceTable(scores, path: "s.csv", columns: ["mentee", "mentor", "score"]) {
                let mentee = cells[0], mentor = cells[1]
                if mentee.isEmpty { problems.append("s.csv: row \(row), column mentee: a mentee is required.") }
                let m = mentorIndex[mentor]
                if m == nil { problems.append("s.csv: row \(row), column mentor, value “\(mentor.shownInMessage)”: not listed in c.csv.") }
                guard let score = referenceParse(cells[2]), score <= ScoreUnits.maximumScore else {
                    problems.append("s.csv: row \(row), column score, value “\(cells[2].shownInMessage)”: must be a decimal number from 0 to 1000, with at most 6 decimal places."); continue
                }
                guard let m, !mentee.isEmpty else { continue }
                let e: Int
                if let known = menteeIndex[mentee] { e = known } else { e = mentees.count; menteeIndex[mentee] = e; mentees.append(mentee) }
                if let first = pairRow[e << 32 | m] { problems.append("s.csv: row \(row): the pair \(mentee.shownInMessage) → \(mentor.shownInMessage) is already listed in row \(first)."); continue }
                pairRow[e << 32 | m] = row
                arcs.append([Int64(e), Int64(m), score])
            }
            return .success(problems.isEmpty ? .table(mentees: mentees, mentors: mentors, capacities: caps, arcs: arcs) : .problems(problems))
        } catch let refusal as CSVTable.Refusal {
            return .failure(refusal)
        } catch {
            fatalError("\(error)")
        }
    }

    /// The previous `ScoreUnits.parse`, by `Character`.
    static func referenceParse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty || parts.count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        let whole = parts[0].isEmpty ? 0 : Int64(parts[0])
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard let whole, fraction.count <= 6, parts.count == 1 || !fraction.isEmpty else { return nil }
        let padded = fraction + String(repeating: "0", count: 6 - fraction.count)
        guard let small = Int64(padded), whole <= Int64.max / ScoreUnits.perOne / 4 else { return nil }
        return whole * ScoreUnits.perOne + small
    }

    static func read(scores: Data, capacities: Data) -> Result<Outcome, CSVTable.Refusal> {
        do {
            let table = try ScoreTable.read(scores: { scores }, scoresPath: "s.csv", capacities: capacities, capacitiesPath: "c.csv")
            return .success(.table(mentees: table.mentees, mentors: table.mentors, capacities: table.capacities, arcs: table.arcs.map { [Int64($0.mentee), Int64($0.mentor), $0.score] }))
        } catch let refusal as CSVTable.Refusal {
            return .failure(refusal)
        } catch let problems as ScoreTable.Problems {
            return .success(.problems(problems.lines))
        } catch {
            fatalError("\(error)")
        }
    }

    static func same(_ scores: String, _ capacities: String, sourceLocation: SourceLocation = #_sourceLocation) {
        same(Data(scores.utf8), Data(capacities.utf8), sourceLocation: sourceLocation)
    }

    static func same(_ scores: Data, _ capacities: Data, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = reference(scores: scores, capacities: capacities)
        let got = read(scores: scores, capacities: capacities)
        #expect(got == expected, "\(String(decoding: scores, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
    }

    // MARK: Tests

    static let capacities = "mentor,capacity\nm1@x.org,1\nm2@x.org,2\n\"m3, the third\",0\n"

    @Test func `awkward files read as every cell as a string read them`() {
        let cases: [(String, String)] = [
            ("mentee,mentor,score\ne1,m1@x.org,0.5\ne2,m2@x.org,1\n", Self.capacities),
            ("\u{FEFF}Mentee , MENTOR,score\r\ne1 , m1@x.org ,\t0.5 \r\n\r\n  ,  , \r\ne1,\"m3, the third\",.25", Self.capacities),
            ("\u{FEFF}\u{FEFF}mentee,mentor,score\ne1,m1@x.org,2", Self.capacities),
            ("score,mentee,mentor\n1,e1,m1@x.org\n2,e1,m1@x.org\n3,e1,m1@x.org\n0.1,e2,m1@x.org\n", Self.capacities),
            ("mentee,mentor,score\n,m9@x.org,-1\ne1,m1@x.org,0.1234567\ne2,m2@x.org,5.\ne3,m2@x.org,1e3\n", Self.capacities),
            ("mentee,mentor,score\ne1,m1@x.org\ne2,m2@x.org,1,extra\n", Self.capacities),
            ("mentee,mentor\ne1,m1@x.org\n", Self.capacities),
            ("mentee,mentor,score,mentee\n", Self.capacities),
            ("  \n\t\r\n", Self.capacities),
            ("\u{3000}\u{A0}\n", Self.capacities),
            ("mentee,mentor,score\n\u{3000}e1\u{A0},m1@x.org\u{2028},\u{85}0.5\n", Self.capacities),
            ("mentee,mentor,score\ne\u{301},m1@x.org,1\n\u{E9},m1@x.org,2\n", Self.capacities),
            ("mentee,mentor,score\nmentorK,mentor\u{212A},1\n", "mentor,capacity\nmentorK,1\n"),
            ("mentee,mentor,score\ne,mentorK,1\ne,mentor\u{212A},2\n", "mentor,capacity\nmentor\u{212A},1\n"),
            ("mentee,mentor,score\ne1,m1@x.org,99999999999999999999\ne2,m1@x.org,9223372036854\ne3,m1@x.org,000000000000000000000001.000001\n", Self.capacities),
            ("mentee,mentor,score\ne1,m1@x.org,1000\ne2,m1@x.org,1000.000001\ne3,m1@x.org,2305843009213.999999\ne4,m1@x.org,999.999999\n", Self.capacities),
            ("mentee,mentor,score\n\"e\"\"1\",m1@x.org,1\n\"e\n2\",m1@x.org,\"0.5\"\n\"open,m1@x.org,1\n", Self.capacities),
            ("mentee,mentor,score\ne1,m1@x.org,1", "mentor,capacity\nm1@x.org,+1\nm1@x.org,2\n,1\nm2@x.org,two\nm3@x.org,-1\nm4@x.org,2147483648\n"),
            ("mentee,mentor,score\ne1,m2@x.org,1\ne2,m1@x.org,1\n", "mentor,capacity\nm2@x.org,two\nm2@x.org,3\nm1@x.org,1\n"),
            ("mentee,mentor,score\ne1,m1@x.org,1", "mentor\n"),
            ("mentee,mentor,score\ne1,m1@x.org,1", ""),
            ("mentee,mentor,score\ne\u{0}1,m1@x.org,1\n", Self.capacities),
            ("mentee,mentor,score\ne1,m1\u{1B}]0;pwned\u{7}\u{1B}[2J,0.5\ne2,m\r1,x\u{2028}\n", Self.capacities),
        ]
        for (scores, capacities) in cases { Self.same(scores, capacities) }
        // Not UTF-8, on the third line: named where.
        let broken = Data("mentee,mentor,score\ne1,m1@x.org,1\ne".utf8) + Data([0xC0, 0x80]) + Data(",m2@x.org,1\n".utf8)
        Self.same(broken, Data(Self.capacities.utf8))
        guard case .failure(let refusal) = Self.read(scores: broken, capacities: Data(Self.capacities.utf8)) else { Issue.record("refused expected"); return }
        #expect(refusal.message == "s.csv: The file is not UTF-8 text: line 3 has bytes that are not (the first is byte 36 of the file). Save it as “CSV UTF-8” and try again.")
    }

    @Test func `random files of the characters that matter read as every cell as a string read them`() {
        var generator = SeededGenerator(seed: 2026_12_05)
        let pieces = ["e1", "e2", "E1", "m1@x.org", "m2@x.org", "m3, the third", "mentor\u{212A}", "mentorK", "e\u{301}", "\u{E9}",
                      ",", ",", ",", "\n", "\r\n", "\r", "\"", " ", "\t", "\u{A0}", "0.5", "1", ".", "7", "-", "0.1234567", ""]
        for _ in 0..<2_000 {
            var scores = "mentee,mentor,score\n"
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                if Bool.random(using: &generator) {
                    scores += ["e1", "e2", "E1", "e\u{301}", "\u{E9}", ""].randomElement(using: &generator)! + ","
                        + ["m1@x.org", "m2@x.org", " m1@x.org", "\"m3, the third\"", "mentorK", "mentor\u{212A}", "m9"].randomElement(using: &generator)! + ","
                        + ["0.5", "1", ".5", "5.", "x", "1.0000001", " 2 "].randomElement(using: &generator)! + "\n"
                } else {
                    scores += (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
                }
            }
            Self.same(scores, Self.capacities + "mentorK,1\n")
        }
    }

    @Test func `a large generated file reads the same, and a repeated pair far from its first is found`() {
        var scores = "mentee,mentor,score\n"
        var generator = SeededGenerator(seed: 2026_12_05)
        for e in 0..<3_000 {
            for m in Set((0..<5).map { _ in Int.random(in: 0..<200, using: &generator) }) {
                scores += "mentee\(e)@example.org,mentor\(m)@example.org,0.\(Int.random(in: 0...999_999, using: &generator))\n"
            }
        }
        let capacities = "mentor,capacity\n" + (0..<200).map { "mentor\($0)@example.org,\($0 % 4)\n" }.joined()
        Self.same(scores, capacities)
        Self.same(scores + "mentee7@example.org,mentor0@example.org,1\nmentee7@example.org,mentor0@example.org,1\n", capacities)
    }

    @Test func `values are quoted in messages without their control characters, at most 80 characters`() throws {
        let scores = Data("mentee,mentor,score\ne1,m1\u{1B}]0;pwned\u{7}\u{1B}[2J,0.5\ne2,m1@x.org,\(String(repeating: "9", count: 100_000))\n".utf8)
        guard case .success(.problems(let lines)) = Self.read(scores: scores, capacities: Data(Self.capacities.utf8)) else { Issue.record("problems expected"); return }
        #expect(lines.first?.contains("value “m1\\u{1B}]0;pwned\\u{7}\\u{1B}[2J”") == true, "\(lines)")
        #expect(lines.allSatisfy { !$0.unicodeScalars.contains(where: { $0.value < 0x20 }) && $0.count < 300 })
    }

    @Test func `UTF-8 is checked as Foundation decodes it`() {
        var generator = SeededGenerator(seed: 2026_12_05)
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xA0, 0x9F, 0xED, 0xEF, 0xF0, 0x90, 0x8F, 0xF4, 0xF5, 0xFF]
        for length in 0..<2_000 {
            let bytes = (0..<(length % 12)).map { _ in interesting.randomElement(using: &generator)! }
            let padded = Array(repeating: UInt8(0x61), count: length % 9) + bytes
            let expected = String(data: Data(padded), encoding: .utf8) != nil
            #expect(padded.withUnsafeBufferPointer { UTF8Check.isValid($0) } == expected, "\(padded)")
        }
        for text in ["", "plain", "日本語 🎉 e\u{301}", "\u{10FFFF}", "\u{FEFF}bom"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { UTF8Check.isValid($0) })
        }
    }

    @Test func `scores are read from bytes as they were read by Character`() {
        var generator = SeededGenerator(seed: 2026_12_05)
        let pieces = ["0", "1", "9", ".", " ", "\t", "-", "+", "e", "5\u{301}", "\u{661}", "00000000000", "99999999999"]
        var cases = ["", ".", "..", "0", "0.", ".0", "1.000000", "1.0000000", "9223372036854", "9223372036855", "2305843009213", "2305843009214",
                     "99999999999999999999", " 0.5 ", "\t1\t", "1 .5", "0.5\n"]
        for _ in 0..<5_000 { cases.append((0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()) }
        for text in cases {
            #expect(ScoreUnits.parse(text) == Self.referenceParse(text), "\(text.debugDescription)")
        }
    }
}
