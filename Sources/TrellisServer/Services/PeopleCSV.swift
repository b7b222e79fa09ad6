import Fluent
import FluentSQL
import NIOConcurrencyHelpers
import Foundation
import TrellisCore
import Vapor

/// Reading and writing the people CSV with a CSV library, and applying an import.
enum PeopleCSV {
    /// What an import would do, row by row.
    struct Plan: Sendable {
        enum Change: String, Sendable { case create = "new", update = "changed", unchanged }
        var records: [PersonRecord]
        var changes: [Change]
        var problems: [PeopleTable.Problem]
        /// The emails of people who have a mentoring role now and whose row leaves it blank: the
        /// import takes it away (and their capacity), which a preview says in words, since a
        /// column left empty by mistake would otherwise do it quietly.
        var losingRole: [String] = []

        var isValid: Bool { problems.isEmpty }

        /// "2 people would lose their mentoring role …", or nil.
        var losingRoleWarning: String? {
            guard !losingRole.isEmpty else { return nil }
            let names = losingRole.prefix(5).joined(separator: ", ") + (losingRole.count > 5 ? " and \(losingRole.count - 5) more" : "")
            let who = losingRole.count == 1 ? "1 person has a mentoring role now and would lose it" : "\(losingRole.count) people have a mentoring role now and would lose it"
            return "\(who) (and any capacity), because the file leaves their role blank: \(names). If that is not what you meant, fill in the role column and upload the file again."
        }
        func count(_ change: Change) -> Int { changes.filter { $0 == change }.count }
    }

    /// The export a batch of people at a time, in order of email: each batch read by plain SQL
    /// (people with their managers' emails, then their tags) and handed to `emit` as CSV text,
    /// the header first. Memory stays the size of one batch however large the organisation, and
    /// the first bytes leave at once. Each batch is its own short read: no database connection or
    /// transaction is held while `emit` waits for a slow client. The next batch starts after the
    /// last email sent, so a change made during an export shows in it or not, but nobody is sent
    /// twice. Without changes meanwhile, the same text as `PeopleFile.text(of: exportRecords(...))` (the order is
    /// the database's order of emails: byte order on SQLite and on a C-collated PostgreSQL).
    /// Returns how many people were written.
    @discardableResult
    static func exportStream(on db: any Database, batchSize: Int = 2_000, emit: @Sendable (String) async throws -> Void) async throws -> Int {
        try await exportBatches(on: db, batchSize: batchSize, emit: emit)
    }

    private static func exportBatches(on db: any Database, batchSize: Int, emit: @Sendable (String) async throws -> Void) async throws -> Int {
        /// One batch: the people after `after` (an email) with their managers' emails, and their tags.
        @Sendable func read(after: String?) async throws -> (rows: [PlainRow], tags: [UUID: [TagKind: [String]]]) {
            let from: SQLQueryString = after.map { "AND u.email > \(bind: $0)" } ?? ""
            let rows = try await PlainRows.all("""
                SELECT u.id, u.email, u.name, p.mentoring_role, p.department, m.email AS manager_email, p.timezone,
                       p.capacity_mentees, p.meeting_frequency, p.years_experience
                FROM users u JOIN profiles p ON p.id = u.id LEFT JOIN users m ON m.id = p.manager_id
                WHERE TRUE \(from) ORDER BY u.email LIMIT \(literal: batchSize)
                """, on: db)
            return (rows, try await PeopleStore.tags(of: try rows.map { try $0.uuid("id") }, on: db))
        }
        var written = 0
        var header = true
        var batch = try await read(after: nil)
        while true {
            // The next batch is read while this one is written out (reading and writing CSV take
            // about as long as each other, and the server has more than one core).
            let next: Task<(rows: [PlainRow], tags: [UUID: [TagKind: [String]]]), any Error>? = if batch.rows.count == batchSize {
                // On a thread of its own (a batch would hold up an event loop), beside this one.
                Task(executorPreference: LongWork.beside) { [after = try batch.rows.last?.string("email")] in try await read(after: after) }
            } else {
                nil
            }
            do {
                var records: [PersonRecord] = []
                records.reserveCapacity(batch.rows.count)
                for row in batch.rows {
                    let role = try row.optionalString("mentoring_role").flatMap(MentoringRole.init(rawValue:))
                    let personTags = batch.tags[try row.uuid("id")] ?? [:]
                    records.append(PersonRecord(
                        email: try row.string("email"), name: try row.string("name"), role: role, department: try row.string("department"),
                        managerEmail: try row.optionalString("manager_email"), timezone: try row.string("timezone"),
                        languages: personTags[.language] ?? [], expertise: personTags[.expertise] ?? [],
                        developmentAreas: personTags[.development] ?? [], interests: personTags[.interest] ?? [],
                        values: personTags[.value] ?? [], capacity: role?.capacity(stored: try row.optionalInt("capacity_mentees")),
                        meetingFrequency: try row.optionalString("meeting_frequency").flatMap(MeetingFrequency.init(rawValue:)),
                        yearsExperience: try row.optionalInt("years_experience")
                    ))
                }
                let text = PeopleFile.text(of: records, header: header)
                written += records.count
                if !text.isEmpty { try await emit(text) }
            } catch {
                next?.cancel()
                throw error
            }
            header = false
            guard let next else { return written }
            batch = try await next.value
        }
    }

