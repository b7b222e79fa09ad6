import Crypto
import Foundation
import Vapor

/// Private notes and journal entries at rest: sealed with AES-256-GCM under the server's notes
/// key, so that a database export read by an admin shows no private text. The sealed text is
/// bound to its row and author (authenticated data), so a sealed body copied into another row or
/// another person's note does not open.
///
/// The key comes from `TRELLIS_NOTES_KEY` (32 bytes, base64). Without it: for SQLite, a key file
/// beside the database (`trellis.sqlite.key`, made on first start, readable by its owner only);
/// for PostgreSQL, `trellis-notes.key` in the working directory (set `TRELLIS_NOTES_KEY` on every
/// instance instead when there are several); for an in-memory database, a key for the process.
/// Losing the key makes every private note and journal entry unreadable; nothing else is lost.
struct NoteSealing: Sendable {
    static let prefix = "sealed-v1:"
    let key: SymmetricKey

    struct KeyProblem: Error, CustomStringConvertible {
        var description: String
    }

    struct Unreadable: Error {}

    static func key(for settings: TrellisSettings) throws -> SymmetricKey {
        if let data = settings.notesKey {
            guard data.count == 32 else { throw KeyProblem(description: "TRELLIS_NOTES_KEY must be 32 bytes written as base64 (make one with `openssl rand -base64 32`).") }
            return SymmetricKey(data: data)
        }
        let name: String
        switch settings.database {
        case .sqliteMemory: return SymmetricKey(size: .bits256)
        case .sqliteFile(let file): name = file + ".key"
        case .postgres: name = "trellis-notes.key"
        }
        let path = URL(fileURLWithPath: name).standardizedFileURL.path
        if FileManager.default.fileExists(atPath: path) {
            // A key file that is there but cannot be read is an error, never replaced: replacing
            // it would make every sealed note unreadable for good.
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
                  let key = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32
            else {
                throw KeyProblem(description: "The notes key file \(path) is not 32 bytes written as base64. Restore it from your backup, or set TRELLIS_NOTES_KEY. (It is never replaced: that would make private notes unreadable.)")
            }
            return SymmetricKey(data: key)
        }
        // Made once, created only if no file is there (O_EXCL): two processes starting at once
        // cannot each write their own.
        let made = SymmetricKey(size: .bits256)
        let text = made.withUnsafeBytes { Data($0) }.base64EncodedString() + "\n"
        switch writeExclusively(path, Array(text.utf8)) {
        case .written:
            return made
        case .exists:
            // Another process is making it: give it a moment to write, then read it.
            usleep(200_000)
            return try key(for: settings)
        case .failed:
            throw KeyProblem(description: "Could not write the notes key file \(path). Set TRELLIS_NOTES_KEY instead.")
        }
    }

    func seal(_ text: String, row: UUID, author: UUID) throws -> String {
        let box = try AES.GCM.seal(Data(text.utf8), using: key, authenticating: Self.context(row: row, author: author))
        guard let combined = box.combined else { throw Unreadable() }
        return Self.prefix + combined.base64EncodedString()
    }

    func open(_ sealed: String, row: UUID, author: UUID) throws -> String {
        guard sealed.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))) else { throw Unreadable() }
        let box = try AES.GCM.SealedBox(combined: data)
        let plain = try AES.GCM.open(box, using: key, authenticating: Self.context(row: row, author: author))
        guard let text = String(data: plain, encoding: .utf8) else { throw Unreadable() }
        return text
    }

    static func context(row: UUID, author: UUID) -> Data {
        Data("trellis-note|\(row.uuidString)|\(author.uuidString)".utf8)
    }
}

enum ExclusiveWrite { case written, exists, failed }

/// Creates a file readable by its owner only and writes `bytes`, unless a file is there already.
private func writeExclusively(_ path: String, _ bytes: [UInt8]) -> ExclusiveWrite {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else { return errno == EEXIST ? .exists : .failed }
    defer { close(descriptor) }
    return write(descriptor, bytes, bytes.count) == bytes.count ? .written : .failed
}

struct NoteSealingKey: StorageKey { typealias Value = NoteSealing }

extension Application {
    var noteSealing: NoteSealing {
        get {
            guard let sealing = storage[NoteSealingKey.self] else { fatalError("configure() sets the notes key before serving") }
            return sealing
        }
        set { storage[NoteSealingKey.self] = newValue }
    }
}

extension Request {
    var noteSealing: NoteSealing { application.noteSealing }
}
