import Fluent
import FluentSQL
import Foundation
import TrellisCore
import TrellisMatching

/// Self-select programs: a mentee asks a mentor, the mentor accepts or declines, requests expire,
/// full mentors keep a waitlist. Every change is one transaction that reads the facts it depends
/// on (`RequestRules`) under a lock, so that many accepts arriving at once never fill a mentor
/// beyond capacity or match a mentee twice (the database's unique mentee-per-program rule backs
/// this up).
enum Requests {
    typealias Refusal = ProgramStore.Refusal
    static let expiryJob = "request-expiry"

    /// A mentee's request for this mentor was refused because the mentor is full: they may join
    /// the waitlist instead.
    struct MentorFull: Error {}

    // MARK: Facts

    /// Whether one of the two manages the other, directly or not (walking up at most 200 steps).
    static func inReportingLine(_ a: UUID, _ b: UUID, on db: any Database) async throws -> Bool {
        guard a != b else { return false }
        var managerOf: [UUID: UUID] = [:]
        for row in try await ReportingLines.above("SELECT id, manager_id FROM profiles WHERE id IN (\(bind: a), \(bind: b))", on: db) {
            if let manager = try row.optionalUUID("manager_id") { managerOf[try row.uuid("id")] = manager }
        }
        func manages(_ boss: UUID, _ person: UUID) -> Bool {
            var current = person
            var seen: Set<UUID> = [person]
            while let manager = managerOf[current] {
                if manager == boss { return true }
                guard seen.insert(manager).inserted else { return false }
                current = manager
            }
            return false
        }
        return manages(a, b) || manages(b, a)
    }

    /// Holds a person's enrolment row until the transaction ends (PostgreSQL): accepts for one
    /// mentor, and requests by one mentee, take turns.
    static func lockEnrolment(program: UUID, user: UUID, on tx: any Database) async throws {
        guard let sql = tx as? any SQLDatabase, SearchIndex.isPostgres(sql) else { return }
        try await sql.raw("SELECT id FROM enrolments WHERE program_id = \(bind: program) AND user_id = \(bind: user) FOR UPDATE").run()
    }

    /// The mentor's mentorships in the program that take a place (not concluded).
    static func taken(mentor: UUID, program: UUID, on db: any Database) async throws -> Int {
        try await Mentorship.query(on: db).filter(\.$programID == program).filter(\.$mentorID == mentor)
            .filter(\.$state != MentorshipState.concluded.rawValue).count()
    }

    static func capacity(of enrolment: Enrolment, on db: any Database) async throws -> Int {
        let profile = try await Profile.find(enrolment.userID, on: db)?.capacityMentees
        return EnrolmentRules.effectiveCapacity(role: .mentor, given: enrolment.capacity, profile: profile) ?? 0
    }

    // MARK: Asking

