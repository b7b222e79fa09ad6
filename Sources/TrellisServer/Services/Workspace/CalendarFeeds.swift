import Fluent
import FluentSQL
import Foundation
import TrellisCore

/// Meetings as iCalendar: one meeting's file, and each person's private feed. A feed is reached
/// by a secret token in its address (calendar applications cannot sign in); the token opens that
/// feed and nothing else, is stored only as its digest, and can be replaced or revoked.
enum CalendarFeeds {
    static let tokenPrefix = "cal_"
    /// How far back a feed reaches. Past `mostEvents`, the latest are kept (the ones ahead first).
    static let daysBack = 90
    static let mostEvents = 500

    static func event(_ meeting: MeetingRecord, pair: PairView, baseURL: String) -> CalendarEvent {
        event(meeting, mentorName: pair.mentorName, menteeName: pair.menteeName, programName: pair.programName, path: pair.path, baseURL: baseURL)
    }

    static func event(_ meeting: MeetingRecord, mentorName: String, menteeName: String, programName: String, path: String, baseURL: String) -> CalendarEvent {
        let id = meeting.id?.uuidString.lowercased() ?? "unknown"
        let link = baseURL.trimmingSuffix("/") + "\(path)/meetings/\(meeting.id?.uuidString ?? "")"
        let status: CalendarEvent.Status = switch meeting.facts.state {
        case .proposed: .tentative
        case .scheduled: .confirmed
        case .cancelled: .cancelled
        }
        let waiting = meeting.facts.state == .proposed ? " Proposed: not yet accepted by both." : ""
        return CalendarEvent(
            uid: "meeting-\(id)@trellis", sequence: meeting.sequence, start: meeting.startsAt, end: meeting.endsAt,
            summary: "Mentoring: \(mentorName) and \(menteeName)",
            description: "Your mentoring meeting in \(programName).\(waiting) Agenda and notes: \(link)",
            location: meeting.place, status: status, url: link, lastModified: meeting.updatedAt
        )
    }

    /// Makes a new token for `user`, replacing any earlier one (which stops working). Returns the
    /// token, to show once.
    static func rotate(for user: UUID, now: Date = Date(), on db: any Database) async throws -> String {
        let token = SecretToken.generate(prefix: tokenPrefix)
        try await DatabaseWrites.transaction(on: db) { tx in
            // Two replacements at once take turns (PostgreSQL; SQLite has one writer already).
            if let sql = tx as? any SQLDatabase, SearchIndex.isPostgres(sql) {
                try await sql.raw("SELECT id FROM users WHERE id = \(bind: user) FOR UPDATE").run()
            }
            try await CalendarFeed.query(on: tx).filter(\.$userID == user).delete()
            let feed = CalendarFeed()
            feed.id = OrderedUUID.make(now: now)
            feed.userID = user
            feed.tokenHash = SecretToken.digest(token)
            feed.createdAt = now
            try await feed.create(on: tx)
        }
        return token
    }

    static func revoke(for user: UUID, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try await CalendarFeed.query(on: tx).filter(\.$userID == user).delete()
        }
    }

    static func feed(of user: UUID, on db: any Database) async throws -> CalendarFeed? {
        try await CalendarFeed.query(on: db).filter(\.$userID == user).first()
    }

    /// The feed a token opens, or nil (no such token, revoked, replaced, or not a token's shape).
    static func calendar(token: String, baseURL: String, now: Date = Date(), on db: any Database) async throws -> String? {
        guard token.hasPrefix(tokenPrefix), token.count < 200, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }),
              let feed = try await CalendarFeed.query(on: db).filter(\.$tokenHash == SecretToken.digest(token)).first(),
              // A deactivated account's feed stops, as its sessions and API tokens do.
              try await User.find(feed.userID, on: db)?.isActive == true
        else { return nil }
        let user = feed.userID
        let since = now.addingTimeInterval(-Double(daysBack) * 86_400)
        let rows = try await PlainRows.all("""
            SELECT g.id, m.id AS mentorship_id, p.name AS program_name, r.name AS mentor_name, e.name AS mentee_name
            FROM meetings g JOIN mentorships m ON m.id = g.mentorship_id JOIN programs p ON p.id = m.program_id
            JOIN users r ON r.id = m.mentor_id JOIN users e ON e.id = m.mentee_id
            WHERE (m.mentor_id = \(bind: user) OR m.mentee_id = \(bind: user)) AND g.ends_at >= \(bind: since)
            ORDER BY g.starts_at DESC LIMIT \(literal: mostEvents)
            """, on: db).reversed()
        let ids = try rows.map { try $0.uuid("id") }
        let meetings = ids.isEmpty ? [] : try await MeetingRecord.query(on: db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(meetings.compactMap { m in m.id.map { ($0, m) } }, uniquingKeysWith: { a, _ in a })
        let events = try rows.compactMap { row -> CalendarEvent? in
            guard let meeting = byID[try row.uuid("id")] else { return nil }
            return event(meeting, mentorName: try row.string("mentor_name"), menteeName: try row.string("mentee_name"), programName: try row.string("program_name"),
                         path: "/mentorships/\(try row.uuid("mentorship_id").uuidString)", baseURL: baseURL)
        }
        let name = try await User.find(user, on: db)?.name ?? "Trellis"
        return ICalendar.document(events, name: "Mentoring meetings (\(name))", now: now)
    }
}
