import CSV
import Foundation

/// The people CSV file (the columns of `PeopleTable`), read and written with a CSV library. The
/// server's import and export and `trellis match` all use it; it needs no server or database.
public enum PeopleFile {
    /// The file's bytes as text, or a message saying it is not UTF-8.
    public static func decode(_ data: Data) throws -> String {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationErrors(field: "file", "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        }
        return text
    }

    /// Splits CSV text into the header and rows. A byte-order mark is dropped first; quoted fields
    /// with commas, quotes and new lines are the library's business.
    public static func read(_ text: String) throws -> (header: [String], rows: [[String]]) {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        // Stops at the first visible character (trimming would copy the whole file).
        guard text.unicodeScalars.contains(where: { !CharacterSet.whitespacesAndNewlines.contains($0) }) else {
            throw ValidationErrors(field: "file", "The file is empty; it needs a header row: \(PeopleTable.columns.joined(separator: ",")).")
        }
        do {
            let reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: false)
            let header = reader.headerRow ?? []
            var rows: [[String]] = []
            while let row = reader.next() { rows.append(row) }
            if let error = reader.error {
                throw ValidationErrors(field: "file", "The file is not valid CSV (after row \(rows.count + 1)): \(error).")
            }
            return (header, rows)
        } catch let error as ValidationErrors {
            throw error
        } catch {
            throw ValidationErrors(field: "file", "The file is not valid CSV: \(error).")
        }
    }

    /// Records as CSV lines, each ending with a new line, the header first when `header` is true
    /// (a file written in parts gives the header with the first part only). Empty when there is
    /// nothing to write.
    public static func text(of records: [PersonRecord], header: Bool = true) throws -> String {
        guard header || !records.isEmpty else { return "" }
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        if header { try writer.write(row: PeopleTable.columns) }
        for record in records {
            try writer.write(row: PeopleTable.cells(of: record))
        }
        writer.stream.close()
        guard let data = writtenData(stream) else { return "" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// What a memory stream holds, copied in one go: bridging it with `as? Data` (or wrapping it)
    /// copies it byte by byte on Linux (seconds for a large file).
    public static func writtenData(_ stream: OutputStream) -> Data? {
        guard let written = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? NSData else { return nil }
        return Data(bytes: written.bytes, count: written.length)
    }
}
