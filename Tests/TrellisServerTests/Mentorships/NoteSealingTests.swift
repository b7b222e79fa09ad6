import Crypto
import Foundation
import Testing
@testable import TrellisServer

extension ServerTests {
    /// The notes key: made once beside an SQLite database (owner-only), used again on the next
    /// start, never replaced when it is there but unreadable; and a sealed note opens only in its
    /// own row, for its own author, under its own key.
    @Suite struct NoteSealingKeys {
        @Test func `the key file is made once, reused, and never replaced`() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-keys-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let settings = TrellisSettings(database: .sqliteFile(folder.appendingPathComponent("t.sqlite").path), baseURL: "http://t", bcryptCost: 4)
            let first = try NoteSealing.key(for: settings)
            let path = folder.appendingPathComponent("t.sqlite.key").path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let again = try NoteSealing.key(for: settings)
            #expect(first.withUnsafeBytes { Data($0) } == again.withUnsafeBytes { Data($0) }, "the same key on the next start")
            let row = UUID(), author = UUID()
            let sealed = try NoteSealing(key: first).seal("Only mine", row: row, author: author)
            #expect(try NoteSealing(key: again).open(sealed, row: row, author: author) == "Only mine")
            #expect(throws: (any Error).self) { try NoteSealing(key: again).open(sealed, row: UUID(), author: author) }
            #expect(throws: (any Error).self) { try NoteSealing(key: again).open(sealed, row: row, author: UUID()) }
            #expect(throws: (any Error).self) { try NoteSealing(key: SymmetricKey(size: .bits256)).open(sealed, row: row, author: author) }
            // A key file that is there but damaged is an error, and stays as it was.
            try Data([0xFF, 0x00, 0x13]).write(to: URL(fileURLWithPath: path))
            #expect(throws: NoteSealing.KeyProblem.self) { _ = try NoteSealing.key(for: settings) }
            #expect(FileManager.default.contents(atPath: path) == Data([0xFF, 0x00, 0x13]))
            // TRELLIS_NOTES_KEY must be 32 bytes.
            var explicit = settings
            explicit.notesKey = Data(repeating: 1, count: 16)
            #expect(throws: NoteSealing.KeyProblem.self) { _ = try NoteSealing.key(for: explicit) }
        }
    }
}
