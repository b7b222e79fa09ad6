import CSV
import Fluent
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

        var isValid: Bool { problems.isEmpty }
        func count(_ change: Change) -> Int { changes.filter { $0 == change }.count }
    }

    /// Splits CSV text into the header and rows. A byte-order mark is dropped first; quoted fields
    /// with commas, quotes and new lines are the library's business.
    static func read(_ text: String) throws -> (header: [String], rows: [[String]]) {
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

    static func decode(_ data: Data) throws -> String {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationErrors(field: "file", "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        }
        return text
    }

    /// Writes records as CSV, header first.
    static func write(_ records: [PersonRecord]) throws -> String {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        try writer.write(row: PeopleTable.columns)
        for record in records {
            try writer.write(row: PeopleTable.cells(of: record))
        }
        writer.stream.close()
        guard let data = PeopleCSV.writtenData(stream) else { return "" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Every person with a mentoring role, as records, sorted by email.
    static func exportRecords(on db: any Database) async throws -> [PersonRecord] {
        async let usersQuery = User.query(on: db).all()
        async let profilesQuery = Profile.query(on: db).all()
        let (users, profiles) = try await (usersQuery, profilesQuery)
        let emailByID = Dictionary(uniqueKeysWithValues: users.compactMap { user in user.id.map { ($0, user.email) } })
        let profileByID = Dictionary(uniqueKeysWithValues: profiles.compactMap { profile in profile.id.map { ($0, profile) } })
        let tags = try await PeopleStore.tags(of: profiles.compactMap(\.id), on: db)
        var records: [PersonRecord] = []
        for user in users {
            guard let id = user.id, let profile = profileByID[id], let role = profile.role else { continue }
            let personTags = tags[id] ?? [:]
            records.append(PersonRecord(
                email: user.email, name: user.name, role: role, department: profile.department,
                managerEmail: profile.managerID.flatMap { emailByID[$0] }, timezone: profile.timezone,
                languages: personTags[.language] ?? [], expertise: personTags[.expertise] ?? [],
                developmentAreas: personTags[.development] ?? [], interests: personTags[.interest] ?? [],
                values: personTags[.value] ?? [], capacity: role.canMentor ? (profile.capacityMentees ?? 0) : nil,
                meetingFrequency: profile.frequency, yearsExperience: profile.yearsExperience
            ))
        }
        return records.sorted { $0.email < $1.email }
    }

    /// Checks a file against the format and the people already stored, and says what would change.
    static func plan(_ text: String, on db: any Database) async throws -> Plan {
        let (header, rows) = try read(text)
        let existing = try await exportRecords(on: db)
        let allEmails = try await User.query(on: db).field(\.$email).all().map(\.email)
        var existingManagers: [String: String] = [:]
        for record in existing { existingManagers[record.email] = record.managerEmail }
        let parsed = PeopleTable.parse(header: header, rows: rows, existingManagers: existingManagers, knownEmails: Set(allEmails))
        guard parsed.isValid else { return Plan(records: [], changes: [], problems: parsed.problems) }
        let byEmail = Dictionary(uniqueKeysWithValues: existing.map { ($0.email, $0) })
        let known = Set(allEmails)
        let changes: [Plan.Change] = parsed.records.map { record in
            if let stored = byEmail[record.email] { return stored.isEquivalent(to: record) ? .unchanged : .update }
            return known.contains(record.email) ? .update : .create
        }
        return Plan(records: parsed.records, changes: changes, problems: [])
    }

    /// Applies a valid plan, all or nothing (see `PeopleImport`).
    static func apply(_ plan: Plan, by actor: User?, on db: any Database) async throws {
        try await PeopleImport.apply(plan, by: actor?.id, on: db)
    }
}

extension PeopleCSV {
    /// What a memory stream holds, copied in one go: bridging it with `as? Data` (or wrapping it)
    /// copies it byte by byte on Linux (seconds for a large file).
    static func writtenData(_ stream: OutputStream) -> Data? {
        guard let written = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? NSData else { return nil }
        return Data(bytes: written.bytes, count: written.length)
    }
}
