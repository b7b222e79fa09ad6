import Fluent
import Foundation
import TrellisCore
import Vapor

/// `/api/v1/mentorships/{id}/meetings` and `…/action-items`, and `/api/v1/me/calendar-feed`:
/// a pair's meetings, agendas, notes and action items, and the caller's calendar feed. The pair
/// only (404 for anyone else, a program manager included); a private note, its author only.
enum MeetingsAPI {
    static func register(_ api: some RoutesBuilder) {
        let meetings = api.grouped("mentorships", ":id", "meetings")
        meetings.get(use: list)
        meetings.post(use: create)
        meetings.get(":meeting", use: show)
        meetings.post(":meeting", "accept", use: accept)
        meetings.post(":meeting", "time", use: move)
        meetings.post(":meeting", "cancel", use: cancel)
        meetings.post(":meeting", "agenda", use: addAgenda)
        meetings.post(":meeting", "notes", use: addNote)
        let items = api.grouped("mentorships", ":id", "action-items")
        items.get(use: listItems)
        items.post(use: addItem)
        items.post(":item", "done", use: done)
        api.post("me", "calendar-feed", use: makeFeed)
        api.post("me", "calendar-feed", "revoke", use: revokeFeed)
    }

    static func meeting(_ req: Request, pair: PairView) async throws -> MeetingRecord {
        do {
            return try await Meetings.find(req.parameters.get("meeting").flatMap(UUID.parse), of: pair, on: req.db)
        } catch is Meetings.NotFound {
            throw Abort(.notFound, reason: "There is no such meeting.")
        }
    }

