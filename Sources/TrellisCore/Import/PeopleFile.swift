import Foundation

/// The people CSV file (the columns of `PeopleTable`), read with CSV.swift's rules (`CSVBytes`, tested
/// against the library) and written by `CSVText`. The server's import and export and `trellis
/// match` all use it; it needs no server or database.
public enum PeopleFile {
    /// Whether a text is nothing but white space and line breaks. Stops at the first visible
    /// character (trimming would copy the whole file).
    public static func isBlank(_ text: String) -> Bool {
        !text.unicodeScalars.contains(where: { !CharacterSet.whitespacesAndNewlines.contains($0) })
    }

    /// The one way `read` refuses a file (nothing but a byte-order mark and blanks), checked on
    /// its own, as quickly, by callers that read the file later.
    public static func checkNotEmpty(_ text: String) throws {
        guard !isBlank(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text) else {
            throw ValidationErrors(field: "file", "The file is empty; it needs a header row: \(PeopleTable.columns.joined(separator: ",")).")
        }
    }

    /// Whether `decode` drops a byte-order mark (Foundation does from Swift 6.2 on; `read` drops
    /// one more).
    public static let decodingDropsMark = String(data: Data([0xEF, 0xBB, 0xBF]), encoding: .utf8) == ""

    /// The message for a file that is not UTF-8, saying where: the line (counted by line breaks)
    /// and the byte.
    public static func notUTF8(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> String {
        let line = bytes[..<offset].reduce(into: 1) { count, byte in if byte == 0x0A { count += 1 } }
        return "The file is not UTF-8 text: line \(line.grouped) has bytes that are not (the first is byte \((offset + 1).grouped) of the file). Save it as “CSV UTF-8” and try again."
    }

    public static func notUTF8(_ data: Data) -> String {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return notUTF8(bytes, at: UTF8Check.firstInvalid(bytes) ?? bytes.count)
        }
    }

    /// The file's bytes as text, or a message saying it is not UTF-8.
    public static func decode(_ data: Data) throws -> String {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationErrors(field: "file", notUTF8(data))
        }
        return text
    }

    /// Splits CSV text into the header and rows. A byte-order mark is dropped first; quoted fields
    /// may hold commas, quotes and new lines.
    public static func read(_ text: String) throws -> (header: [String], rows: [[String]]) {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        try checkNotEmpty(text)
        // Read byte by byte with CSV.swift's rules (`CSVBytes`; the library read about 5 MB a second).
        let all = CSVBytes.rows(text)
        return (all.first ?? [], Array(all.dropFirst()))
    }

    /// Records as CSV lines (`CSVText`), each ending with a new line, the header first when
    /// `header` is true (a file written in parts gives the header with the first part only).
    /// Empty when there is nothing to write.
    public static func text(of records: [PersonRecord], header: Bool = true) -> String {
        var text = header ? CSVText.line(PeopleTable.columns) : ""
        for record in records { text += CSVText.line(PeopleTable.cells(of: record)) }
        return text
    }
}

/// CSV lines as RFC 4180 writes them, decided by Unicode scalar: a field holding a quotation
/// mark, a comma, a carriage return or a line feed is quoted, and its quotation marks doubled.
///
/// Files are read with the CSV library (`PeopleFile.read`), which reads by scalar. Its writer
/// decides by Swift `Character`, and a quotation mark or comma followed by a combining mark
/// (`,\u{301}`) is one character with it: such a field was written unquoted, an extra column, or
/// with its quotation mark not doubled, so an export did not import again. Tests write adversarial
/// fields here and read them back with the library.
public enum CSVText {
    /// One line: the fields separated by commas, ending with a line feed.
    public static func line(_ fields: [String]) -> String {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line += "," }
            line += self.field(field)
        }
        return line + "\n"
    }

    public static func field(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: ",") || $0 == 0x0A || $0 == 0x0D }) else { return value }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in value.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }
}
