import Fluent
import Foundation
import TrellisCore
import Vapor

/// A pair's meetings in the browser. The pair only: anyone else gets "There is no such
/// mentorship." (404); a meeting of another pair, "There is no such meeting." (404).
enum MeetingController {
    static func register(_ routes: any RoutesBuilder) {
        let meetings = routes.grouped("mentorships", ":id", "meetings")
        meetings.get(use: list)
        meetings.get("new", use: new)
        meetings.post(use: create)
        meetings.get(":meeting", use: show)
        meetings.post(":meeting", "accept", use: accept)
        meetings.post(":meeting", "time", use: move)
        meetings.post(":meeting", "cancel", use: cancel)
        meetings.post(":meeting", "agenda", use: addAgenda)
        meetings.post(":meeting", "notes", use: addNote)
        meetings.get(":meeting", "calendar.ics", use: calendar)
        let items = routes.grouped("mentorships", ":id", "action-items")
        items.post(use: addItem)
        items.post(":item", "done", use: done)
    }

    struct TimeInput: Content {
        var starts_at: String?
        var ends_at: String?
        var time_zone: String?
        var place: String?
    }

    static func meetingID(_ req: Request) -> UUID? { req.parameters.get("meeting").flatMap(UUID.parse) }

    static func meeting(_ req: Request, pair: PairView) async throws -> MeetingRecord {
        do {
            return try await Meetings.find(meetingID(req), of: pair, on: req.db)
        } catch is Meetings.NotFound {
            throw Abort(.notFound, reason: "There is no such meeting.")
        }
    }

    static func lines(of pair: PairView, on db: any Database) async throws -> [MeetingPages.Line] {
        let meetings = try await Meetings.all(of: pair, on: db)
        let ids = meetings.compactMap(\.id)
        let counts = ids.isEmpty ? [:] : Dictionary(grouping: try await AgendaItemRecord.query(on: db).filter(\.$meetingID ~~ ids).field(\.$meetingID).limit(10_000).all(), by: \.meetingID).mapValues(\.count)
        let now = Date()
        return meetings.compactMap { meeting in
            meeting.id.map { MeetingPages.Line(id: $0, time: meeting.time, state: meeting.facts.state, held: MeetingRules.isHeld(meeting.facts, now: now), proposedBy: meeting.facts.proposedBy, agendaItems: counts[$0] ?? 0) }
        }
    }

    @Sendable static func list(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        return MeetingPages.list(req.page, pair: pair, meetings: try await lines(of: pair, on: req.db))
    }

    /// A form's first time: tomorrow at 10:00 in the viewer's own zone, for an hour.
    static func suggestedTime(_ pair: PairView) -> MeetingPages.TimeForm {
        let tomorrow = pair.today.adding(days: 1) ?? pair.today
        let start = MeetingRules.instant("\(tomorrow)T10:00", in: pair.timeZone) ?? Date().addingTimeInterval(86_400)
        return .init(startsAt: MeetingRules.local(start, in: pair.timeZone), endsAt: MeetingRules.local(start.addingTimeInterval(3600), in: pair.timeZone),
                     timeZone: pair.timeZone.identifier, place: "")
    }

    @Sendable static func new(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        return MeetingPages.propose(req.page, pair: pair, form: suggestedTime(pair))
    }

    static func readTime(_ req: Request) throws -> (MeetingPages.TimeForm, Result<MeetingTime, ValidationErrors>) {
        let input = try req.content.decode(TimeInput.self)
        var form = MeetingPages.TimeForm(startsAt: input.starts_at ?? "", endsAt: input.ends_at ?? "", timeZone: input.time_zone ?? "", place: input.place ?? "")
        let result = MeetingRules.time(startsAt: form.startsAt, endsAt: form.endsAt, timeZone: form.timeZone, place: form.place, now: Date())
        if case .failure(let errors) = result { form.errors = errors }
        return (form, result)
    }

