import Fluent
import FluentSQL
import Foundation
import TrellisCore

/// Composes again (NFC) the lower-case text stored before lowering was followed by composition
/// (`TextInput.lowercased`): emails, names as lists sort and search them (`users.search_name`
/// and the search tags' `sort_name`) and tag keys. Lowering "H̱" gave "h" and a combining mark
/// where a search for "ẖ" looks for one letter, so such a person or tag could not be found, and
/// two spellings of one tag were two keys. Only text beyond ASCII can change, so only it is read.
///
/// - A person with two tags of one kind that are now one key keeps the first (by position); the
///   rest of that list moves up.
/// - An email that would become another account's stays as it is and is named in the log: two
///   accounts for one address are for an admin to merge, not for a migration to choose between.
/// - Everyone whose name or tags changed is indexed again; the tag counts are counted again if
///   any key changed. Nobody else is touched.
struct M0018_ComposeLoweredText: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let outcome = try await Self.compose(on: database)
        if outcome.names + outcome.emails + outcome.tags + outcome.mergedTags > 0 {
            database.logger.notice("Composed stored lower-case text: \(outcome.names) names, \(outcome.emails) emails, \(outcome.tags) tag keys (\(outcome.mergedTags) tags merged into another of the same person)")
        }
        for kept in outcome.keptEmails {
            database.logger.warning("The account \(kept.name) (id \(kept.id)) keeps its email as it was stored, since composed it is the email of \(kept.otherName) (id \(kept.otherID)): one of the two accounts cannot sign in until they are merged.")
        }
    }

    /// Nothing to undo: composed text is what every write stores now.
    func revert(on database: any Database) async throws {}

    /// What the migration changed.
    struct Outcome: Equatable {
        var names = 0, emails = 0, tags = 0, mergedTags = 0
        /// Emails left as they were, since composed they are another account's (named).
        var keptEmails: [KeptEmail] = []
    }

    struct KeptEmail: Equatable {
        var email: String, id: UUID, name: String, otherID: UUID, otherName: String
    }

    static func compose(on database: any Database) async throws -> Outcome {
        try await DatabaseWrites.transaction(on: database) { tx in
            guard let sql = tx as? any SQLDatabase else { return Outcome() }
            // Text with a character beyond printable ASCII (controls are never stored).
            func beyondASCII(_ column: String) -> SQLQueryString {
                SearchIndex.isPostgres(sql) ? "\(unsafeRaw: column) ~ '[^ -~]'" : "\(unsafeRaw: column) GLOB '*[^ -~]*'"
            }
            func differ(_ a: String, _ b: String) -> Bool { !a.utf8.elementsEqual(b.utf8) }  // bytes, as the databases compare
            var outcome = Outcome()
            var reindexed = Set<UUID>()

            let users = try await PlainRows.all("""
                SELECT id, name, email, search_name FROM users WHERE \(beyondASCII("search_name")) OR \(beyondASCII("email")) ORDER BY id
                """, on: tx)
            for row in users {
                let id = try row.uuid("id")
                let searchName = User.searchName(try row.string("name"))
                if differ(searchName, try row.string("search_name")) {
                    try await sql.raw("UPDATE users SET search_name = \(bind: searchName) WHERE id = \(bind: id)").run()
                    outcome.names += 1
                    reindexed.insert(id)
                }
                let stored = try row.string("email"), email = EmailAddress.normalize(stored)
                guard differ(email, stored) else { continue }
                if let other = try await PlainRows.first("SELECT id, name FROM users WHERE email = \(bind: email)", on: tx) {
                    outcome.keptEmails.append(KeptEmail(email: stored, id: id, name: try row.string("name"), otherID: try other.uuid("id"), otherName: try other.string("name")))
                } else {
                    try await sql.raw("UPDATE users SET email = \(bind: email) WHERE id = \(bind: id)").run()
                    outcome.emails += 1
                }
            }

            // Tags: every tag of a person one of whose keys changes, so that two of a kind that
            // are now one key are seen together.
            // Spellings first (a few hundred in most organisations), then who holds a changed one.
            let changedKeys = try await PlainRows.all("SELECT DISTINCT key, name FROM profile_tags WHERE \(beyondASCII("key"))", on: tx)
                .filter { differ(Tags.key(try $0.string("name")), try $0.string("key")) }.map { try $0.string("key") }
            var changedPeople = Set<UUID>()
            for chunk in Array(Set(changedKeys)).sorted().chunked(into: 500) {
                let holders = try await PlainRows.all(
                    "SELECT DISTINCT profile_id FROM profile_tags WHERE key IN (\(binds: Array(chunk) as [any Encodable & Sendable]))", on: tx)
                for row in holders { changedPeople.insert(try row.uuid("profile_id")) }
            }
            for chunk in changedPeople.sorted(by: { $0.uuidString < $1.uuidString }).chunked(into: 500) {
                let rows = try await PlainRows.all("""
                    SELECT id, profile_id, kind, name, key, position FROM profile_tags
                    WHERE profile_id IN (\(binds: Array(chunk) as [any Encodable & Sendable])) ORDER BY profile_id, kind, position
                    """, on: tx)
                // A tag's spelling is cleaned again too: one stored before the zero-width space was
                // removed from text (b05639b) keys as its cleaned spelling ("Go\u{200B}" is "Go"),
                // and one that cleans to nothing goes.
                struct Row { var id: UUID, person: UUID, kind: String, name: String, storedName: String, key: String, stored: String, position: Int }
                let tags = try rows.map { row in
                    let storedName = try row.string("name"), name = Tags.clean(storedName)
                    return Row(id: try row.uuid("id"), person: try row.uuid("profile_id"), kind: try row.string("kind"), name: name, storedName: storedName,
                               key: Tags.key(name), stored: try row.string("key"), position: try row.int("position"))
                }
                let lists = Dictionary(grouping: tags) { "\($0.person)\u{1F}\($0.kind)" }
                for list in lists.values {
                    var seen = Set<[UInt8]>(), kept: [Row] = []
                    for tag in list.sorted(by: { $0.position < $1.position }) {
                        if !tag.key.isEmpty, seen.insert(Array(tag.key.utf8)).inserted { kept.append(tag); continue }
                        try await sql.raw("DELETE FROM profile_tags WHERE id = \(bind: tag.id)").run()
                        outcome.mergedTags += 1
                    }
                    let moved = kept.count < list.count
                    for (position, tag) in kept.enumerated() where differ(tag.key, tag.stored) || differ(tag.name, tag.storedName) || (moved && tag.position != position) {
                        try await sql.raw("UPDATE profile_tags SET name = \(bind: tag.name), key = \(bind: tag.key), position = \(bind: position) WHERE id = \(bind: tag.id)").run()
                        if differ(tag.key, tag.stored) { outcome.tags += 1 }
                    }
                    if let person = list.first?.person { reindexed.insert(person) }
                }
            }

            for chunk in reindexed.sorted(by: { $0.uuidString < $1.uuidString }).chunked(into: 500) {
                let ids = Array(chunk)
                let names = try await PlainRows.all("SELECT id, name FROM users WHERE id IN (\(binds: ids as [any Encodable & Sendable]))", on: tx)
                let tags = try await PeopleStore.tags(of: ids, on: tx)
                for row in names {
                    let id = try row.uuid("id")
                    try await SearchIndex.update(id, SearchIndex.Document(name: try row.string("name"), tags: tags[id] ?? [:]), on: sql)
                }
            }
            if outcome.tags > 0 || outcome.mergedTags > 0 { try await DirectoryCounts.rebuild(on: sql) }
            return outcome
        }
    }
}
