import Fluent
import FluentSQL
import Foundation
import TrellisCore
import Vapor

/// Reading and writing people: accounts, profiles, tags and reporting lines. Every change that
/// touches more than one row runs in one transaction.
enum PeopleStore {
    /// Tags of many profiles in one query, in the order the person gave them.
    static func tags(of profileIDs: [UUID], on db: any Database) async throws -> [UUID: [TagKind: [String]]] {
        try await tags(of: profileIDs, kinds: nil, first: nil, on: db)
    }

    /// Tags of many profiles, only of some kinds and only the first few of each kind (what a
    /// directory card shows), or all of them.
    static func tags(of profileIDs: [UUID], kinds: [TagKind]?, first: Int?, on db: any Database) async throws -> [UUID: [TagKind: [String]]] {
        guard !profileIDs.isEmpty else { return [:] }
        var result: [UUID: [TagKind: [String]]] = [:]
        // Chunked so that very large pages stay under every database's parameter limit.
        // Plain SQL rows, not Fluent models: a directory page reads a few hundred tags, and model
        // decoding cost more than everything else on the page.
        for chunk in profileIDs.chunked(into: 500) {
            var condition: SQLQueryString = "profile_id IN (\(binds: Array(chunk) as [any Encodable & Sendable]))"
            if let kinds { condition += " AND kind IN (\(binds: kinds.map(\.rawValue) as [any Encodable & Sendable]))" }
            if let first { condition += " AND position < \(literal: first)" }
            let rows = try await PlainRows.all("SELECT profile_id, kind, name FROM profile_tags WHERE \(condition) ORDER BY position", on: db, prepared: true)
            for row in rows {
                guard let kind = TagKind(rawValue: try row.string("kind")) else { continue }
                result[try row.uuid("profile_id"), default: [:]][kind, default: []].append(try row.string("name"))
            }
        }
        return result
    }

    /// Replaces every tag of a profile, keeping the tag counts up to date (call inside a
    /// transaction). `holder`: the person's mentoring role before and after the change when they
    /// count among the tag holders (`DirectoryCounts.TagHolding`: active people), nil when not.
    static func replaceTags(of profileID: UUID, with tags: [TagKind: [String]], holder roles: (old: String, new: String)?, on db: any Database) async throws {
        let old = try await ProfileTag.query(on: db).filter(\.$profileID == profileID).all()
        try await ProfileTag.query(on: db).filter(\.$profileID == profileID).delete()
        var rows: [ProfileTag] = []
        for kind in TagKind.allCases {
            for (position, name) in Tags.normalize(tags[kind] ?? []).enumerated() {
                rows.append(ProfileTag(profileID: profileID, kind: kind, name: name, position: position))
            }
        }
        if !rows.isEmpty { try await rows.create(on: db) }
        guard let sql = db as? any SQLDatabase else { return }
        /// A tag's place in the counts: its kind and key.
        func slot(_ tag: ProfileTag) -> String { "\(tag.kind)\u{1F}\(tag.key)" }
        let before = Set(old.map(slot)), after = Set(rows.map(slot))
        // One list in the order of the counts' key, so that two writers lock the rows they share
        // in the same order (taking one away and adding another in two passes deadlocked two
        // saves on PostgreSQL that swapped a tag).
        // A tag kept in another spelling (0) gives the suggestion a spelling someone holds, if it
        // was the old one.
        let spellings = Dictionary(rows.map { (slot($0), $0.name) }, uniquingKeysWith: { first, _ in first })
        let removed: [(ProfileTag, Int)] = old.filter { !after.contains(slot($0)) }.map { ($0, -1) }
        let added: [(ProfileTag, Int)] = rows.filter { !before.contains(slot($0)) }.map { ($0, 1) }
        let respelled: [(ProfileTag, Int)] = old.filter { tag in spellings[slot(tag)].map { $0 != tag.name } ?? false }.map { ($0, 0) }
        let changes = (removed + added + respelled).sorted { ($0.0.kind, $0.0.key) < ($1.0.kind, $1.0.key) }
        for (tag, delta) in changes {
            if delta == 0 {
                try await DirectoryCounts.respell("kind = \(bind: tag.kind) AND key = \(bind: tag.key) AND name = \(bind: tag.name)", on: sql)
            } else if let kind = TagKind(rawValue: tag.kind) {
                try await DirectoryCounts.adjustTag(kind, key: tag.key, name: tag.name, by: delta, on: sql)
            }
        }
        if let roles {
            try await DirectoryCounts.adjust(
                holdings: DirectoryCounts.holdings(tags: old.map { ($0.kind, $0.key) }, role: roles.old),
                to: DirectoryCounts.holdings(tags: rows.map { ($0.kind, $0.key) }, role: roles.new), on: sql)
        }
    }

    /// Everyone's manager, for reporting-line checks.
    static func reportingLine(on db: any Database) async throws -> ReportingLine<UUID> {
        let profiles = try await Profile.query(on: db).filter(\.$managerID != nil).field(\.$id).field(\.$managerID).all()
        var managers: [UUID: UUID] = [:]
        for profile in profiles {
            if let id = profile.id, let manager = profile.managerID { managers[id] = manager }
        }
        return ReportingLine(managerOf: managers)
    }