    @Sendable static func create(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let (form, result) = try readTime(req)
        if !pair.meetingsInTrellis {
            return try await HTMLPage(status: .conflict, html: MeetingPages.propose(req.page, pair: pair, form: form)).encodeResponse(for: req)
        }
        switch result {
        case .failure: return try await req.invalidForm(MeetingPages.propose(req.page, pair: pair, form: form))
        case .success(let time):
            do {
                let meeting = try await Meetings.propose(time, pair: pair, on: req.db)
                return req.redirect(to: "\(pair.path)/meetings/\(try meeting.requireID().uuidString)?done=proposed", redirectType: .normal)
            } catch let refusal as ProgramStore.Refusal {
                var shown = form, seen = pair
                // The program's pairs were just set to meet outside Trellis: the page says so in place of the form.
                if refusal.message == Meetings.outsideMessage { seen.meetingsInTrellis = false }
                shown.errors = ValidationErrors(field: "starts_at", refusal.message)
                return try await HTMLPage(status: .conflict, html: MeetingPages.propose(req.page, pair: seen, form: shown)).encodeResponse(for: req)
            }
        }
    }

    static func detail(_ req: Request, pair: PairView, meeting: MeetingRecord, notice: String? = nil, errors: ValidationErrors = .init(), error: String? = nil,
                       timeForm: MeetingPages.TimeForm? = nil, sent: [String: String] = [:]) async throws -> HTML {
        let id = try meeting.requireID()
        let now = Date()
        let snapshot = try await Meetings.snapshot(meeting, pair: pair, sealing: req.noteSealing, on: req.db)
        let today = pair.today
        func line(_ record: ActionItemRecord) -> MeetingPages.ItemLine {
            let item = Meetings.item(record, pair: pair)
            return .init(item: item, ownerName: record.ownerID == pair.me ? "you" : pair.name(of: record.ownerID), overdue: !item.done && (item.dueOn.map { $0 < today } ?? false))
        }
        let facts = meeting.facts
        let items = snapshot.items.map(line)
        let carried = snapshot.carriedOver.map(line)
        let agenda = snapshot.agenda.map { record in
            MeetingPages.AgendaLine(author: pair.name(of: record.authorID), mine: record.authorID == pair.me, kind: AgendaKind(rawValue: record.kind) ?? .topic, text: record.text, at: record.createdAt)
        }
        let notes = snapshot.notes.map { note in
            MeetingPages.NoteLine(author: pair.name(of: note.record.authorID), mine: note.record.authorID == pair.me, isPrivate: note.record.isPrivate, text: note.text, at: note.record.createdAt)
        }
        let history = snapshot.history.map { record in
            let sentence = (MeetingChange(rawValue: record.kind) ?? .proposed).sentence(record.actorID == pair.me ? "You" : pair.name(of: record.actorID))
            let withTime = record.kind == MeetingChange.cancelled.rawValue ? sentence
                : String(sentence.dropLast()) + " (\(MeetingPages.when(record.startsAt, in: pair.timeZone)))."
            return MeetingPages.ChangeLine(sentence: withTime, reason: record.reason, at: record.occurredAt)
        }
        let over = meeting.endsAt <= now
        var nudge: String?
        if facts.state != .cancelled, !over {
            let mine = agenda.filter(\.mine).count, theirs = agenda.count - mine
            let day = MeetingPages.weekday(meeting.startsAt, in: pair.timeZone)
            if mine == 0 { nudge = "You have not added anything yet: add a topic to \(day)'s agenda." }
            else if theirs == 0 { nudge = "\(pair.otherName) has not added anything yet." }
        }
        return MeetingPages.detail(req.page, .init(
            pair: pair, id: id, facts: facts, held: MeetingRules.isHeld(facts, now: now), over: over, agenda: agenda, carriedOver: carried, notes: notes, items: items,
            history: history, nudge: nudge, notice: notice, errors: errors, error: error,
            timeForm: timeForm ?? .init(startsAt: MeetingRules.local(meeting.startsAt, in: pair.timeZone), endsAt: MeetingRules.local(meeting.endsAt, in: pair.timeZone),
                                        timeZone: pair.timeZone.identifier, place: meeting.place),
            sent: sent
        ))
    }

    @Sendable static func show(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        let meeting = try await meeting(req, pair: pair)
        let notice: String? = switch req.query[String.self, at: "done"] {
        case "proposed": "Proposed. \(pair.otherName) is asked to accept it or propose another time."
        case "accepted": "Accepted: the meeting is scheduled. Add it to your calendar below."
        case "moved": "Another time proposed. \(pair.otherName) is told."
        case "cancelled": "Cancelled. \(pair.otherName) is told, with your reason."
        case "agenda": "Added to the agenda."
        case "note": "Note saved."
        case "private-note": "Private note saved: only you can read it."
        case "item": "Action item added."
        case "item-done": "Marked as done."
        case "item-open": "Marked as not done."
        default: nil
        }
        return try await detail(req, pair: pair, meeting: meeting, notice: notice)
    }

