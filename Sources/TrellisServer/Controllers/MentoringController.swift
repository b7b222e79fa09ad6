import Fluent
import FluentSQL
import Foundation
import TrellisCore
import Vapor

/// A person's own mentoring: their mentorships and programs ("My mentoring"), a mentorship's
/// page (the pair only), and their notifications.
enum MentoringController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("mentoring", use: mine)
        routes.get("mentorships", ":id", use: mentorship)
        routes.get("notifications", use: notifications)
        routes.post("notifications", ":id", "read", use: read)
        routes.post("notifications", "read-all", use: readAll)
    }

    @Sendable static func mine(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        let id = try user.requireID()
        let rows = try await PlainRows.all("""
            SELECT m.id, m.state, m.started_on, m.mentor_id, m.mentee_id, p.id AS program_id, p.name AS program_name, o.name AS other_name
            FROM mentorships m JOIN programs p ON p.id = m.program_id
            JOIN users o ON o.id = CASE WHEN m.mentor_id = \(bind: id) THEN m.mentee_id ELSE m.mentor_id END
            WHERE m.mentor_id = \(bind: id) OR m.mentee_id = \(bind: id)
            ORDER BY m.created_at DESC LIMIT 200
            """, on: req.db)
        let mentorships = try rows.map { row in
            MentoringPages.MentorshipItem(
                id: try row.uuid("id"), programID: try row.uuid("program_id"), programName: try row.string("program_name"),
                otherName: try row.string("other_name"), myRole: try row.uuid("mentor_id") == id ? .mentor : .mentee,
                state: MentorshipState(rawValue: try row.string("state")) ?? .active, startedOn: CalendarDay(try row.string("started_on"))
            )
        }
        let matchedPrograms = Set(mentorships.map(\.programID))
        let enrolments = try await Enrolment.query(on: req.db).filter(\.$userID == id).limit(200).all()
        let programIDs = enrolments.map(\.programID).filter { !matchedPrograms.contains($0) }
        let programs = programIDs.isEmpty ? [] : try await Program.query(on: req.db).filter(\.$id ~~ programIDs).all()
        let roles = Dictionary(enrolments.map { ($0.programID, $0.programRole) }, uniquingKeysWith: { a, _ in a })
        let waiting = try programs.map { try ProgramsController.summary($0, myRole: roles[try $0.requireID()], canJoin: false) }
        // Requests sent and received, and waitlist places, across programs.
        let requestRows = try await PlainRows.all("""
            SELECT r.id, r.program_id, r.state, r.expires_at, r.mentee_id, p.name AS program_name, o.name AS other_name, r.mentor_id
            FROM mentoring_requests r JOIN programs p ON p.id = r.program_id
            JOIN users o ON o.id = CASE WHEN r.mentee_id = \(bind: id) THEN r.mentor_id ELSE r.mentee_id END
            WHERE (r.mentee_id = \(bind: id) OR r.mentor_id = \(bind: id)) AND r.state = \(bind: RequestState.pending.rawValue)
            ORDER BY r.created_at DESC LIMIT 100
            """, on: req.db)
        let requests = try requestRows.map { row in
            MentoringPages.RequestLine(
                programID: try row.uuid("program_id"), programName: try row.string("program_name"), otherID: try row.uuid(try row.uuid("mentee_id") == id ? "mentor_id" : "mentee_id"),
                otherName: try row.string("other_name"), sent: try row.uuid("mentee_id") == id, expiresAt: try row.date("expires_at")
            )
        }.filter { $0.expiresAt > Date() }
        let placeRows = try await PlainRows.all("""
            SELECT w.program_id, w.mentor_id, w.notified_at, p.name AS program_name, u.name AS mentor_name
            FROM waitlist_places w JOIN programs p ON p.id = w.program_id JOIN users u ON u.id = w.mentor_id
            WHERE w.mentee_id = \(bind: id) ORDER BY w.created_at LIMIT 100
            """, on: req.db)
        let places = try placeRows.map { row in
            MentoringPages.WaitlistLine(programID: try row.uuid("program_id"), programName: try row.string("program_name"), mentorID: try row.uuid("mentor_id"),
                                        mentorName: try row.string("mentor_name"), placeOpened: try row.optionalDate("notified_at") != nil)
        }
        return MentoringPages.mine(req.page, mentorships: mentorships, waiting: waiting, requests: requests, waitlist: places)
    }

    /// A mentorship's page: the pair only (another participant or a program manager gets the
    /// same answer as for a mentorship that does not exist).
    @Sendable static func mentorship(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        let notice = req.query[String.self, at: "done"] == "item" ? "Action item added." : nil
        return WorkspacePage.render(req.page, try await Workspace.load(pair, on: req.db), notice: notice)
    }

    static let notificationsShown = 100

    @Sendable static func notifications(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        let items = try await InAppNotification.query(on: req.db).filter(\.$userID == user.requireID()).sort(\.$createdAt, .descending)
            .limit(notificationsShown).all()
        return MentoringPages.notifications(req.page, items.compactMap { item in
            item.id.map { MentoringPages.NotificationItem(id: $0, title: item.title, body: item.body, link: item.link, createdAt: item.createdAt, unread: item.readAt == nil) }
        })
    }

    /// Marks one of the person's notifications read and follows its link.
    @Sendable static func read(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.idParameter, let item = try await InAppNotification.find(id, on: req.db), item.userID == user.id else {
            throw Abort(.notFound, reason: "There is no such notification.")
        }
        if item.readAt == nil {
            try await DatabaseWrites.transaction(on: req.db) { tx in
                try await InAppNotification.query(on: tx).filter(\.$id == id).set(\.$readAt, to: Date()).update()
            }
        }
        // Links are written by Trellis (paths on this site); anything else goes to the list.
        let target = item.link.hasPrefix("/") && !item.link.hasPrefix("//") && !item.link.contains("\\") ? item.link : "/notifications"
        return req.redirect(to: target, redirectType: .normal)
    }

    @Sendable static func readAll(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let id = try user.requireID()
        try await DatabaseWrites.transaction(on: req.db) { tx in
            try await InAppNotification.query(on: tx).filter(\.$userID == id).filter(\.$readAt == nil).set(\.$readAt, to: Date()).update()
        }
        return req.redirect(to: "/notifications", redirectType: .normal)
    }
}
