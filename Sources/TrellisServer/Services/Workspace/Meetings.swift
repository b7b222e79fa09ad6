import Fluent
import Foundation
import TrellisCore

/// A pair's meetings: proposing, answering, moving and cancelling them (with their history), the
/// agenda, notes (shared, or private and sealed), and action items. Every change runs in one
/// transaction that holds the mentorship's row, like the agreement's.
enum Meetings {
    struct NotFound: Error {}

    /// The longest list a page reads (a pair meets a few dozen times a year).
    static let listed = 200

    static func all(of pair: PairView, on db: any Database) async throws -> [MeetingRecord] {
        try await MeetingRecord.query(on: db).filter(\.$mentorshipID == pair.id).sort(\.$startsAt, .descending).limit(listed).all()
    }

    /// One of the pair's meetings; another pair's is `NotFound`, as one that does not exist.
    static func find(_ id: UUID?, of pair: PairView, on db: any Database) async throws -> MeetingRecord {
        guard let id, let meeting = try await MeetingRecord.find(id, on: db), meeting.mentorshipID == pair.id else { throw NotFound() }
        return meeting
    }

    /// The meeting's day in its own time zone (the timeline's words, which both of the pair read),
    /// or in `zone` (a notice to one of them, in theirs).
    static func day(_ time: MeetingTime, in zone: TimeZone? = nil) -> String {
        let zone = zone ?? TimeZone(identifier: time.timeZone) ?? TimeZone(identifier: "UTC")!
        return ProgramBits.day(CalendarDay(time.startsAt, in: zone))
    }

    static let outsideMessage = "In this program, pairs meet outside Trellis: meetings are not proposed or moved here. Your agreement, goals, action items, feedback and journal are still here."

    /// Refuses proposing or moving a meeting in a program whose pairs meet outside Trellis, by
    /// the setting as the pair was read (`program` nil) or as it is now in the change's
    /// transaction (a manager may have just changed it).
    static func requireInTrellis(_ pair: PairView, program tx: (any Database)? = nil) async throws {
        let inTrellis = if let tx { try await Program.find(pair.programID, on: tx)?.meetingsInTrellis ?? true } else { pair.meetingsInTrellis }
        if !inTrellis { throw ProgramStore.Refusal("meeting", outsideMessage) }
    }