    /// Sends a request. Throws `MentorFull` when the only problem is that the mentor is full.
    static func create(program programID: UUID, mentee: UUID, mentor: UUID, note text: String, now: Date = Date(), on db: any Database) async throws -> MentoringRequest {
        let note = TextInput.paragraphs(text)
        if let problem = RequestRules.note.problem(note) { throw Refusal("note", problem) }
        return try await DatabaseWrites.transaction(on: db) { tx in
            guard let program = try await ProgramStore.find(programID, on: tx) else { throw ProgramStore.NotFound() }
            try await lockEnrolment(program: programID, user: mentee, on: tx)
            let enrolments = try await Enrolment.query(on: tx).filter(\.$programID == programID).filter(\.$userID ~~ [mentee, mentor]).all()
            let menteeEnrolment = enrolments.first { $0.userID == mentee && $0.programRole == .mentee }
            let mentorEnrolment = enrolments.first { $0.userID == mentor && $0.programRole == .mentor }
            let open = try await MentoringRequest.query(on: tx).filter(\.$programID == programID).filter(\.$menteeID == mentee)
                .filter(\.$state == RequestState.pending.rawValue).all()
            let departments = try await Profile.query(on: tx).filter(\.$id ~~ [mentee, mentor]).all()
            let department = { (id: UUID) in departments.first { $0.id == id }?.department ?? "" }
            let pairedBefore = try await Mentorship.query(on: tx).filter(\.$menteeID == mentee).filter(\.$mentorID == mentor)
                .filter(\.$state == MentorshipState.concluded.rawValue).first() != nil
            let reportingLine = mentee != mentor ? try await inReportingLine(mentee, mentor, on: tx) : false
            let matched = try await Mentorship.query(on: tx).filter(\.$programID == programID).filter(\.$menteeID == mentee).first() != nil
            let mentorTaken = try await taken(mentor: mentor, program: programID, on: tx)
            var mentorCapacity = 0
            if let mentorEnrolment { mentorCapacity = try await capacity(of: mentorEnrolment, on: tx) }
            var facts = RequestRules.Creating(
                state: program.programState, mode: program.matchingMode, isSelf: mentee == mentor,
                menteeEnrolled: menteeEnrolment != nil, mentorEnrolled: mentorEnrolment != nil,
                mentorInReportingLine: reportingLine, menteeMatched: matched,
                openRequests: open.count, alreadyAsked: open.contains { $0.mentorID == mentor },
                mentorTaken: mentorTaken, mentorCapacity: mentorCapacity,
                mentorPaused: mentorEnrolment?.paused ?? false, pairedBefore: pairedBefore, allowRepeatPairs: program.allowRepeatPairs,
                maximumOpenRequests: program.maximumOpenRequests
            )
            facts.sameDepartment = !department(mentee).isEmpty && department(mentee) == department(mentor)
            facts.excludeSameDepartment = program.excludeSameDepartment
            switch RequestRules.refusal(creating: facts) {
            case .mentorFull?: throw MentorFull()
            case .other(let message)?: throw Refusal("mentor", message)
            case nil: break
            }
            let request = MentoringRequest(programID: programID, menteeID: mentee, mentorID: mentor, note: note, now: now, expiryDays: program.requestExpiryDays)
            try await request.create(on: tx)
            let job = Job(kind: expiryJob, subjectID: try request.requireID(), now: now)
            job.runAfter = request.expiresAt
            try await job.create(on: tx)
            let menteeName = try await User.find(mentee, on: tx)?.name ?? "A mentee"
            try await Notify.send(
                to: mentor, .requestReceived, title: "\(menteeName) asks you to be their mentor",
                body: "In “\(program.name)”. Answer within \(program.requestExpiryDays) days.", link: "/programs/\(programID.uuidString)/inbox", now: now, on: tx
            )
            return request
        }
    }

