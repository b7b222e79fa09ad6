import Fluent
import FluentSQL
import Foundation
import TrellisCore
import TrellisFixtures
import TrellisMatching
import Vapor

/// The demo organisation's programs, one for each stage a program manager meets: one active
/// whose pairs were published, one matching with a finished run waiting for review, one open for
/// enrolment, one where mentees choose their mentors (requests waiting, a mentor full, a
/// waitlist place), and one where both sides are ranking each other. Made through the same services as the web app (enrolment rules, the engine,
/// publishing), so the demo shows what Trellis really does.
enum DemoPrograms {
    static let activeName = "Engineering mentoring 2026"
    static let reviewName = "New managers, spring 2027"
    static let enrollingName = "Cross-office mentoring 2027"
    static let selfSelectName = "Find your mentor: data and research"
    static let preferenceName = "Product and design mentoring, rankings open"

    static func load(on app: Application, console: any Console) async throws {
        let db = app.db
        let rows = try await PlainRows.all("""
            SELECT u.id, u.email, u.role, p.mentoring_role, p.capacity_mentees FROM users u JOIN profiles p ON p.id = u.id
            WHERE p.mentoring_role IS NOT NULL ORDER BY u.email
            """, on: db)
        var mentors: [UUID] = [], mentees: [UUID] = []
        var participantID: UUID?
        for row in rows {
            guard try row.string("role") != AccountRole.admin.rawValue else { continue }
            let id = try row.uuid("id")
            if try row.string("email") == DemoOrganisation.participantEmail { participantID = id }
            switch MentoringRole(rawValue: try row.string("mentoring_role")) {
            case .mentor?, .both?: if (try row.optionalInt("capacity_mentees") ?? 0) > 0 { mentors.append(id) }
            case .mentee?: mentees.append(id)
            case nil: break
            }
        }
        // The demo participant is a mentee in the active program, so their "My mentoring" has a
        // mentor to show; everyone else is spread over the programs.
        if let participantID, let at = mentees.firstIndex(of: participantID) { mentees.swapAt(0, at) }
        let mentorHalf = mentors.count / 2, menteeHalf = mentees.count / 2
        let progress = console.progressBar(title: "Programs")
        progress.start()

        // 1. Active: enrolled, matched, published a quarter ago (dates count back from today, so
        //    the demo always shows a program three months in).
        let today = CalendarDay(Date(), in: TimeZone(identifier: "UTC")!)
        let starts = today.adding(days: -91) ?? today
        let active = try await program(
            ProgramDraft(
                name: activeName, description: "Six months of one-to-one mentoring for engineers, meeting every two weeks.\n\nPairs were matched by the program team and published a quarter ago.",
                purpose: "Help engineers grow their craft and their careers with a colleague a few steps ahead.", mode: .bulk,
                enrolmentOpens: starts.adding(days: -27), enrolmentCloses: starts.adding(days: -13), starts: starts, ends: starts.adding(months: 6),
                excludeSameDepartment: true, minimumScore: 0.2
            ),
            mentors: Array(mentors.prefix(mentorHalf)), mentees: Array(mentees.prefix(menteeHalf)), on: db
        )
        let first = try await MatchRuns.start(active, by: nil, on: db)
        try await ProgramMatching.execute(runID: try first.requireID(), on: db)
        try await JobQueue.finishQueued(subject: try first.requireID(), on: db)
        _ = try await MatchRuns.publish(try first.requireID(), program: active, by: nil, today: starts, on: db)
        try await DemoWorkspace.load(program: active, starts: starts, participant: participantID, sealing: app.noteSealing, on: db)
        progress.activity.currentProgress = 0.5

        // 2. Matching, with a finished run waiting for review.
        let review = try await program(
            ProgramDraft(
                name: reviewName, description: "A year of support for people who became managers in the last twelve months.",
                purpose: "Help new managers find their feet with an experienced manager from another team.", mode: .bulk,
                enrolmentOpens: CalendarDay("2027-01-04"), enrolmentCloses: CalendarDay("2027-01-29"), starts: CalendarDay("2027-03-01"), ends: CalendarDay("2028-02-29"),
                excludeSameDepartment: true
            ),
            mentors: Array(mentors.suffix(from: mentorHalf)), mentees: Array(mentees.suffix(from: menteeHalf)), on: db
        )
        let pending = try await MatchRuns.start(review, by: nil, on: db)
        try await ProgramMatching.execute(runID: try pending.requireID(), on: db)
        try await JobQueue.finishQueued(subject: try pending.requireID(), on: db)
        progress.activity.currentProgress = 0.9

        // 3. Open for enrolment: a few have joined; the demo participant can join too.
        let draft = ProgramDraft(
            name: enrollingName, description: "Pairs across offices and time zones, meeting monthly by video.",
            purpose: "Connect people across our five offices.", mode: .bulk,
            enrolmentOpens: CalendarDay("2026-11-01"), enrolmentCloses: CalendarDay("2099-12-31")
        )
        let enrolling = try await ProgramStore.create(draft, weights: MatchWeights(), by: nil, on: db)
        let enrollingID = try enrolling.requireID()
        _ = try await ProgramStore.move(enrollingID, to: .enrolling, by: nil, on: db)
        let joiners = mentors.prefix(3).map { ProgramStore.Joiner(userID: $0, role: .mentor, capacity: 2, statement: "Happy to help someone in another office.") }
            + mentees.suffix(4).map { ProgramStore.Joiner(userID: $0, role: .mentee, capacity: nil, statement: "I would like a view from another office.") }
        try await ProgramStore.enrol(joiners, in: enrollingID, selfJoined: false, by: nil, on: db)

        // 4. Self-select, open for requests: some requests waiting, one mentor full (their other
        //    request declined kindly), one mentee on that mentor's waitlist.
        let selfSelect = try await ProgramStore.create(ProgramDraft(
            name: selfSelectName, description: "Choose a mentor from the data and research community and ask them directly.",
            purpose: "Let people find the mentor who suits them.", mode: .selfSelect,
            enrolmentOpens: CalendarDay("2026-10-01"), enrolmentCloses: CalendarDay("2026-11-15"), maximumOpenRequests: 3, requestExpiryDays: 14
        ), weights: MatchWeights(), by: nil, on: db)
        let selfSelectID = try selfSelect.requireID()
        _ = try await ProgramStore.move(selfSelectID, to: .enrolling, by: nil, on: db)
        let chosenMentors = Array(mentors.dropFirst(3).prefix(4))
        let chosenMentees = Array(mentees.dropFirst(1).prefix(8))
        try await ProgramStore.enrol(
            chosenMentors.enumerated().map { .init(userID: $1, role: .mentor, capacity: $0 == 0 ? 1 : 2, statement: "Glad to share what I know.") }
                + chosenMentees.map { .init(userID: $0, role: .mentee, capacity: nil, statement: "I want to grow in my role.") },
            in: selfSelectID, selfJoined: false, by: nil, on: db
        )
        _ = try await ProgramStore.move(selfSelectID, to: .matching, by: nil, on: db)
        // Requests as people would send them; one that the rules refuse (a reporting line, a
        // department) is simply not made.
        func ask(_ mentee: UUID, _ mentor: UUID, _ note: String) async -> MentoringRequest? {
            try? await Requests.create(program: selfSelectID, mentee: mentee, mentor: mentor, note: note, on: db)
        }
        if chosenMentors.count == 4, chosenMentees.count == 8 {
            let full = chosenMentors[0]
            let first = await ask(chosenMentees[0], full, "Your work on forecasting is what I want to learn.")
            _ = await ask(chosenMentees[1], full, "I would love your advice on moving into research.")
            if let first, let id = first.id { _ = try? await Requests.accept(id, by: full, message: "Happy to — let's start next week.", on: db) }
            try? await Requests.joinWaitlist(program: selfSelectID, mentee: chosenMentees[1], mentor: full, on: db)
            for (index, mentee) in chosenMentees.dropFirst(2).prefix(4).enumerated() {
                _ = await ask(mentee, chosenMentors[1 + index % 3], "I read your profile and think we would work well together.")
            }
        }

        // 5. Preference, collecting rankings: mentees have shortlists, one mentor has ranked the
        //    mentees who chose them, another has not started.
        let preference = try await ProgramStore.create(ProgramDraft(
            name: preferenceName, description: "Mentees shortlist the mentors they would like; mentors rank the mentees who chose them. A stable match follows when the window closes.",
            purpose: "Pairs both sides chose.", mode: .preference,
            enrolmentOpens: CalendarDay("2026-11-15"), enrolmentCloses: CalendarDay("2099-12-31")
        ), weights: MatchWeights(), by: nil, on: db)
        let preferenceID = try preference.requireID()
        _ = try await ProgramStore.move(preferenceID, to: .enrolling, by: nil, on: db)
        let rankedMentors = Array(mentors.dropFirst(7).prefix(4))
        let rankingMentees = Array(mentees.dropFirst(9).prefix(8))
        try await ProgramStore.enrol(
            rankedMentors.map { .init(userID: $0, role: .mentor, capacity: 2, statement: "Keen to mentor someone in product or design.") }
                + rankingMentees.map { .init(userID: $0, role: .mentee, capacity: nil, statement: "I want to get better at product thinking.") },
            in: preferenceID, selfJoined: false, by: nil, on: db
        )
        // Each of the first six mentees shortlists three mentors, in a different order (a pair the
        // rules refuse is simply not added); the first mentor ranks everyone who chose them.
        for (index, mentee) in rankingMentees.prefix(6).enumerated() {
            for step in 0..<3 where !rankedMentors.isEmpty {
                try? await Rankings.change(.add(rankedMentors[(index + step) % rankedMentors.count]), ranker: mentee, program: preferenceID, on: db)
            }
        }
        if let first = rankedMentors.first {
            for chooser in try await Rankings.chosenBy(mentor: first, in: preferenceID, on: db).reversed() {
                try? await Rankings.change(.add(chooser.id), ranker: first, program: preferenceID, on: db)
            }
        }
        progress.succeed()
    }

    /// A program enrolled with these people and moved to matching.
    static func program(_ draft: ProgramDraft, mentors: [UUID], mentees: [UUID], on db: any Database) async throws -> UUID {
        let program = try await ProgramStore.create(draft, weights: MatchWeights(), by: nil, on: db)
        let id = try program.requireID()
        _ = try await ProgramStore.move(id, to: .enrolling, by: nil, on: db)
        let joiners = mentors.map { ProgramStore.Joiner(userID: $0, role: .mentor, capacity: nil, statement: "") }
            + mentees.map { ProgramStore.Joiner(userID: $0, role: .mentee, capacity: nil, statement: "") }
        try await ProgramStore.enrol(joiners, in: id, selfJoined: false, by: nil, on: db)
        _ = try await ProgramStore.move(id, to: .matching, by: nil, on: db)
        return id
    }
}

extension JobQueue {
    /// Marks a subject's queued jobs done: the demo runs its matching in place rather than
    /// through a worker.
    static func finishQueued(subject: UUID, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try await Job.query(on: tx).filter(\.$subjectID == subject).filter(\.$state == Job.State.queued.rawValue)
                .set(\.$state, to: Job.State.done.rawValue).set(\.$finishedAt, to: Date()).update()
        }
    }
}