    static func propose(_ time: MeetingTime, pair: PairView, now: Date = Date(), on db: any Database) async throws -> MeetingRecord {
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            try await requireInTrellis(pair, program: tx)
            let upcoming = try await MeetingRecord.query(on: tx).filter(\.$mentorshipID == pair.id).filter(\.$endsAt > now)
                .filter(\.$state != MeetingState.cancelled.rawValue).count()
            if upcoming >= 20 { throw ProgramStore.Refusal("meeting", "You have 20 meetings planned already: hold or cancel some before proposing more.") }
            let meeting = MeetingRecord(mentorshipID: pair.id, proposedBy: pair.side, time: time, now: now)
            try await meeting.create(on: tx)
            let id = try meeting.requireID()
            try await MeetingChangeRecord(meetingID: id, kind: .proposed, actorID: pair.me, reason: "", time: time, now: now).create(on: tx)
            let theirs = try await Profile.timeZone(of: pair.otherID, on: tx)
            try await Pairs.notify(pair, title: "\(pair.myName) proposed a meeting", body: "On \(day(time, in: theirs)). Accept it, or propose another time.",
                                   link: "\(pair.path)/meetings/\(id.uuidString)", kind: "meeting-proposed", now: now, on: tx)
            return meeting
        }
    }

    /// Accepts, proposes another time, or cancels. Returns the meeting after the change.
    static func act(_ action: MeetingRules.Action, on meetingID: UUID, pair: PairView, now: Date = Date(), on db: any Database) async throws -> MeetingRecord {
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let meeting = try await find(meetingID, of: pair, on: tx)
            // Outside Trellis, a planned meeting is answered or cancelled here, never given a new time.
            if case .propose = action { try await requireInTrellis(pair, program: tx) }
            let (after, change): (MeetingRules.Facts, MeetingChange)
            switch MeetingRules.apply(action, by: pair.side, to: meeting.facts, now: now) {
            case .success(let result): (after, change) = result
            case .failure(let refusal): throw ProgramStore.Refusal(refusal.field, refusal.message)
            }
            var reason = ""
            if case .cancel(let text) = action { reason = TextInput.paragraphs(text) }
            meeting.state = after.state.rawValue
            meeting.proposedBy = after.proposedBy.rawValue
            meeting.startsAt = after.time.startsAt
            meeting.endsAt = after.time.endsAt
            meeting.timeZone = after.time.timeZone
            meeting.place = after.time.place
            meeting.cancelReason = after.state == .cancelled ? reason : nil
            meeting.sequence += 1
            meeting.updatedAt = now
            try await meeting.update(on: tx)
            try await MeetingChangeRecord(meetingID: meetingID, kind: change, actorID: pair.me, reason: reason, time: after.time, now: now).create(on: tx)
            let link = "\(pair.path)/meetings/\(meetingID.uuidString)"
            // Earlier notices about this meeting ("accept it") are out of date: the newest one tells.
            try await InAppNotification.query(on: tx).filter(\.$userID == pair.otherID).filter(\.$link == link).filter(\.$readAt == nil)
                .set(\.$readAt, to: now).update()
            let theirs = try await Profile.timeZone(of: pair.otherID, on: tx)
            switch change {
            case .accepted:
                try await Pairs.record(.meetingScheduled, in: pair.id, by: pair.me, subject: day(after.time), now: now, on: tx)
                try await Pairs.notify(pair, title: "\(pair.myName) accepted your meeting", body: "On \(day(after.time, in: theirs)). Add what you want to talk about to its agenda.", link: link, kind: "meeting-accepted", now: now, on: tx)
            case .counterProposed, .rescheduled, .proposed:
                try await Pairs.notify(pair, title: "\(pair.myName) proposed another time", body: "Now on \(day(after.time, in: theirs)). Accept it, or propose another time.", link: link, kind: "meeting-moved", now: now, on: tx)
            case .cancelled:
                try await Pairs.record(.meetingCancelled, in: pair.id, by: pair.me, subject: day(after.time), now: now, on: tx)
                try await Pairs.notify(pair, title: "\(pair.myName) cancelled your meeting", body: "The meeting on \(day(after.time, in: theirs)) is cancelled. Their reason is on the meeting's page.", link: link, kind: "meeting-cancelled", now: now, on: tx)
            }
            return meeting
        }
    }

    static func addAgendaItem(_ text: String, kind: AgendaKind, to meetingID: UUID, pair: PairView, now: Date = Date(), on db: any Database) async throws {
        let clean = TextInput.paragraphs(text)
        if let problem = MeetingTexts.agendaItem.problem(clean) { throw ValidationErrors(field: "text", problem) }
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let meeting = try await find(meetingID, of: pair, on: tx)
            if meeting.facts.state == .cancelled { throw ProgramStore.Refusal("meeting", "This meeting was cancelled: its agenda is closed.") }
            if meeting.endsAt <= now { throw ProgramStore.Refusal("meeting", "This meeting is over: add what is left to the next meeting's agenda.") }
            if try await AgendaItemRecord.query(on: tx).filter(\.$meetingID == meetingID).count() >= MeetingTexts.mostAgendaItems {
                throw ProgramStore.Refusal("text", "This agenda has \(MeetingTexts.mostAgendaItems) items, as many as a meeting can hold.")
            }
            try await AgendaItemRecord(meetingID: meetingID, authorID: pair.me, kind: kind, text: clean, now: now).create(on: tx)
        }
    }

    /// Adds a note: shared with the other person, or private (sealed, readable by its author alone).
    static func addNote(_ text: String, isPrivate: Bool, to meetingID: UUID, pair: PairView, sealing: NoteSealing, now: Date = Date(), on db: any Database) async throws {
        let clean = TextInput.paragraphs(text)
        if let problem = MeetingTexts.note.problem(clean) { throw ValidationErrors(field: "note", problem) }
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let meeting = try await find(meetingID, of: pair, on: tx)
            if meeting.facts.state == .cancelled { throw ProgramStore.Refusal("meeting", "This meeting was cancelled: there is nothing to take notes of.") }
            if try await MeetingNoteRecord.query(on: tx).filter(\.$meetingID == meetingID).filter(\.$authorID == pair.me).count() >= MeetingTexts.mostNotes {
                throw ProgramStore.Refusal("note", "You have \(MeetingTexts.mostNotes) notes on this meeting, as many as it keeps.")
            }
            let note = MeetingNoteRecord()
            let id = OrderedUUID.make(now: now)
            note.id = id
            note.meetingID = meetingID
            note.authorID = pair.me
            note.isPrivate = isPrivate
            note.body = isPrivate ? try sealing.seal(clean, row: id, author: pair.me) : clean
            note.createdAt = now
            try await note.create(on: tx)
        }
    }

    /// Adds an action item owned by one of the pair (`owner` must be the mentor or the mentee).
    /// The most action items one mentorship keeps, done or not.
    static let mostActionItems = 500

    @discardableResult
    static func addActionItem(_ text: String, owner: UUID?, due: String, meeting meetingID: UUID?, pair: PairView, now: Date = Date(), on db: any Database) async throws -> ActionItemRecord {
        var errors = ValidationErrors()
        let clean = TextInput.line(text)
        if let problem = MeetingTexts.actionItem.problem(clean) { errors.add("text", problem) }
        if owner == nil { errors.add("owner_id", "Choose who does it: you or \(pair.otherName).") }
        else if let owner, owner != pair.mentorID, owner != pair.menteeID {
            errors.add("owner_id", "An action item belongs to one of the pair: \(pair.mentorName) or \(pair.menteeName).")
        }
        var dueOn: CalendarDay?
        switch ActionItems.dueDay(due, today: pair.today) {
        case .success(let day): dueOn = day
        case .failure(let problems): for field in problems.order { errors.add(field, problems[field] ?? "") }
        }
        try errors.throwIfAny()
        let dueDay = dueOn
        return try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            if let meetingID, try await find(meetingID, of: pair, on: tx).facts.state == .cancelled {
                throw ProgramStore.Refusal("meeting", "This meeting was cancelled: add the action item to another meeting, or without one.")
            }
            let open = try await ActionItemRecord.query(on: tx).filter(\.$mentorshipID == pair.id).filter(\.$doneAt == nil).count()
            if open >= MeetingTexts.mostOpenActionItems { throw ProgramStore.Refusal("text", "You have \(MeetingTexts.mostOpenActionItems) open action items: finish some first.") }
            if try await ActionItemRecord.query(on: tx).filter(\.$mentorshipID == pair.id).count() >= mostActionItems {
                throw ProgramStore.Refusal("text", "This mentorship has \(mostActionItems) action items, as many as it keeps.")
            }
            let item = ActionItemRecord()
            item.id = OrderedUUID.make(now: now)
            item.mentorshipID = pair.id
            item.meetingID = meetingID
            item.ownerID = owner ?? pair.me
            item.createdBy = pair.me
            item.text = clean
            item.dueOn = dueDay?.description
            item.createdAt = now
            try await item.create(on: tx)
            if item.ownerID != pair.me {
                try await Pairs.notify(pair, title: "\(pair.myName) added an action item for you", body: dueDay.map { "Due \(ProgramBits.day($0))." } ?? "No due date.",
                                       link: meetingID.map { "\(pair.path)/meetings/\($0.uuidString)" } ?? pair.path, kind: "action-item", now: now, on: tx)
            }
            return item
        }
    }

    static func setDone(_ itemID: UUID?, done: Bool, pair: PairView, now: Date = Date(), on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            guard let itemID, let item = try await ActionItemRecord.find(itemID, on: tx), item.mentorshipID == pair.id else { throw NotFound() }
            guard (item.doneAt != nil) != done else { return }
            item.doneAt = done ? now : nil
            try await item.update(on: tx)
            if done { try await Pairs.record(.actionItemDone, in: pair.id, by: pair.me, subject: "", now: now, on: tx) }
        }
    }

    static func actionItems(of pair: PairView, on db: any Database) async throws -> [ActionItemRecord] {
        try await ActionItemRecord.query(on: db).filter(\.$mentorshipID == pair.id).sort(\.$createdAt).limit(mostActionItems).all()
    }

    static func item(_ record: ActionItemRecord, pair: PairView) -> ActionItem {
        ActionItem(id: record.id ?? UUID(), text: record.text, owner: pair.side(of: record.ownerID),
                   dueOn: record.dueOn.flatMap(CalendarDay.init), done: record.doneAt != nil, meeting: record.meetingID, createdAt: record.createdAt)
    }

    /// Everything a meeting's page or the API shows one of the pair: the agenda, the notes they
    /// may read (shared ones, and their own private ones, opened), the action items from it, the
    /// open ones it carries over, and its history (newest first).
    struct Snapshot: Sendable {
        var meeting: MeetingRecord
        var agenda: [AgendaItemRecord]
        var notes: [(record: MeetingNoteRecord, text: String)]
        var items: [ActionItemRecord]
        var carriedOver: [ActionItemRecord]
        var history: [MeetingChangeRecord]
    }

    static let unreadableNote = "This private note cannot be read with the server's current notes key."

    static func snapshot(_ meeting: MeetingRecord, pair: PairView, sealing: NoteSealing, on db: any Database) async throws -> Snapshot {
        let id = try meeting.requireID()
        async let agenda = AgendaItemRecord.query(on: db).filter(\.$meetingID == id).sort(\.$createdAt).limit(MeetingTexts.mostAgendaItems).all()
        // Another person's private notes are never read from the database at all.
        async let notes = MeetingNoteRecord.query(on: db).filter(\.$meetingID == id).group(.or) { group in
            group.filter(\.$isPrivate == false).filter(\.$authorID == pair.me)
        }.sort(\.$createdAt).limit(2 * MeetingTexts.mostNotes).all()
        async let history = MeetingChangeRecord.query(on: db).filter(\.$meetingID == id).sort(\.$occurredAt, .descending).limit(200).all()
        let allItems = try await actionItems(of: pair, on: db)
        let slots = try await Meetings.all(of: pair, on: db).compactMap { record in
            record.id.map { ActionItems.Slot(id: $0, startsAt: record.startsAt, endsAt: record.endsAt, cancelled: record.facts.state == .cancelled) }
        }
        let carriedIDs = ActionItems.carriedOver(allItems.map { item($0, pair: pair) }, to: id, among: slots, now: Date()).map(\.id)
        let byID = Dictionary(allItems.compactMap { record in record.id.map { ($0, record) } }, uniquingKeysWith: { a, _ in a })
        let opened = try await notes.map { record -> (record: MeetingNoteRecord, text: String) in
            guard record.isPrivate else { return (record, record.body) }
            guard record.authorID == pair.me, let rowID = record.id else { return (record, unreadableNote) }
            return (record, (try? sealing.open(record.body, row: rowID, author: record.authorID)) ?? unreadableNote)
        }
        return Snapshot(meeting: meeting, agenda: try await agenda, notes: opened, items: allItems.filter { $0.meetingID == id },
                        carriedOver: carriedIDs.compactMap { byID[$0] }, history: try await history)
    }
}