    /// Everyone (with a mentoring role or not), as records, sorted by email. Read with two plain SQL
    /// queries streamed row by row (not as Fluent models: at 100,000 people and a million tags
    /// that took half a minute).
    static func exportRecords(on db: any Database) async throws -> [PersonRecord] {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "Exports need an SQL database.") }
        struct Person: Sendable {
            var id: UUID, email: String, name: String, role: MentoringRole?, department: String, managerID: UUID?
            var timezone: String, capacity: Int?, frequency: MeetingFrequency?, years: Int?
        }
        let people = NIOLockedValueBox<[Person]>([])
        let emails = NIOLockedValueBox<[UUID: String]>([:])
        try await sql.raw("""
            SELECT u.id, u.email, u.name, p.mentoring_role, p.department, p.manager_id, p.timezone, p.capacity_mentees,
                   p.meeting_frequency, p.years_experience
            FROM users u JOIN profiles p ON p.id = u.id
            """).run { row in
            guard let id = try? row.decode(column: "id", as: UUID.self), let email = try? row.decode(column: "email", as: String.self) else { return }
            emails.withLockedValue { $0[id] = email }
            let role = (try? row.decode(column: "mentoring_role", as: String?.self)).flatMap({ $0 }).flatMap(MentoringRole.init(rawValue:))
            let person = Person(
                id: id, email: email, name: (try? row.decode(column: "name", as: String.self)) ?? "", role: role,
                department: (try? row.decode(column: "department", as: String.self)) ?? "",
                managerID: (try? row.decode(column: "manager_id", as: UUID?.self)) ?? nil,
                timezone: (try? row.decode(column: "timezone", as: String.self)) ?? "",
                capacity: (try? row.decode(column: "capacity_mentees", as: Int?.self)) ?? nil,
                frequency: ((try? row.decode(column: "meeting_frequency", as: String?.self)) ?? nil).flatMap(MeetingFrequency.init(rawValue:)),
                years: (try? row.decode(column: "years_experience", as: Int?.self)) ?? nil
            )
            people.withLockedValue { $0.append(person) }
        }
        let tags = NIOLockedValueBox<[UUID: [TagKind: [String]]]>([:])
        try await sql.raw("SELECT profile_id, kind, name FROM profile_tags ORDER BY profile_id, kind, position").run { row in
            guard let id = try? row.decode(column: "profile_id", as: UUID.self),
                  let kind = (try? row.decode(column: "kind", as: String.self)).flatMap(TagKind.init(rawValue:)),
                  let name = try? row.decode(column: "name", as: String.self) else { return }
            tags.withLockedValue { $0[id, default: [:]][kind, default: []].append(name) }
        }
        let emailByID = emails.withLockedValue { $0 }
        let tagsByID = tags.withLockedValue { $0 }
        return people.withLockedValue { $0 }.map { person in
            let personTags = tagsByID[person.id] ?? [:]
            return PersonRecord(
                email: person.email, name: person.name, role: person.role, department: person.department,
                managerEmail: person.managerID.flatMap { emailByID[$0] }, timezone: person.timezone,
                languages: personTags[.language] ?? [], expertise: personTags[.expertise] ?? [],
                developmentAreas: personTags[.development] ?? [], interests: personTags[.interest] ?? [],
                values: personTags[.value] ?? [], capacity: person.role?.capacity(stored: person.capacity),
                meetingFrequency: person.frequency, yearsExperience: person.years
            )
        }.sorted { $0.email < $1.email }
    }

    /// Checks a file against the format and the people already stored, and says what would change.
    static func plan(_ text: String, on db: any Database) async throws -> Plan {
        let (header, rows) = try PeopleFile.read(text)
        let existing = try await exportRecords(on: db)  // everyone, with a mentoring role or not
        let known = Set(existing.map(\.email))
        var existingManagers: [String: String] = [:]
        for record in existing { existingManagers[record.email] = record.managerEmail }
        let parsed = PeopleTable.parse(header: header, rows: rows, existingManagers: existingManagers, knownEmails: known)
        guard parsed.isValid else { return Plan(records: [], changes: [], problems: parsed.problems) }
        let byEmail = Dictionary(uniqueKeysWithValues: existing.map { ($0.email, $0) })
        let changes: [Plan.Change] = parsed.records.map { record in
            if let stored = byEmail[record.email] { return stored.isEquivalent(to: record) ? .unchanged : .update }
            return known.contains(record.email) ? .update : .create
        }
        let losingRole = parsed.records.filter { $0.role == nil && byEmail[$0.email]?.role != nil }.map(\.email)
        return Plan(records: parsed.records, changes: changes, problems: [], losingRole: losingRole)
    }

    /// Applies a valid plan, all or nothing (see `PeopleImport`).
    static func apply(_ plan: Plan, by actor: User?, on db: any Database) async throws {
        try await PeopleImport.apply(plan, by: actor?.id, on: db)
    }
}
