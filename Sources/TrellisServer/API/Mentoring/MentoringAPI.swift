import Fluent
import FluentSQL
import Foundation
import TrellisCore
import Vapor

/// `/api/v1/requests`, `/api/v1/mentorships` and `/api/v1/notifications`: a person's own
/// requests (sent and received), mentorships and notifications. Another person's are answered
/// like ones that do not exist.
enum MentoringAPI {
    static func register(_ api: some RoutesBuilder) {
        api.get("requests", use: requests)
        api.post("programs", ":id", "requests", use: create)
        api.post("requests", ":id", "accept", use: accept)
        api.post("requests", ":id", "decline", use: decline)
        api.post("requests", ":id", "withdraw", use: withdraw)
        api.get("mentorships", use: mentorships)
        api.get("mentorships", ":id", use: mentorship)
        api.get("notifications", use: notifications)
        api.post("notifications", ":id", "read", use: read)
    }

    static func me(_ req: Request) throws -> UUID {
        try req.requireUser().requireID()
    }

    static func names(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        try await SelfSelectController.names(of: ids, on: db)
    }

    static func dto(_ request: MentoringRequest, on db: any Database) async throws -> MentoringRequestDTO {
        try MentoringRequestDTO(request, names: try await names([request.menteeID, request.mentorID], on: db))
    }

    /// The caller's requests, sent and received, newest first (at most 100).
    @Sendable static func requests(_ req: Request) async throws -> [MentoringRequestDTO] {
        let id = try me(req)
        let found = try await MentoringRequest.query(on: req.db).group(.or) { $0.filter(\.$menteeID == id).filter(\.$mentorID == id) }
            .sort(\.$createdAt, .descending).limit(100).all()
        let named = try await names(found.flatMap { [$0.menteeID, $0.mentorID] }, on: req.db)
        return try found.map { try MentoringRequestDTO($0, names: named) }
    }