    /// Runs a change: a refusal about the meeting itself is 409; one about a field, 422 under it.
    static func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let errors as ValidationErrors {
            throw InvalidInput(message: "Nothing was saved: some fields are not valid.", errors: errors)
        } catch let refusal as ProgramStore.Refusal {
            if ["meeting", "mentorship"].contains(refusal.field) { throw Abort(.conflict, reason: refusal.message) }
            throw InvalidInput(message: "Nothing was saved.", errors: ValidationErrors(field: refusal.field, refusal.message))
        } catch is Meetings.NotFound {
            throw Abort(.notFound, reason: "There is no such meeting or action item.")
        }
    }

    @Sendable static func list(_ req: Request) async throws -> [MeetingDTO] {
        let pair = try await Pairs.view(req)
        let now = Date()
        return try await Meetings.all(of: pair, on: req.db).map { try MeetingDTO($0, pair: pair, now: now) }
    }

    static func readTime(_ req: Request) throws -> MeetingTime {
        _ = try ProgramsAPI.sentKeys(req, allowed: ["starts_at", "ends_at", "time_zone", "place"], what: "meeting")
        let input = try req.content.decode(MeetingTimeInputDTO.self)
        switch MeetingRules.time(startsAt: input.starts_at ?? "", endsAt: input.ends_at ?? "", timeZone: input.time_zone ?? "", place: input.place ?? "", now: Date()) {
        case .success(let time): return time
        case .failure(let errors): throw InvalidInput(message: "Nothing was saved: some fields are not valid.", errors: errors)
        }
    }

    @Sendable static func create(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        try await run { try await Meetings.requireInTrellis(pair) }
        let time = try readTime(req)
        let meeting = try await run { try await Meetings.propose(time, pair: pair, on: req.db) }
        return try await MeetingDTO(meeting, pair: pair, now: Date()).encodeResponse(status: .created, for: req)
    }

    @Sendable static func show(_ req: Request) async throws -> MeetingDetailDTO {
        let pair = try await Pairs.view(req)
        let meeting = try await meeting(req, pair: pair)
        return try MeetingDetailDTO(try await Meetings.snapshot(meeting, pair: pair, sealing: req.noteSealing, on: req.db), pair: pair, now: Date())
    }

    static func act(_ req: Request, _ action: MeetingRules.Action) async throws -> MeetingDTO {
        let pair = try await Pairs.view(req)
        let meeting = try await meeting(req, pair: pair)
        let after = try await run { try await Meetings.act(action, on: try meeting.requireID(), pair: pair, on: req.db) }
        return try MeetingDTO(after, pair: pair, now: Date())
    }

    @Sendable static func accept(_ req: Request) async throws -> MeetingDTO {
        try await act(req, .accept)
    }

    @Sendable static func move(_ req: Request) async throws -> MeetingDTO {
        let pair = try await Pairs.view(req)
        _ = try await meeting(req, pair: pair)
        try await run { try await Meetings.requireInTrellis(pair) }
        return try await act(req, .propose(try readTime(req)))
    }

    @Sendable static func cancel(_ req: Request) async throws -> MeetingDTO {
        let pair = try await Pairs.view(req)
        _ = try await meeting(req, pair: pair)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["reason"], what: "cancellation")
        let input = try req.content.decode(CancelInputDTO.self)
        return try await act(req, .cancel(reason: input.reason ?? ""))
    }

    @Sendable static func addAgenda(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let meeting = try await meeting(req, pair: pair)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["kind", "text"], what: "agenda item")
        let input = try req.content.decode(AgendaInputDTO.self)
        guard let kind = AgendaKind(rawValue: input.kind ?? AgendaKind.topic.rawValue) else {
            throw InvalidInput(message: "Nothing was saved.", errors: ValidationErrors(field: "kind", "kind must be one of \(AgendaKind.allCases.map(\.rawValue).joined(separator: ", ")) (got “\((input.kind ?? "").quoted(40))”)."))
        }
        let id = try meeting.requireID()
        try await run { try await Meetings.addAgendaItem(input.text ?? "", kind: kind, to: id, pair: pair, on: req.db) }
        let snapshot = try await Meetings.snapshot(meeting, pair: pair, sealing: req.noteSealing, on: req.db)
        guard let made = snapshot.agenda.last(where: { $0.authorID == pair.me }) else { throw Abort(.internalServerError) }
        return try await AgendaItemDTO(made, pair: pair).encodeResponse(status: .created, for: req)
    }

    @Sendable static func addNote(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let meeting = try await meeting(req, pair: pair)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["text", "private"], what: "note")
        let input = try req.content.decode(NoteInputDTO.self)
        let id = try meeting.requireID()
        // Who may read a note is never guessed: `private` must be sent, as the form asks.
        guard let isPrivate = input.private else {
            throw InvalidInput(message: "Nothing was saved.", errors: ValidationErrors(field: "private", "private is required: true (only you can read it) or false (shared with \(pair.otherName))."))
        }
        try await run {
            do {
                try await Meetings.addNote(input.text ?? "", isPrivate: isPrivate, to: id, pair: pair, sealing: req.noteSealing, on: req.db)
            } catch let errors as ValidationErrors {
                // The API's field is `text` (the form's is `note`).
                throw ValidationErrors(field: "text", errors["note"] ?? errors.summary)
            } catch let refusal as ProgramStore.Refusal where refusal.field == "note" {
                throw ProgramStore.Refusal("text", refusal.message)
            }
        }
        let snapshot = try await Meetings.snapshot(meeting, pair: pair, sealing: req.noteSealing, on: req.db)
        guard let made = snapshot.notes.last(where: { $0.record.authorID == pair.me && $0.record.isPrivate == isPrivate }) else { throw Abort(.internalServerError) }
        return try await NoteDTO(made.record, text: made.text, pair: pair).encodeResponse(status: .created, for: req)
    }

    @Sendable static func listItems(_ req: Request) async throws -> [ActionItemDTO] {
        let pair = try await Pairs.view(req)
        return try await Meetings.actionItems(of: pair, on: req.db).map { ActionItemDTO($0, pair: pair) }
    }

    @Sendable static func addItem(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["text", "owner_id", "due_on", "meeting_id"], what: "action item")
        let input = try req.content.decode(ActionItemInputDTO.self)
        if let meetingID = input.meeting_id {
            guard (try? await Meetings.find(meetingID, of: pair, on: req.db)) != nil else { throw Abort(.notFound, reason: "There is no such meeting.") }
        }
        let made = try await run { try await Meetings.addActionItem(input.text ?? "", owner: input.owner_id, due: input.due_on ?? "", meeting: input.meeting_id, pair: pair, on: req.db) }
        return try await ActionItemDTO(made, pair: pair).encodeResponse(status: .created, for: req)
    }

    @Sendable static func done(_ req: Request) async throws -> ActionItemDTO {
        let pair = try await Pairs.view(req)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["done"], what: "action item")
        let input = try req.content.decode(DoneInputDTO.self)
        guard let done = input.done else { throw InvalidInput(message: "Nothing was saved.", errors: ValidationErrors(field: "done", "done is required: true or false.")) }
        let id = req.parameters.get("item").flatMap(UUID.parse)
        do {
            try await Meetings.setDone(id, done: done, pair: pair, on: req.db)
        } catch is Meetings.NotFound {
            throw Abort(.notFound, reason: "There is no such action item.")
        } catch let refusal as ProgramStore.Refusal {
            throw Abort(.conflict, reason: refusal.message)
        }
        guard let id, let item = try await ActionItemRecord.find(id, on: req.db) else { throw Abort(.notFound, reason: "There is no such action item.") }
        return ActionItemDTO(item, pair: pair)
    }

    @Sendable static func makeFeed(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let token = try await CalendarFeeds.rotate(for: try user.requireID(), on: req.db)
        let url = req.application.trellisSettings.baseURL.trimmingSuffix("/") + "/calendar/\(token).ics"
        return try await CalendarFeedDTO(url: url).encodeResponse(status: .created, for: req)
    }

    @Sendable static func revokeFeed(_ req: Request) async throws -> CalendarFeedOffDTO {
        let user = try req.requireUser()
        try await CalendarFeeds.revoke(for: try user.requireID(), on: req.db)
        return CalendarFeedOffDTO(active: false)
    }
}