    /// Runs a change and goes back to the meeting, or shows it again with the refusal.
    static func change(_ req: Request, done: String, errors field: String? = nil, sent: [String: String] = [:], timeForm: MeetingPages.TimeForm? = nil,
                       _ body: @Sendable (PairView, MeetingRecord) async throws -> Void) async throws -> Response {
        let pair = try await Pairs.view(req)
        let meeting = try await meeting(req, pair: pair)
        do {
            try await body(pair, meeting)
            return req.redirect(to: "\(pair.path)/meetings/\(try meeting.requireID().uuidString)?done=\(done)", redirectType: .normal)
        } catch let errors as ValidationErrors {
            let page = try await detail(req, pair: pair, meeting: meeting, errors: errors, timeForm: timeForm, sent: sent)
            return try await req.invalidForm(page)
        } catch let refusal as ProgramStore.Refusal {
            let fresh = try await Meetings.find(meeting.id, of: pair, on: req.db)
            let fieldErrors = refusal.field == "meeting" || refusal.field == "mentorship" ? ValidationErrors() : ValidationErrors(field: field ?? refusal.field, refusal.message)
            let page = try await detail(req, pair: pair, meeting: fresh, errors: fieldErrors, error: fieldErrors.isEmpty ? refusal.message : nil, timeForm: timeForm, sent: sent)
            return try await HTMLPage(status: fieldErrors.isEmpty ? .conflict : .unprocessableEntity, html: page).encodeResponse(for: req)
        }
    }

    @Sendable static func accept(_ req: Request) async throws -> Response {
        try await change(req, done: "accepted") { pair, meeting in
            _ = try await Meetings.act(.accept, on: try meeting.requireID(), pair: pair, on: req.db)
        }
    }

    @Sendable static func move(_ req: Request) async throws -> Response {
        let (form, result) = try readTime(req)
        return try await change(req, done: "moved", timeForm: form) { pair, meeting in
            try await Meetings.requireInTrellis(pair)
            switch result {
            case .failure(let errors): throw errors
            case .success(let time): _ = try await Meetings.act(.propose(time), on: try meeting.requireID(), pair: pair, on: req.db)
            }
        }
    }

    struct ReasonInput: Content { var reason: String? }

    @Sendable static func cancel(_ req: Request) async throws -> Response {
        let reason = try req.content.decode(ReasonInput.self).reason ?? ""
        return try await change(req, done: "cancelled", sent: ["reason": reason]) { pair, meeting in
            _ = try await Meetings.act(.cancel(reason: reason), on: try meeting.requireID(), pair: pair, on: req.db)
        }
    }

    struct AgendaInput: Content { var kind: String?; var text: String? }

    @Sendable static func addAgenda(_ req: Request) async throws -> Response {
        let input = try req.content.decode(AgendaInput.self)
        let sent = ["kind": input.kind ?? "", "text": input.text ?? ""]
        return try await change(req, done: "agenda", errors: "text", sent: sent) { pair, meeting in
            guard let kind = AgendaKind(rawValue: input.kind ?? "") else {
                throw ValidationErrors(field: "kind", "Kind: choose topic, question or update (got “\((input.kind ?? "").quoted(40))”).")
            }
            try await Meetings.addAgendaItem(input.text ?? "", kind: kind, to: try meeting.requireID(), pair: pair, on: req.db)
        }
    }

    struct NoteInput: Content { var note: String?; var visibility: String? }

    @Sendable static func addNote(_ req: Request) async throws -> Response {
        let input = try req.content.decode(NoteInput.self)
        let isPrivate = input.visibility == "private"
        return try await change(req, done: isPrivate ? "private-note" : "note", errors: "note", sent: ["note": input.note ?? "", "visibility": input.visibility ?? ""]) { pair, meeting in
            guard ["private", "shared"].contains(input.visibility ?? "") else {
                throw ValidationErrors(field: "note", "Say who can read the note: both of you (shared) or only you (private).")
            }
            try await Meetings.addNote(input.note ?? "", isPrivate: isPrivate, to: try meeting.requireID(), pair: pair, sealing: req.noteSealing, on: req.db)
        }
    }

