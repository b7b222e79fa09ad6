import Foundation

/// A CSV file that must have exactly the named columns, in any order: the tables `trellis match`
/// reads (scores, capacities, rankings). Rows come one at a time as bytes, trimmed, in the order
/// of the columns asked for, so that a reader of millions of rows makes a string only where it
/// needs one.
///
/// The rules, the same for every table: the header's names are trimmed and compared without
/// regard to case; a column missing, unknown or there twice refuses the file; a row whose cells
/// are all blank is skipped; a row with another number of cells than the header is a problem
/// (and the file's rows are then not checked further); cells are trimmed of white space and line
/// breaks (as `Tags.trimmed`).
public enum CSVTable {
    /// The file cannot be read as the table at all (not UTF-8, empty, the wrong columns), or
    /// rows have the wrong number of cells: each line names the file and the row.
    public struct Refusal: Error, Equatable {
        public let lines: [String]
        public var message: String { lines.joined(separator: "\n") }
        public init(lines: [String]) { self.lines = lines }
    }

    /// One row's cells, in the order of the columns asked for, trimmed; only valid during the
    /// call that receives it.
    public struct Row: ~Copyable {
        /// The row's number in the file (the header is row 1).
        public let number: Int
        fileprivate let cells: UnsafeBufferPointer<UInt8>
        fileprivate let bounds: UnsafeBufferPointer<Range<Int>>
        fileprivate let positions: UnsafeBufferPointer<Int>

        /// The trimmed bytes of the cell in `column` (an index into the columns asked for).
        public func withCell<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
            let range = bounds[positions[column]]
            return try CSVTable.withTrimmed(UnsafeBufferPointer(rebasing: cells[range]), body)
        }

