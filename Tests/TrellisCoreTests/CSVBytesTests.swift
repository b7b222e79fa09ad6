import CSV
import Foundation
import Testing
@testable import TrellisCore
import TrellisFixtures

/// The byte-level reader gives exactly what CSV.swift gives, on generated and adversarial text.
@Suite struct CSVBytesTests {
    /// What CSV.swift reads: every row, the header first, as `PeopleFile` used to read it.
    static func library(_ text: String) throws -> [[String]] {
        let reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        #expect(reader.error == nil)
        return rows
    }

    static func same(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try library(text), found = CSVBytes.rows(text)
        // Compared scalar by scalar: Swift's == would take canonically equivalent text as equal.
        let scalars = { (rows: [[String]]) in rows.map { $0.map { Array($0.unicodeScalars) } } }
        #expect(scalars(found) == scalars(expected), "\(text.debugDescription)", sourceLocation: sourceLocation)
    }

    @Test func `adversarial text reads as the library reads it`() throws {
        let cases = [
            "", "a", "a,b", "a,b\n", "a,b\r\n", "a,b\rc,d", "a,b\r\r\nc", "\n", "\n\n", "a\n\nb\n", ",", ",,\n,", "a,",
            "\"a,b\",c", "\"a\"\"b\"", "\"a\nb\"\r\nc", "\"open", "\"a\"x,b", "\"a\"é,b", "\"a\"😀b,c", "a\"b,c\"d",
            "\"\"", "\"\",\"\"", "\"a\"\r", "\"a\"\rb", "\"a\"\n", "x,\"y\"\"\"\"\",z", " \"a\" ,b", "\u{FEFF}a,b",
            "e\u{301},\"e\u{301}\"\r\n", "Zoë,Łukasz;李,\"Iñés, José\"", "\r", "\r\n\r\n", "a,\"b\nc\"\n\"d\"",
        ]
        for text in cases { try Self.same(text) }
    }

    @Test func `random text of the characters that matter reads as the library reads it`() throws {
        var rng = SeededGenerator(seed: 2026)
        let alphabet: [String] = [",", "\"", "\r", "\n", "a", "b", " ", "é", "😀", "\u{301}", "\r\n", "\"\"", ";"]
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...30, using: &rng)).map { _ in rng.pick(alphabet) }.joined()
            try Self.same(text)
        }
    }

    @Test func `a people file written by the export reads back as the library reads it`() throws {
        let records = DemoOrganisation.people().map(\.record)
        let text = PeopleFile.text(of: records)
        try Self.same(text)
        let (header, rows) = try PeopleFile.read(text)
        #expect(header == PeopleTable.columns)
        #expect(rows.count == records.count)
    }
}