    /// Takes back a pending request (the mentee's own).
    static func withdraw(_ requestID: UUID, by mentee: UUID, now: Date = Date(), on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            guard let request = try await MentoringRequest.find(requestID, on: tx), request.menteeID == mentee else { throw ProgramStore.NotFound() }
            guard request.requestState == .pending else { throw Refusal("This request is no longer waiting (it was \(request.state)).") }
            request.state = RequestState.withdrawn.rawValue
            request.answeredAt = now
            try await request.save(on: tx)
        }
    }

    // MARK: Answering

    /// The outcome of an accept, for the page.
    struct Accepted: Sendable {
        var mentorship: UUID
        /// The mentor's other pending requests, declined because they are now full.
        var declinedBecauseFull: Int
    }

    /// Accepts a request: a mentorship in the same transaction; the mentee's other requests are
    /// withdrawn; when the mentor is now full, their other pending requests are declined kindly.
    static func accept(_ requestID: UUID, by mentor: UUID, message text: String, now: Date = Date(), on db: any Database) async throws -> Accepted {
        let message = TextInput.paragraphs(text)
        if let problem = RequestRules.answer.problem(message) { throw Refusal("message", problem) }
        do {
            return try await DatabaseWrites.transaction(on: db) { tx in
                guard let request = try await MentoringRequest.find(requestID, on: tx), request.mentorID == mentor else { throw ProgramStore.NotFound() }
                let programID = request.programID
                // Accepts for this mentor take turns; so do two mentors accepting this mentee.
                try await lockEnrolment(program: programID, user: mentor, on: tx)
                try await lockEnrolment(program: programID, user: request.menteeID, on: tx)
                guard let program = try await ProgramStore.find(programID, on: tx),
                      let enrolment = try await ProgramStore.enrolment(of: mentor, in: programID, on: tx) else { throw ProgramStore.NotFound() }
                guard let fresh = try await MentoringRequest.find(requestID, on: tx) else { throw ProgramStore.NotFound() }
                let capacity = try await capacity(of: enrolment, on: tx)
                let taken = try await taken(mentor: mentor, program: programID, on: tx)
                let facts = RequestRules.Accepting(
                    request: fresh.requestState, expiresAt: fresh.expiresAt, now: now,
                    menteeMatched: try await Mentorship.query(on: tx).filter(\.$programID == programID).filter(\.$menteeID == fresh.menteeID).first() != nil,
                    mentorTaken: taken, mentorCapacity: capacity
                )
                if let problem = RequestRules.refusal(accepting: facts) { throw Refusal(problem) }
                guard program.programState == .matching else {
                    throw Refusal("The program is \(program.programState.label.lowercased()): requests can no longer be accepted.")
                }
                let mentorship = Mentorship()
                mentorship.id = OrderedUUID.make(now: now)
                mentorship.programID = programID
                mentorship.mentorID = mentor
                mentorship.menteeID = fresh.menteeID
                mentorship.state = MentorshipState.active.rawValue
                mentorship.startedOn = CalendarDay(now, in: TimeZone(identifier: "UTC")!).description
                mentorship.createdAt = now
                try await mentorship.create(on: tx)
                fresh.state = RequestState.accepted.rawValue
                fresh.answer = message
                fresh.answeredAt = now
                try await fresh.save(on: tx)
                let mentorName = try await User.find(mentor, on: tx)?.name ?? "Your mentor"
                try await Notify.send(
                    to: fresh.menteeID, .requestAccepted, title: "\(mentorName) accepted your request",
                    body: message.isEmpty ? "You are paired in “\(program.name)”." : "“\(message.excerpt(300))”", link: "/mentoring", now: now, on: tx
                )
                // The mentee's other requests in the program are withdrawn; their mentors are told.
                let others = try await MentoringRequest.query(on: tx).filter(\.$programID == programID).filter(\.$menteeID == fresh.menteeID)
                    .filter(\.$state == RequestState.pending.rawValue).all()
                for other in others {
                    other.state = RequestState.withdrawn.rawValue
                    other.answer = RequestRules.matchedElsewhereMessage
                    other.answeredAt = now
                    try await other.save(on: tx)
                }
                try await WaitlistPlace.query(on: tx).filter(\.$programID == programID).filter(\.$menteeID == fresh.menteeID).delete()
                // Full now: the mentor's other pending requests are declined, kindly.
                var declined = 0
                if taken + 1 >= capacity {
                    let waiting = try await MentoringRequest.query(on: tx).filter(\.$programID == programID).filter(\.$mentorID == mentor)
                        .filter(\.$state == RequestState.pending.rawValue).all()
                    for other in waiting {
                        other.state = RequestState.declined.rawValue
                        other.answer = RequestRules.fullMessage(mentorName: mentorName)
                        other.answeredAt = now
                        try await other.save(on: tx)
                        try await Notify.send(
                            to: other.menteeID, .requestDeclined, title: "\(mentorName) is now full",
                            body: RequestRules.fullMessage(mentorName: mentorName), link: "/programs/\(programID.uuidString)/mentors", now: now, on: tx
                        )
                        declined += 1
                    }
                }
                return Accepted(mentorship: try mentorship.requireID(), declinedBecauseFull: declined)
            }
        } catch let error where DatabaseWrites.isUniqueViolation(error) {
            throw Refusal("This mentee has been matched with another mentor in this program meanwhile.")
        }
    }

    static func decline(_ requestID: UUID, by mentor: UUID, message text: String, now: Date = Date(), on db: any Database) async throws {
        let message = TextInput.paragraphs(text)
        if let problem = RequestRules.answer.problem(message) { throw Refusal("message", problem) }
        try await DatabaseWrites.transaction(on: db) { tx in
            guard let request = try await MentoringRequest.find(requestID, on: tx), request.mentorID == mentor else { throw ProgramStore.NotFound() }
            guard request.requestState == .pending, !RequestRules.isExpired(expiresAt: request.expiresAt, now: now) else {
                throw Refusal("This request is no longer waiting for an answer.")
            }
            request.state = RequestState.declined.rawValue
            request.answer = message
            request.answeredAt = now
            try await request.save(on: tx)
            let program = try await ProgramStore.find(request.programID, on: tx)
            let mentorName = try await User.find(mentor, on: tx)?.name ?? "The mentor"
            try await Notify.send(
                to: request.menteeID, .requestDeclined, title: "\(mentorName) declined your request",
                body: message.isEmpty ? "In “\(program?.name ?? "the program")”. Here are other mentors who suit you." : "“\(message.excerpt(300))”",
                link: "/programs/\(request.programID.uuidString)/mentors", now: now, on: tx
            )
        }
    }

    /// Expires a request that is still waiting past its day (the job queued with it).
    static func expire(_ requestID: UUID, now: Date = Date(), on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            guard let request = try await MentoringRequest.find(requestID, on: tx), request.requestState == .pending,
                  RequestRules.isExpired(expiresAt: request.expiresAt, now: now) else { return }
            request.state = RequestState.expired.rawValue
            request.answeredAt = now
            try await request.save(on: tx)
            let mentorName = try await User.find(request.mentorID, on: tx)?.name ?? "The mentor"
            try await Notify.send(
                to: request.menteeID, .requestExpired, title: "Your request to \(mentorName) expired",
                body: "It was not answered in time. Here are your next choices.", link: "/programs/\(request.programID.uuidString)/mentors", now: now, on: tx
            )
        }
    }

    // MARK: Waitlist and pause

    static func joinWaitlist(program programID: UUID, mentee: UUID, mentor: UUID, now: Date = Date(), on db: any Database) async throws {
        do {
            try await DatabaseWrites.transaction(on: db) { tx in
                guard let program = try await ProgramStore.find(programID, on: tx) else { throw ProgramStore.NotFound() }
                guard program.matchingMode == .selfSelect, program.programState == .matching else {
                    throw Refusal("Waitlists are for programs where mentees choose, while they are matching.")
                }
                let enrolments = try await Enrolment.query(on: tx).filter(\.$programID == programID).filter(\.$userID ~~ [mentee, mentor]).all()
                guard enrolments.contains(where: { $0.userID == mentee && $0.programRole == .mentee }) else { throw Refusal("Only a mentee enrolled in this program can join a waitlist in it.") }
                guard let mentorEnrolment = enrolments.first(where: { $0.userID == mentor && $0.programRole == .mentor }) else { throw Refusal("This person is not a mentor in this program.") }
                if try await Mentorship.query(on: tx).filter(\.$programID == programID).filter(\.$menteeID == mentee).first() != nil {
                    throw Refusal("You already have a mentor in this program.")
                }
                if try await taken(mentor: mentor, program: programID, on: tx) < (try await capacity(of: mentorEnrolment, on: tx)) {
                    throw Refusal("This mentor has a place: send them a request instead.")
                }
                try await WaitlistPlace(programID: programID, menteeID: mentee, mentorID: mentor, now: now).create(on: tx)
            }
        } catch let error where DatabaseWrites.isUniqueViolation(error) {
            throw Refusal("You are already on this mentor's waitlist.")
        }
    }

    static func leaveWaitlist(_ placeID: UUID, by mentee: UUID, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            guard let place = try await WaitlistPlace.find(placeID, on: tx), place.menteeID == mentee else { throw ProgramStore.NotFound() }
            try await place.delete(on: tx)
        }
    }

    /// Tells the first mentee waiting for a mentor that a place opened (called when one does).
    static func placeOpened(program programID: UUID, mentor: UUID, now: Date = Date(), on tx: any Database) async throws {
        guard let first = try await WaitlistPlace.query(on: tx).filter(\.$programID == programID).filter(\.$mentorID == mentor)
            .filter(\.$notifiedAt == nil).sort(\.$createdAt).first() else { return }
        first.notifiedAt = now
        try await first.save(on: tx)
        let mentorName = try await User.find(mentor, on: tx)?.name ?? "A mentor"
        try await Notify.send(
            to: first.menteeID, .waitlistOpened, title: "A place with \(mentorName) opened",
            body: "You were first on the waitlist: send your request now.", link: "/programs/\(programID.uuidString)/mentors/\(mentor.uuidString)", now: now, on: tx
        )
    }

    /// A mentor changes how many mentees they take in the program (not below those they have);
    /// each place that opens goes to the next mentee on their waitlist.
    static func setCapacity(_ capacity: Int, program programID: UUID, mentor: UUID, now: Date = Date(), on db: any Database) async throws {
        if let problem = EnrolmentRules.capacity.problem(capacity) { throw Refusal("capacity", problem) }
        try await DatabaseWrites.transaction(on: db) { tx in
            try await lockEnrolment(program: programID, user: mentor, on: tx)
            guard let enrolment = try await ProgramStore.enrolment(of: mentor, in: programID, on: tx), enrolment.programRole == .mentor else {
                throw Refusal("Only a mentor of this program has a capacity in it.")
            }
            let state = try await ProgramStore.find(programID, on: tx)?.programState
            guard state == .matching else { throw Refusal("capacity", "Places change while mentees are choosing (the program is \(state?.label.lowercased() ?? "gone")).") }
            let taken = try await taken(mentor: mentor, program: programID, on: tx)
            if capacity < taken { throw Refusal("capacity", "You have \(taken) mentees in this program: capacity cannot be lower.") }
            let before = max(0, try await Self.capacity(of: enrolment, on: tx) - taken)
            enrolment.capacity = capacity
            try await enrolment.save(on: tx)
            for _ in 0..<max(0, capacity - taken - before) { try await placeOpened(program: programID, mentor: mentor, now: now, on: tx) }
        }
    }

    /// A mentor pauses new requests, or takes them again.
    static func setPaused(_ paused: Bool, program programID: UUID, mentor: UUID, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            guard let enrolment = try await ProgramStore.enrolment(of: mentor, in: programID, on: tx), enrolment.programRole == .mentor else {
                throw Refusal("Only a mentor of this program can pause requests in it.")
            }
            let state = try await ProgramStore.find(programID, on: tx)?.programState
            guard state == .matching else { throw Refusal("Requests are paused or taken while mentees are choosing (the program is \(state?.label.lowercased() ?? "gone")).") }
            enrolment.paused = paused
            try await enrolment.save(on: tx)
        }
    }
}

/// In-app notifications, written in the transaction of what they tell.
enum Notify {
    static func send(to user: UUID, _ kind: NotificationKind, title: String, body: String, link: String, now: Date = Date(), on tx: any Database) async throws {
        try await InAppNotification(userID: user, kind: kind.rawValue, title: title, body: body, link: link, now: now).create(on: tx)
    }
}