    struct ItemInput: Content { var item_text: String?; var owner_id: String?; var due_on: String?; var meeting_id: String? }

    @Sendable static func addItem(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let input = try req.content.decode(ItemInput.self)
        let meetingRecord: MeetingRecord?
        do {
            meetingRecord = try await (input.meeting_id?.isEmpty == false ? Meetings.find(UUID.parse(input.meeting_id ?? ""), of: pair, on: req.db) : nil)
        } catch is Meetings.NotFound {
            throw Abort(.notFound, reason: "There is no such meeting.")
        }
        let sent = ["item_text": input.item_text ?? "", "owner_id": input.owner_id ?? "", "due_on": input.due_on ?? ""]
        let back = meetingRecord.flatMap { $0.id.map { "\(pair.path)/meetings/\($0.uuidString)" } } ?? pair.path
        do {
            try await Meetings.addActionItem(input.item_text ?? "", owner: input.owner_id.flatMap(UUID.parse), due: input.due_on ?? "", meeting: meetingRecord?.id, pair: pair, on: req.db)
            return req.redirect(to: "\(back)?done=item", redirectType: .normal)
        } catch let errors as ValidationErrors {
            var renamed = ValidationErrors()
            for field in errors.order { renamed.add(field == "text" ? "item_text" : field, errors[field] ?? "") }
            guard let meetingRecord else {
                return try await req.invalidForm(WorkspacePage.render(req.page, try await Workspace.load(pair, on: req.db), itemErrors: renamed, itemSent: sent))
            }
            return try await req.invalidForm(try await detail(req, pair: pair, meeting: meetingRecord, errors: renamed, sent: sent))
        } catch let refusal as ProgramStore.Refusal {
            guard let meetingRecord else {
                let page = WorkspacePage.render(req.page, try await Workspace.load(pair, on: req.db), itemSent: sent, error: refusal.message)
                return try await HTMLPage(status: .conflict, html: page).encodeResponse(for: req)
            }
            return try await HTMLPage(status: .conflict, html: try await detail(req, pair: pair, meeting: meetingRecord, error: refusal.message, sent: sent)).encodeResponse(for: req)
        }
    }

    struct DoneInput: Content { var done: String?; var back: String? }

    @Sendable static func done(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let input = try req.content.decode(DoneInput.self)
        guard let done = ["1": true, "0": false][input.done ?? ""] else { throw Abort(.unprocessableEntity, reason: "Done: send 1 (done) or 0 (not done).") }
        do {
            try await Meetings.setDone(req.parameters.get("item").flatMap(UUID.parse), done: done, pair: pair, on: req.db)
        } catch is Meetings.NotFound {
            throw Abort(.notFound, reason: "There is no such action item.")
        } catch let refusal as ProgramStore.Refusal {
            throw Abort(.conflict, reason: refusal.message)
        }
        // Back to the page it was marked on: the workspace or one of its meetings, nothing else.
        let back = input.back ?? ""
        let meetingPrefix = "\(pair.path)/meetings/"
        let isMeeting = back.hasPrefix(meetingPrefix) && UUID.parse(String(back.dropFirst(meetingPrefix.count))) != nil
        let target = back == pair.path || isMeeting ? back : pair.path
        return req.redirect(to: target + "?done=\(done ? "item-done" : "item-open")", redirectType: .normal)
    }

    @Sendable static func calendar(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let meeting = try await meeting(req, pair: pair)
        let event = CalendarFeeds.event(meeting, pair: pair, baseURL: req.application.trellisSettings.baseURL)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/calendar; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"trellis-meeting.ics\"")
        return Response(status: .ok, headers: headers, body: .init(string: ICalendar.document([event], now: Date())))
    }
}

/// A person's calendar feed, reached by the secret token in its address (no session: calendar
/// applications cannot sign in). An unknown, replaced or revoked token is a plain 404.
enum CalendarFeedController {
    static func register(_ app: any RoutesBuilder) {
        app.get("calendar", ":token", use: feed)
    }

    @Sendable static func feed(_ req: Request) async throws -> Response {
        var token = req.parameters.get("token") ?? ""
        if token.hasSuffix(".ics") { token.removeLast(4) }
        guard let text = try await CalendarFeeds.calendar(token: token, baseURL: req.application.trellisSettings.baseURL, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such calendar feed.")
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/calendar; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}