struct MeetingTimeInputDTO: Content { var starts_at: String?; var ends_at: String?; var time_zone: String?; var place: String? }
struct CancelInputDTO: Content { var reason: String? }
struct AgendaInputDTO: Content { var kind: String?; var text: String? }
struct NoteInputDTO: Content { var text: String?; var `private`: Bool? }
struct ActionItemInputDTO: Content { var text: String?; var owner_id: UUID?; var due_on: String?; var meeting_id: UUID? }
struct DoneInputDTO: Content { var done: Bool? }
struct CalendarFeedDTO: Content { var url: String }
struct CalendarFeedOffDTO: Content { var active: Bool }


struct MeetingDTO: Content {
    var id: UUID
    var state: String
    var proposed_by: String
    var starts_at: String
    var ends_at: String
    var time_zone: String
    var place: String
    var sequence: Int
    var held: Bool
    @Null var cancel_reason: String?

    init(_ meeting: MeetingRecord, pair: PairView, now: Date) throws {
        id = try meeting.requireID()
        state = meeting.facts.state.rawValue
        proposed_by = meeting.facts.proposedBy.rawValue
        starts_at = APITime.text(meeting.startsAt) ?? ""
        ends_at = APITime.text(meeting.endsAt) ?? ""
        time_zone = meeting.timeZone
        place = meeting.place
        sequence = meeting.sequence
        held = MeetingRules.isHeld(meeting.facts, now: now)
        cancel_reason = meeting.cancelReason
    }
}

struct AgendaItemDTO: Content {
    var id: UUID
    var author: String
    var kind: String
    var text: String
    var created_at: String

    init(_ record: AgendaItemRecord, pair: PairView) throws {
        id = try record.requireID()
        author = pair.side(of: record.authorID).rawValue
        kind = record.kind
        text = record.text
        created_at = APITime.text(record.createdAt) ?? ""
    }
}

struct NoteDTO: Content {
    var id: UUID
    var author: String
    var `private`: Bool
    var text: String
    var created_at: String

    init(_ record: MeetingNoteRecord, text: String, pair: PairView) throws {
        id = try record.requireID()
        author = pair.side(of: record.authorID).rawValue
        `private` = record.isPrivate
        self.text = text
        created_at = APITime.text(record.createdAt) ?? ""
    }
}

struct ActionItemDTO: Content {
    var id: UUID
    var text: String
    var owner: String
    var owner_id: UUID
    @Null var due_on: String?
    var done: Bool
    @Null var meeting_id: UUID?
    var created_at: String

    init(_ record: ActionItemRecord, pair: PairView) {
        id = record.id ?? UUID()
        text = record.text
        owner = pair.side(of: record.ownerID).rawValue
        owner_id = record.ownerID
        due_on = record.dueOn
        done = record.doneAt != nil
        meeting_id = record.meetingID
        created_at = APITime.text(record.createdAt) ?? ""
    }
}

struct MeetingChangeDTO: Content {
    var kind: String
    @Null var by: String?
    var reason: String
    var starts_at: String
    var ends_at: String
    var at: String
}

struct MeetingDetailDTO: Content {
    var meeting: MeetingDTO
    var agenda: [AgendaItemDTO]
    var notes: [NoteDTO]
    var action_items: [ActionItemDTO]
    var carried_over: [ActionItemDTO]
    var history: [MeetingChangeDTO]

    init(_ snapshot: Meetings.Snapshot, pair: PairView, now: Date) throws {
        meeting = try MeetingDTO(snapshot.meeting, pair: pair, now: now)
        agenda = try snapshot.agenda.map { try AgendaItemDTO($0, pair: pair) }
        notes = try snapshot.notes.map { try NoteDTO($0.record, text: $0.text, pair: pair) }
        action_items = snapshot.items.map { ActionItemDTO($0, pair: pair) }
        carried_over = snapshot.carriedOver.map { ActionItemDTO($0, pair: pair) }
        history = snapshot.history.map { record in
            MeetingChangeDTO(kind: record.kind, by: record.actorID.map { pair.side(of: $0).rawValue }, reason: record.reason,
                             starts_at: APITime.text(record.startsAt) ?? "", ends_at: APITime.text(record.endsAt) ?? "", at: APITime.text(record.occurredAt) ?? "")
        }
    }
}
