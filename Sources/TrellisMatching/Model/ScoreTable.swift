import Foundation
import TrellisCore

/// A score table as `trellis match scores` reads it from two files: `mentee,mentor,score` (only
/// these pairs are allowed; scores are decimals from 0 to 1,000 with at most six places) and
/// `mentor,capacity`. Mentors and mentees are numbered as they are first read, and a pair is known
/// by its two numbers. Every problem is named with its file, row, column and value, in row order.
///
/// A large file (millions of pairs) is read as bytes (`CSVTable`): an ASCII name becomes a string
/// only the first time it is seen (`NameNumbers`), and a score is read from its bytes. Names are equal as Swift strings
/// are (canonical equivalence), as they were when every cell was a string.
public struct ScoreTable: Sendable {
    public var mentees: [String] = []
    public var mentors: [String] = []
    public var capacities: [Int] = []
    public var arcs: [(mentee: Int, mentor: Int, score: Int64)] = []

    /// What is wrong in the files' rows, one line each, in the order they were read.
    public struct Problems: Error {
        public let lines: [String]
    }

    /// Reads the two files, the capacities first (the scores are loaded only then, and let go
    /// when read). Throws `CSVTable.Refusal` when a file cannot be read as its table at all, and
    /// `Problems` when rows are wrong; and whatever `scores` throws.
    public static func read(scores load: () throws -> Data, scoresPath: String, capacities: Data, capacitiesPath: String) throws -> ScoreTable {
        var table = ScoreTable()
        var problems: [String] = []
        var mentorNumbers = NameNumbers()
        var mentorRows: [Int] = []
        try CSVTable.read(capacities, path: capacitiesPath, columns: ["mentor", "capacity"]) { row in
            let mentor = row.string(0)
            if mentor.isEmpty { problems.append("\(capacitiesPath): row \(row.number), column mentor: a mentor is required."); return }
            if let first = mentorNumbers.number(of: mentor, adding: false) {
                problems.append("\(capacitiesPath): row \(row.number), column mentor, value “\(mentor.shownInMessage)”: already listed in row \(mentorRows[first])."); return
            }
            let text = row.string(1)
            // A mentor with a wrong capacity is still listed, so that the score file's pairs with
            // them are not reported as naming someone unknown as well.
            _ = mentorNumbers.number(of: mentor, adding: true)
            mentorRows.append(row.number)
            guard let capacity = TextInput.wholeNumber(text), capacity >= 0, capacity <= Int(Int32.max) else {
                problems.append("\(capacitiesPath): row \(row.number), column capacity, value “\(text.shownInMessage)”: must be a whole number from 0 to \(Int32.max)."); table.capacities.append(0); return
            }
            table.capacities.append(capacity)
        }
        let scores = try load()
        var menteeNumbers = NameNumbers()
        var rowProblems: [(row: Int, line: String)] = []
        var arcRows: [Int32] = []
        // As many pairs as lines, at most: reserved once rather than grown by doubling.
        let lines = scores.withUnsafeBytes { $0.reduce(into: 0) { count, byte in if byte == UInt8(ascii: "\n") { count += 1 } } } + 1
        table.arcs.reserveCapacity(lines)
        arcRows.reserveCapacity(lines)
        try CSVTable.read(scores, path: scoresPath, columns: ["mentee", "mentor", "score"]) { row in
            let menteeGiven = row.withCell(0) { !$0.isEmpty }
            if !menteeGiven { rowProblems.append((row.number, "\(scoresPath): row \(row.number), column mentee: a mentee is required.")) }
            let m = row.withCell(1) { mentorNumbers.number(of: $0, adding: false) }
            if m == nil { rowProblems.append((row.number, "\(scoresPath): row \(row.number), column mentor, value “\(row.string(1).shownInMessage)”: not listed in \(capacitiesPath).")) }
            guard let score = row.withCell(2, { ScoreUnits.parse(utf8: $0) }), score <= ScoreUnits.maximumScore else {
                rowProblems.append((row.number, "\(scoresPath): row \(row.number), column score, value “\(row.string(2).shownInMessage)”: must be a decimal number from 0 to 1000, with at most 6 decimal places.")); return
            }
            guard let m, menteeGiven else { return }
            let e = row.withCell(0) { menteeNumbers.number(of: $0, adding: true)! }
            table.arcs.append((e, m, score))
            arcRows.append(Int32(truncatingIfNeeded: row.number))
        }
        // A pair listed again: found by sorting each mentee's pairs by mentor (a table of every
        // pair seen took more memory than the pairs), and named with that row's own spelling,
        // read again only when there is one.
        let repeated = repeatedPairs(table.arcs, rows: arcRows, menteeCount: menteeNumbers.names.count)
        if !repeated.isEmpty {
            try CSVTable.read(scores, path: scoresPath, columns: ["mentee", "mentor", "score"]) { row in
                guard let first = repeated[row.number] else { return }
                rowProblems.append((row.number, "\(scoresPath): row \(row.number): the pair \(row.string(0).shownInMessage) → \(row.string(1).shownInMessage) is already listed in row \(first)."))
            }
        }
        problems += rowProblems.enumerated().sorted { ($0.element.row, $0.offset) < ($1.element.row, $1.offset) }.map(\.element.line)
        if !problems.isEmpty { throw Problems(lines: problems) }
        table.mentors = mentorNumbers.names
        table.mentees = menteeNumbers.names
        return table
    }
}