        /// The trimmed cell in `column`, as a string.
        public func string(_ column: Int) -> String {
            withCell(column) { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Reads `data` as a table with exactly `columns` (lowercase names), calling `row` for each
    /// row that is not blank and has as many cells as the header. `path` names the file in
    /// messages. Throws `Refusal` for a file it cannot read as the table, or when a row has the
    /// wrong number of cells (after reading the whole file, so every such row is named); what
    /// `row` found is then to be dropped.
    public static func read(_ data: Data, path: String, columns: [String], row body: (borrowing Row) throws -> Void) throws {
        // Read in place, without a string of the whole file: checked as UTF-8 as
        // `PeopleFile.decode` checks it, with the byte-order marks it and `PeopleFile.read` drop.
        try data.withUnsafeBytes { raw in
            var bytes = raw.bindMemory(to: UInt8.self)
            if let offset = UTF8Check.firstInvalid(bytes) { throw Refusal(lines: ["\(path): \(PeopleFile.notUTF8(bytes, at: offset))"]) }
            for _ in 0..<(PeopleFile.decodingDropsMark ? 2 : 1) where bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                bytes = UnsafeBufferPointer(rebasing: bytes.dropFirst(3))
            }
            // A visible ASCII byte settles that the file is not blank.
            if !bytes.contains(where: { $0 > 0x20 && $0 < 0x80 }), PeopleFile.isBlank(String(decoding: bytes, as: UTF8.self)) {
                throw empty(path, columns)
            }
            try read(bytes: bytes, path: path, columns: columns, row: body)
        }
    }

    static func read(bytes: UnsafeBufferPointer<UInt8>, path: String, columns: [String], row body: (borrowing Row) throws -> Void) throws {
        var cells: [UInt8] = []
        var bounds: [Range<Int>] = []
        var header: [String]?
        var positions: [Int] = []
        var rowNumber = 0
        var problems: [String] = []
        cells.reserveCapacity(1_024)
        try CSVBytes.scan(bytes, cell: { cell in
            let start = cells.count
            cells.append(contentsOf: cell)
            bounds.append(start..<cells.count)
        }, endRow: {
            rowNumber += 1
            defer { cells.removeAll(keepingCapacity: true); bounds.removeAll(keepingCapacity: true) }
            guard let names = header else {
                let names = bounds.map { String(decoding: cells[$0], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased() }
                positions = try headerPositions(names, path: path, columns: columns)
                header = names
                return
            }
            try cells.withUnsafeBufferPointer { cellBytes in
                try bounds.withUnsafeBufferPointer { cellBounds in
                    if cellBounds.allSatisfy({ withTrimmed(UnsafeBufferPointer(rebasing: cellBytes[$0])) { $0.isEmpty } }) { return }
                    guard cellBounds.count == names.count else {
                        problems.append("\(path): row \(rowNumber): \(cellBounds.count) cells but the header has \(names.count).")
                        return
                    }
                    guard problems.isEmpty else { return }
                    try positions.withUnsafeBufferPointer { positions in
                        try body(Row(number: rowNumber, cells: cellBytes, bounds: cellBounds, positions: positions))
                    }
                }
            }
        })
        if header == nil { throw empty(path, columns) }
        if !problems.isEmpty { throw Refusal(lines: problems) }
    }

    static func empty(_ path: String, _ columns: [String]) -> Refusal {
        Refusal(lines: ["\(path): The file is empty; it needs a header row: \(columns.joined(separator: ","))."])
    }

    /// Where each of `columns` is in the header, or the file's refusal.
    static func headerPositions(_ names: [String], path: String, columns: [String]) throws -> [Int] {
        if let twice = names.enumerated().first(where: { names.firstIndex(of: $0.element) != $0.offset })?.element {
            throw Refusal(lines: ["\(path): row 1 (header): the column \(twice) is there twice."])
        }
        let missing = columns.filter { !names.contains($0) }
        let unknown = names.filter { !columns.contains($0) }
        if !missing.isEmpty || !unknown.isEmpty {
            throw Refusal(lines: ["\(path): row 1 (header): expected exactly the columns \(columns.joined(separator: ","))" + (missing.isEmpty ? "" : "; missing \(missing.joined(separator: ", "))") + (unknown.isEmpty ? "" : "; unknown \(unknown.joined(separator: ", "))") + "."])
        }
        return columns.map { names.firstIndex(of: $0)! }
    }

    /// `cell` trimmed as `Tags.trimmed` trims: ASCII white space and line breaks come off as bytes;
    /// a cell that then starts or ends beyond ASCII (perhaps other white space) is trimmed as a
    /// string.
    @inline(__always)
    static func withTrimmed<R>(_ cell: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        @inline(__always) func space(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        var start = 0, end = cell.count
        while start < end, space(cell[start]) { start += 1 }
        while end > start, space(cell[end - 1]) { end -= 1 }
        if start == end || (cell[start] < 0x80 && cell[end - 1] < 0x80) {
            return try body(UnsafeBufferPointer(rebasing: cell[start..<end]))
        }
        var text = Tags.trimmed(String(decoding: cell, as: UTF8.self))
        return try text.withUTF8 { try body($0) }
    }
}

/// Whether bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
/// U+10FFFF, no cut-off sequence): what `String(data:encoding: .utf8)` accepts. ASCII is checked
/// eight bytes at a time.
public enum UTF8Check {
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { firstInvalid(bytes) == nil }

    /// Where the first byte that is not well-formed UTF-8 is, if any.
    public static func firstInvalid(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index < count {
            if index + 8 <= count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
            let lead = base[index]
            if lead < 0x80 { index += 1; continue }
            @inline(__always) func continuation(_ offset: Int) -> Bool {
                index + offset < count && base[index + offset] & 0xC0 == 0x80
            }
            switch lead {
            case 0xC2...0xDF:
                guard continuation(1) else { return index }
                index += 2
            case 0xE0...0xEF:
                guard continuation(1), continuation(2) else { return index }
                let second = base[index + 1]
                if lead == 0xE0 && second < 0xA0 { return index }  // overlong
                if lead == 0xED && second > 0x9F { return index }  // surrogates
                index += 3
            case 0xF0...0xF4:
                guard continuation(1), continuation(2), continuation(3) else { return index }
                let second = base[index + 1]
                if lead == 0xF0 && second < 0x90 { return index }  // overlong
                if lead == 0xF4 && second > 0x8F { return index }  // past U+10FFFF
                index += 4
            default:
                return index
            }
        }
        return nil
    }
}