    @Sendable static func create(_ req: Request) async throws -> Response {
        let mentee = try me(req)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["mentor_id", "note"], what: "request")
        let input = try req.content.decode(RequestInputDTO.self)
        guard let programID = req.idParameter else { throw Abort(.notFound, reason: "There is no such program.") }
        // A program the caller cannot see answers as one that does not exist.
        let (program, _) = try await ProgramsAPI.visible(req)
        guard program.matchingMode == .selfSelect else { throw Abort(.conflict, reason: "In this program mentees do not send requests.") }
        guard let mentor = input.mentor_id else {
            throw InvalidInput(message: "Nothing was sent.", errors: ValidationErrors(field: "mentor_id", "mentor_id is required: whom to ask."))
        }
        do {
            let request = try await Requests.create(program: programID, mentee: mentee, mentor: mentor, note: input.note ?? "", on: req.db)
            return try await dto(request, on: req.db).encodeResponse(status: .created, for: req)
        } catch is Requests.MentorFull {
            throw Abort(.conflict, reason: RequestRules.Refusal.mentorFull.message)
        } catch let refusal as ProgramStore.Refusal {
            throw InvalidInput(message: "Nothing was sent: \(refusal.message)", errors: ValidationErrors(field: refusal.field == "note" ? "note" : "mentor_id", refusal.message))
        }
    }

    static func answer(_ req: Request) throws -> AnswerInputDTO {
        guard req.body.data != nil else { return AnswerInputDTO() }
        _ = try ProgramsAPI.sentKeys(req, allowed: ["message"], what: "answer")
        return try req.content.decode(AnswerInputDTO.self)
    }

    /// Runs a change to one of the caller's requests: 404 for another person's or none, 409 for
    /// one that can no longer change that way, 422 for a bad message.
    static func change(_ req: Request, _ body: (UUID, UUID) async throws -> Void) async throws -> MentoringRequestDTO {
        let person = try me(req)
        guard let id = req.idParameter else { throw Abort(.notFound, reason: "There is no such request.") }
        do {
            try await body(id, person)
        } catch is ProgramStore.NotFound {
            throw Abort(.notFound, reason: "There is no such request.")
        } catch let refusal as ProgramStore.Refusal {
            if refusal.field == "message" { throw InvalidInput(message: "Nothing was sent.", errors: ValidationErrors(field: "message", refusal.message)) }
            throw Abort(.conflict, reason: refusal.message)
        }
        guard let request = try await MentoringRequest.find(id, on: req.db) else { throw Abort(.notFound, reason: "There is no such request.") }
        return try await dto(request, on: req.db)
    }

    @Sendable static func accept(_ req: Request) async throws -> MentoringRequestDTO {
        let input = try answer(req)
        return try await change(req) { id, mentor in _ = try await Requests.accept(id, by: mentor, message: input.message ?? "", on: req.db) }
    }

    @Sendable static func decline(_ req: Request) async throws -> MentoringRequestDTO {
        let input = try answer(req)
        return try await change(req) { id, mentor in try await Requests.decline(id, by: mentor, message: input.message ?? "", on: req.db) }
    }

    @Sendable static func withdraw(_ req: Request) async throws -> MentoringRequestDTO {
        try await change(req) { id, mentee in try await Requests.withdraw(id, by: mentee, on: req.db) }
    }

    static func mentorshipRows(of person: UUID, only id: UUID? = nil, on db: any Database) async throws -> [MentorshipDTO] {
        let only: SQLQueryString = id.map { "AND m.id = \(bind: $0)" } ?? ""
        let rows = try await PlainRows.all("""
            SELECT m.id, m.state, m.started_on, m.mentor_id, m.mentee_id, p.id AS program_id, p.name AS program_name, p.meetings_in_trellis,
                   r.name AS mentor_name, e.name AS mentee_name
            FROM mentorships m JOIN programs p ON p.id = m.program_id JOIN users r ON r.id = m.mentor_id JOIN users e ON e.id = m.mentee_id
            WHERE (m.mentor_id = \(bind: person) OR m.mentee_id = \(bind: person)) \(only)
            ORDER BY m.created_at DESC LIMIT 200
            """, on: db)
        return try rows.map { row in
            MentorshipDTO(
                id: try row.uuid("id"), program: PersonLinkDTO(id: try row.uuid("program_id"), name: try row.string("program_name")),
                mentor: PersonLinkDTO(id: try row.uuid("mentor_id"), name: try row.string("mentor_name")),
                mentee: PersonLinkDTO(id: try row.uuid("mentee_id"), name: try row.string("mentee_name")),
                my_role: try row.uuid("mentor_id") == person ? ProgramRole.mentor.rawValue : ProgramRole.mentee.rawValue,
                state: try row.string("state"), started_on: try row.string("started_on"), meetings_in_trellis: try row.bool("meetings_in_trellis")
            )
        }
    }

    @Sendable static func mentorships(_ req: Request) async throws -> [MentorshipDTO] {
        try await mentorshipRows(of: try me(req), on: req.db)
    }

    /// One of the caller's mentorships: the pair's alone.
    @Sendable static func mentorship(_ req: Request) async throws -> MentorshipDTO {
        guard let id = req.idParameter, let found = try await mentorshipRows(of: try me(req), only: id, on: req.db).first else {
            throw Abort(.notFound, reason: "There is no such mentorship.")
        }
        return found
    }

    /// The caller's notifications, newest first (at most 100).
    @Sendable static func notifications(_ req: Request) async throws -> [NotificationDTO] {
        let items = try await InAppNotification.query(on: req.db).filter(\.$userID == me(req)).sort(\.$createdAt, .descending)
            .limit(MentoringController.notificationsShown).all()
        return try items.map(NotificationDTO.init)
    }

    @Sendable static func read(_ req: Request) async throws -> NotificationDTO {
        let person = try me(req)
        guard let id = req.idParameter, let item = try await InAppNotification.find(id, on: req.db), item.userID == person else {
            throw Abort(.notFound, reason: "There is no such notification.")
        }
        if item.readAt == nil {
            let now = Date()
            try await DatabaseWrites.transaction(on: req.db) { tx in
                try await InAppNotification.query(on: tx).filter(\.$id == id).set(\.$readAt, to: now).update()
            }
            item.readAt = now
        }
        return try NotificationDTO(item)
    }
}