/// Names numbered in the order they are first seen. Two names are the same when they are equal as
/// Swift strings. A name of ASCII bytes (nearly all) is found by its bytes, without making a
/// string; other names, and an ASCII name not yet seen as bytes, go through a dictionary of
/// strings (so "K", KELVIN SIGN, and "K" are one name, as `String` has them).
struct NameNumbers {
    private(set) var names: [String] = []
    private var byName: [String: Int] = [:]
    /// Open addressing over the ASCII spellings seen: each slot holds a spelling's index or -1.
    private var slots = [Int32](repeating: -1, count: 1 << 10)
    private var spellingStart: [Int] = [], spellingLength: [Int] = [], spellingHash: [UInt64] = [], spellingName: [Int32] = []
    private var arena: [UInt8] = []

    mutating func number(of name: String, adding: Bool) -> Int? {
        var name = name
        return name.withUTF8 { number(of: $0, adding: adding) }
    }

    mutating func number(of bytes: UnsafeBufferPointer<UInt8>, adding: Bool) -> Int? {
        guard Self.isASCII(bytes) else {
            let name = String(decoding: bytes, as: UTF8.self)
            if let known = byName[name] { return known }
            guard adding else { return nil }
            return add(name)
        }
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 {
            let spelling = Int(slots[slot])
            if spellingHash[spelling] == hash, spellingLength[spelling] == bytes.count, bytes.isEmpty
                || arena.withUnsafeBufferPointer({ memcmp($0.baseAddress! + spellingStart[spelling], bytes.baseAddress!, bytes.count) == 0 }) {
                return Int(spellingName[spelling])
            }
            slot = (slot + 1) & mask
        }
        let name = String(decoding: bytes, as: UTF8.self)
        let number: Int
        if let known = byName[name] {
            number = known
        } else {
            guard adding else { return nil }
            number = add(name)
        }
        remember(bytes, hash: hash, slot: slot, name: number)
        return number
    }

    private mutating func add(_ name: String) -> Int {
        names.append(name)
        byName[name] = names.count - 1
        return names.count - 1
    }

    private mutating func remember(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, slot: Int, name: Int) {
        slots[slot] = Int32(spellingStart.count)
        spellingStart.append(arena.count)
        spellingLength.append(bytes.count)
        spellingHash.append(hash)
        spellingName.append(Int32(name))
        arena.append(contentsOf: bytes)
        guard spellingStart.count * 2 > slots.count else { return }
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for spelling in spellingHash.indices {
            var slot = Int(truncatingIfNeeded: spellingHash[spelling]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(spelling)
        }
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var any: UInt8 = 0
        for byte in bytes { any |= byte }
        return any < 0x80
    }

    /// A 64-bit hash of the bytes, eight at a time.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var index = 0
        let raw = UnsafeRawBufferPointer(bytes)
        while index + 8 <= bytes.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count { tail |= UInt64(bytes[index]) << shift; shift += 8; index += 1 }
        hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 29)
    }
}

extension ScoreTable {
    /// Each row that lists a pair listed in an earlier row, with that earlier (first) row.
    static func repeatedPairs(_ arcs: [(mentee: Int, mentor: Int, score: Int64)], rows: [Int32], menteeCount: Int) -> [Int: Int] {
        // The arcs of each mentee together, in row order (a counting sort), then by mentor.
        var start = [Int](repeating: 0, count: menteeCount + 1)
        for arc in arcs { start[arc.mentee + 1] += 1 }
        for e in 0..<menteeCount { start[e + 1] += start[e] }
        var next = start
        var order = [Int32](repeating: 0, count: arcs.count)
        for (index, arc) in arcs.enumerated() {
            order[next[arc.mentee]] = Int32(index)
            next[arc.mentee] += 1
        }
        var repeated: [Int: Int] = [:]
        for e in 0..<menteeCount where start[e + 1] - start[e] > 1 {
            order[start[e]..<start[e + 1]].sort { (arcs[Int($0)].mentor, $0) < (arcs[Int($1)].mentor, $1) }
            var first = Int(order[start[e]])
            for position in (start[e] + 1)..<start[e + 1] {
                let arc = Int(order[position])
                if arcs[arc].mentor == arcs[first].mentor {
                    repeated[Int(rows[arc])] = Int(rows[first])
                } else {
                    first = arc
                }
            }
        }
        return repeated
    }
}