    /// Checks that `manager` may manage `person`: exists, is not the person, closes no loop.
    static func checkManager(_ manager: UUID?, for person: UUID, on db: any Database) async throws -> ValidationErrors {
        guard let manager else { return ValidationErrors() }
        if manager == person { return ValidationErrors(field: "manager", "A person cannot be their own manager.") }
        guard try await User.find(manager, on: db) != nil else {
            return ValidationErrors(field: "manager", "No person with this id exists; choose the manager from the directory.")
        }
        var line = try await reportingLine(on: db)
        line.setManager(nil, of: person)
        if let loop = line.cycle(ifManagerOf: person, becomes: manager) {
            let users = try await User.query(on: db).filter(\.$id ~~ loop).all()
            let names = Dictionary(uniqueKeysWithValues: users.compactMap { user in user.id.map { ($0, user.name) } })
            let description = loop.map { names[$0] ?? "?" }.joined(separator: " → ")
            return ValidationErrors(field: "manager", "This would make a reporting loop (\(description)): a person cannot be managed by someone they manage, directly or not.")
        }
        return ValidationErrors()
    }

    /// Saves a validated draft and (optionally) a new manager, all in one transaction.
    static func save(_ draft: ProfileDraft, manager: UUID??, for userID: UUID, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            // The kept counts change by what this person was: read only once no other write of
            // them can change it (PostgreSQL; SQLite's writes take turns).
            try await lockPerson(userID, on: tx)
            guard let user = try await User.find(userID, on: tx) else { throw Abort(.notFound, reason: "This person no longer exists.") }
            user.rename(draft.name)
            try await user.save(on: tx)
            let profile = try await Profile.find(userID, on: tx) ?? Profile(userID: userID)
            let (oldDepartment, oldTimezone, oldRole) = (profile.$department.value ?? "", profile.$timezone.value ?? "", profile.$mentoringRole.value.flatMap { $0 } ?? "")
            profile.apply(draft)
            // The department, time zone and role counts are of active people.
            if user.isActive, let sql = tx as? any SQLDatabase {
                var changes: [(DirectoryCounts.Facet, String, Int)] = []
                for (facet, old, new) in [(DirectoryCounts.Facet.department, oldDepartment, profile.department), (.timezone, oldTimezone, profile.timezone), (.role, oldRole, profile.mentoringRole ?? "")] where old != new {
                    changes += [(facet, old, -1), (facet, new, 1)]
                }
                try await DirectoryCounts.adjust(changes, on: sql)
            }
            if let manager { profile.managerID = manager }
            try await profile.save(on: tx)
            try await replaceTags(of: userID, with: draft.tags, holder: user.isActive ? (oldRole, profile.mentoringRole ?? "") : nil, on: tx)
            if let sql = tx as? any SQLDatabase {
                try await SearchIndex.update(userID, SearchIndex.Document(name: draft.name, tags: draft.tags.mapValues { Tags.normalize($0) }), on: sql)
            }
        }
    }

    /// Deactivates people (`active: false`: they can no longer sign in and leave the directory)
    /// or makes them active again, in one transaction, keeping every count of active people up to
    /// date (everyone, those without a password, each department, time zone and role, the tag
    /// holders; the name marks keep themselves).
    /// Nothing in the app calls it yet: it is the one way a later feature is to change it.
    static func setActive(_ active: Bool, _ ids: [UUID], on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            // Everyone first, in one order, then the counts: so that two calls over the same
            // people, or a call and an import (which holds its people, then the counts), cannot
            // deadlock.
            let people = Set(ids).sorted(by: { $0.uuidString < $1.uuidString })
            for id in people { try await lockPerson(id, on: tx) }
            for id in people {
                guard let row = try await PlainRows.first("""
                    SELECT u.is_active, u.password_hash IS NULL AS no_password, p.mentoring_role, p.department, p.timezone
                    FROM users u LEFT JOIN profiles p ON p.id = u.id WHERE u.id = \(bind: id)
                    """, on: tx), try row.bool("is_active") != active else { continue }
                try await sql.raw("UPDATE users SET is_active = \(bind: active) WHERE id = \(bind: id)").run()
                let delta = active ? 1 : -1
                var changes: [(DirectoryCounts.Facet, String, Int)] = [
                    (.account, DirectoryCounts.everyone, delta),
                    (.department, try row.optionalString("department") ?? "", delta),
                    (.timezone, try row.optionalString("timezone") ?? "", delta),
                    (.role, try row.optionalString("mentoring_role") ?? "", delta),
                ]
                if try row.bool("no_password") { changes.append((.account, DirectoryCounts.withoutPassword, delta)) }
                try await DirectoryCounts.adjust(changes, on: sql)
                let tags = try await PlainRows.all("SELECT kind, key FROM profile_tags WHERE profile_id = \(bind: id)", on: tx).map { (kind: try $0.string("kind"), key: try $0.string("key")) }
                let holdings = DirectoryCounts.holdings(tags: tags, role: try row.optionalString("mentoring_role") ?? "")
                try await DirectoryCounts.adjust(holdings: active ? [] : holdings, to: active ? holdings : [], on: sql)
            }
        }
    }

    /// PostgreSQL: holds the person's account row until the transaction ends, so that what a
    /// write reads of them (active or not, their role and tags) is what it changes.
    static func lockPerson(_ id: UUID, on tx: any Database) async throws {
        guard let sql = tx as? any SQLDatabase, SearchIndex.isPostgres(sql) else { return }
        // NO KEY UPDATE: it still makes two writes of one person take turns, but not a write
        // that only refers to them (a foreign key's check takes KEY SHARE): an import setting
        // someone's manager to this person goes on.
        try await sql.raw("SELECT id FROM users WHERE id = \(bind: id) FOR NO KEY UPDATE").run()
    }

    /// The draft of a stored person.
    /// A person as stored: their account, their profile (an empty one if none was saved yet) and
    /// their manager's account, in one plain read.
    struct Stored: Sendable {
        var user: User
        var profile: Profile
        var manager: User?
    }

    static func person(_ id: UUID, on db: any Database) async throws -> Stored? {
        guard let row = try await PlainRows.first("""
            SELECT \(unsafeRaw: User.columns("u")), \(unsafeRaw: Profile.columns("p")), \(unsafeRaw: User.columns("m", prefix: "manager_"))
            FROM users u LEFT JOIN profiles p ON p.id = u.id LEFT JOIN users m ON m.id = p.manager_id WHERE u.id = \(bind: id)
            """, on: db)
        else { return nil }
        let manager = try row.optionalUUID("manager_id") == nil ? nil : try User(row: row, prefix: "manager_")
        return Stored(user: try User(row: row), profile: try Profile(row: row) ?? Profile(userID: id), manager: manager)
    }

    static func draft(for stored: Stored, on db: any Database) async throws -> ProfileDraft {
        let id = try stored.user.requireID()
        let tags = try await tags(of: [id], on: db)[id] ?? [:]
        return stored.profile.draft(name: stored.user.name, tags: tags)
    }

    static func draft(for user: User, on db: any Database) async throws -> (ProfileDraft, Profile) {
        let id = try user.requireID()
        async let tagsQuery = tags(of: [id], on: db)
        let row = try await PlainRows.first("SELECT \(unsafeRaw: Profile.columns("p")) FROM profiles p WHERE p.id = \(bind: id)", on: db)
        let profile = try row.flatMap { try Profile(row: $0) } ?? Profile(userID: id)
        let tags = try await tagsQuery[id] ?? [:]
        return (profile.draft(name: user.name, tags: tags), profile)
    }

    /// Creates an account with an empty profile, in one transaction. Throws `ValidationErrors`
    /// for the field `email` when someone already has the email, also when two requests race.
    static func createPerson(email: String, name: String, role: AccountRole, passwordHash: String? = nil, on db: any Database) async throws -> User {
        let user = User(email: email, name: name, role: role, passwordHash: passwordHash)
        let taken = ValidationErrors(field: "email", "Someone with this email is already in Trellis.")
        do {
            try await DatabaseWrites.transaction(on: db) { tx in
                // On PostgreSQL, the counts before the account: an import holds the counts first and
                // then adds its accounts, so a new account of the same email made the other way round
                // waited on the import's counts while the import waited on its email (a deadlock).
                // The lock is one that writers of counts share; only an import's excludes it.
                if let sql = tx as? any SQLDatabase, SearchIndex.isPostgres(sql) {
                    try await sql.raw("LOCK TABLE directory_facets IN ROW EXCLUSIVE MODE").run()
                }
                if try await User.query(on: tx).filter(\.$email == user.email).first() != nil { throw taken }
                try await user.create(on: tx)
                try await Profile(userID: user.requireID()).create(on: tx)
                if let sql = tx as? any SQLDatabase {
                    try await SearchIndex.update(try user.requireID(), SearchIndex.Document(name: user.name, tags: [:]), on: sql)
                    try await DirectoryCounts.adjust(.account, DirectoryCounts.everyone, by: 1, on: sql)
                    if passwordHash == nil { try await DirectoryCounts.adjust(.account, DirectoryCounts.withoutPassword, by: 1, on: sql) }
                }
            }
        } catch let error where DatabaseWrites.isUniqueViolation(error) {
            throw taken
        }
        return user
    }

    static func audit(_ action: String, _ detail: String, by actor: User?, on db: any Database) async throws {
        try await audit(action, detail, actorID: actor?.id, on: db)
    }

    static func audit(_ action: String, _ detail: String, actorID: UUID?, on db: any Database) async throws {
        let entry = AuditEntry(actorID: actorID, action: action, detail: detail)
        try await DatabaseWrites.transaction(on: db) { tx in try await entry.create(on: tx) }
    }

    /// Tags in use of one kind, most used first: the suggestions offered while typing.
    static func tagSuggestions(kind: TagKind, prefix: String = "", limit: Int = 50, on db: any Database) async throws -> [(name: String, count: Int)] {
        try await DirectoryCounts.suggestions(kind: kind, prefix: prefix, limit: limit, on: db)
    }

}
