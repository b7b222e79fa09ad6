import Fluent
import Foundation
import TrellisCore
import TrellisFixtures

/// The history of the demo's active program, a quarter in: agreements written from the pairs'
/// profiles and signed on the days they would have been, one waiting for a signature (the demo
/// participant's), one past its review date, a few pairs that have not started theirs. Made
/// through the same services as the web app, as of the days it happened.
enum DemoWorkspace {
    static let mentorGoals = [
        "Get better at coaching rather than telling.",
        "Understand what newer engineers find hard today.",
        "Practise giving feedback that is specific and kind.",
        "",
    ]
    static let boundaries = [
        "No calls outside working hours; messages can wait until the next day.",
        "We talk about work and career; personal matters only if the mentee raises them.",
        "",
        "Reschedule with a day's notice when we can.",
    ]

    static let topics: [(AgendaKind, String)] = [
        (.topic, "How to prepare for the promotion conversation"),
        (.question, "How do you decide what not to work on?"),
        (.update, "Shipped the first part of the migration"),
        (.topic, "Giving feedback to a more senior colleague"),
        (.question, "What should a good design document leave out?"),
        (.update, "Presented at the team demo: nervous, but it went fine"),
        (.topic, "Planning the next quarter's learning goals"),
        (.question, "How did you learn to run incident reviews?"),
    ]
    static let sharedNotes = [
        "We walked through the last design review. Next time: bring the document a day early so there is time to read it.",
        "Talked about saying no. Try the 'what would you drop?' question with the team lead this week.",
        "Good progress on the migration. The tricky part is the rollback plan: write it down before Friday.",
        "We agreed to practise the talk once more. Slides: fewer words, one idea per slide.",
    ]
    static let privateNotes = [
        "I did not say it, but I am unsure whether I want the team lead role at all.",
        "Felt much more confident this time. Writing this down so I remember it next time I doubt myself.",
    ]
    static let actions = [
        "Draft the promotion case and share it",
        "Read the incident review template and bring questions",
        "Send the list of conference talks worth watching",
        "Write the rollback plan for the migration",
        "Ask the team lead for feedback on the last release",
        "Book a room for the practice talk",
    ]

    static func load(program: UUID, starts: CalendarDay, participant: UUID?, sealing: NoteSealing, on db: any Database) async throws {
        // One transaction for the whole history: the services' own transactions run inside it.
        try await DatabaseWrites.transaction(on: db) { tx in
            try await history(program: program, starts: starts, participant: participant, sealing: sealing, on: tx)
        }
    }

    static func history(program: UUID, starts: CalendarDay, participant: UUID?, sealing: NoteSealing, on db: any Database) async throws {
        let mentorships = try await Mentorship.query(on: db).filter(\.$programID == program).sort(\.$createdAt).sort(\.$id).all()
        let zone = TimeZone(identifier: "UTC")!
        func moment(_ day: CalendarDay, hour: Int, minute: Int = 15) -> Date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute)) ?? Date()
        }
        // The participant's pair first: theirs is the one waiting for a signature.
        let ordered = mentorships.sorted { a, b in (a.menteeID == participant ? 0 : 1) < (b.menteeID == participant ? 0 : 1) }
        for (index, mentorship) in ordered.enumerated() {
            let id = try mentorship.requireID()
            let mentee = try await Pairs.view(id, for: mentorship.menteeID, on: db)
            let mentor = try await Pairs.view(id, for: mentorship.mentorID, on: db)
            let started = mentee.startedOn
            // One pair in eight has not written its agreement yet (a flag for the program team).
            if index % 8 == 7 { continue }
            let writtenOn = started.adding(days: 2 + index % 5) ?? started
            var terms = try await Agreements.starting(mentee, today: writtenOn, on: db)
            terms.mentorGoals = mentorGoals[index % mentorGoals.count]
            terms.boundaries = boundaries[index % boundaries.count]
            // A review date a month and a half from the start for one pair (it has passed), at
            // four months for the rest.
            terms.reviewOn = (index == 1 ? started.adding(days: 45) : started.adding(days: 120)) ?? terms.reviewOn
            _ = try await Agreements.write(terms, basedOn: nil, pair: mentee, now: moment(writtenOn, hour: 10), today: writtenOn, on: db)
            let mentorSigns = writtenOn.adding(days: 1) ?? writtenOn
            _ = try await Agreements.sign(1, pair: mentor, now: moment(mentorSigns, hour: 16), on: db)
            _ = try await Agreements.sign(1, pair: mentee, now: moment(mentorSigns.adding(days: 1) ?? mentorSigns, hour: 9), on: db)
            try await meetings(index: index, mentee: mentee, mentor: mentor, participantsPair: index == 0, sealing: sealing, on: db)
            try await goals(index: index, mentee: mentee, mentor: mentor, on: db)
            try await reflections(index: index, mentee: mentee, mentor: mentor, sealing: sealing, on: db)
            // The participant's pair: the mentor proposed a change last week, waiting for them.
            if index == 0 {
                let revisedOn = CalendarDay(Date(), in: zone).adding(days: -6) ?? writtenOn
                var revised = terms
                revised.meetingFrequency = .weekly
                revised.boundaries = "No calls outside working hours; messages can wait until the next day.\nWe keep 30 minutes each week for the design review practice."
                _ = try await Agreements.write(revised, basedOn: 1, pair: mentor, now: moment(revisedOn, hour: 11), today: revisedOn, on: db)
                _ = try await Agreements.sign(2, pair: mentor, now: moment(revisedOn, hour: 11, minute: 20), on: db)
            }
        }
    }

    /// Meetings every two weeks from the first week: held ones with agendas, notes and action
    /// items (some done, some open, some overdue), now and then one cancelled with a reason, and
    /// the next one ahead with the mentor's topic on its agenda (so the mentee is nudged).
    static func meetings(index: Int, mentee: PairView, mentor: PairView, participantsPair: Bool, sealing: NoteSealing, on db: any Database) async throws {
        let zone = mentee.timeZone
        let today = CalendarDay(Date(), in: TimeZone(identifier: "UTC")!)
        func instant(_ day: CalendarDay, hour: Int) -> Date {
            MeetingRules.instant(String(format: "%@T%02d:00", day.description, hour), in: zone) ?? Date()
        }
        var offsets = Array(stride(from: 7, through: mentee.startedOn.days(until: today) - 2, by: 14))
        offsets.append(mentee.startedOn.days(until: today) + 3 + index % 4)  // the next one
        // Meetings fall on Tuesdays to Thursdays.
        func workday(_ day: CalendarDay) -> CalendarDay {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let date = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12)) ?? Date()
            let shift = [1: 2, 2: 1, 6: 5, 7: 3][calendar.component(.weekday, from: date)] ?? 0
            return day.adding(days: shift) ?? day
        }
        for (number, offset) in offsets.enumerated() {
            guard let planned = mentee.startedOn.adding(days: offset) else { continue }
            let day = workday(planned)
            let start = instant(day, hour: 15 + index % 3)
            let time = MeetingTime(startsAt: start, endsAt: start.addingTimeInterval(Double(45 + 15 * (index % 2)) * 60), timeZone: zone.identifier,
                                   place: index % 3 == 0 ? "Video call" : "Café on the 2nd floor")
            // Proposed by the mentee (mostly) three days before, accepted the next day.
            let proposer = number % 3 == 2 ? mentor : mentee, answerer = proposer.side == .mentee ? mentor : mentee
            let upcoming = number == offsets.count - 1
            // Nothing in the demo happened later than now: the next meeting was agreed yesterday.
            let proposedAt = upcoming ? Date().addingTimeInterval(-2 * 86_400) : start.addingTimeInterval(-3 * 86_400)
            let meeting = try await Meetings.propose(time, pair: proposer, now: proposedAt, on: db)
            let id = try meeting.requireID()
            _ = try await Meetings.act(.accept, on: id, pair: answerer, now: proposedAt.addingTimeInterval(86_400), on: db)
            if !upcoming, (index + number) % 9 == 4 {
                _ = try await Meetings.act(.cancel(reason: "Conference travel this week, sorry: let's pick up at the next one."), on: id, pair: mentor, now: start.addingTimeInterval(-86_400), on: db)
                continue
            }
            let topic = topics[(index + number) % topics.count]
            let before = upcoming ? Date().addingTimeInterval(-3_600) : start.addingTimeInterval(-86_400)
            try await Meetings.addAgendaItem(topic.1, kind: topic.0, to: id, pair: upcoming ? mentor : mentee, now: before, on: db)
            if upcoming { continue }
            let other = topics[(index + number + 3) % topics.count]
            try await Meetings.addAgendaItem(other.1, kind: other.0, to: id, pair: mentor, now: before.addingTimeInterval(3600), on: db)
            let after = time.endsAt.addingTimeInterval(1800)
            try await Meetings.addNote(sharedNotes[(index + number) % sharedNotes.count], isPrivate: false, to: id, pair: number % 2 == 0 ? mentee : mentor, sealing: sealing, now: after, on: db)
            if number % 3 == 1 {
                try await Meetings.addNote(privateNotes[(index + number) % privateNotes.count], isPrivate: true, to: id, pair: mentee, sealing: sealing, now: after.addingTimeInterval(600), on: db)
            }
            // An action item from the meeting: done for the older meetings, open for the latest
            // (due in the past for some pairs, so they show as overdue).
            let item = ActionItemRecord()
            item.id = OrderedUUID.make(now: after)
            item.mentorshipID = mentee.id
            item.meetingID = id
            let owner = (index + number) % 2 == 0 ? mentee : mentor
            item.ownerID = owner.me
            item.createdBy = mentee.me
            item.text = actions[(index + number) % actions.count]
            let due = CalendarDay(time.endsAt, in: zone).adding(days: 10)
            item.dueOn = due?.description
            item.createdAt = after
            let latestHeld = number == offsets.count - 2
            let overdueOnPurpose = participantsPair || index % 4 == 1
            item.doneAt = latestHeld && (overdueOnPurpose || (due.map { $0 >= today } ?? false)) ? nil : after.addingTimeInterval(5 * 86_400)
            if participantsPair, latestHeld { item.ownerID = mentee.me; item.dueOn = today.adding(days: -2)?.description }
            try await item.create(on: db)
        }
    }

    static let goalPlans: [(title: String, term: GoalTerm, milestones: [String])] = [
        ("Lead a design review on my own", .short, ["Watch two reviews run well", "Co-run one with my mentor", "Run one on my own"]),
        ("Give a talk at the engineering all-hands", .short, ["Pick a topic", "Rehearse with my mentor", "Give the talk"]),
        ("Be ready for the senior engineer promotion", .long, ["Write down the expectations of the level", "Agree a plan with my manager", "Collect evidence for each expectation"]),
        ("Own the on-call rotation for my team", .short, ["Shadow two on-call weeks", "Run the incident review template once"]),
    ]

    /// One or two goals of the mentee's at different progress (one reached and celebrated now and
    /// then), and now and then a goal of the mentor's own (reverse mentoring).
    static func goals(index: Int, mentee: PairView, mentor: PairView, on db: any Database) async throws {
        let start = mentee.startedOn
        let zone = TimeZone(identifier: "UTC")!
        func at(_ days: Int) -> Date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let day = start.adding(days: days) ?? start
            return min(calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 17)) ?? Date(), Date().addingTimeInterval(-3_600))
        }
        let today = CalendarDay(Date(), in: zone)
        for number in 0..<(1 + index % 2) {
            let plan = goalPlans[(index + number) % goalPlans.count]
            let target = today.adding(days: plan.term == .short ? 20 + 7 * (index % 5) : 120)
            let goal = try await Goals.create(title: plan.title, description: "", term: plan.term.rawValue, targetOn: target?.description ?? "", owner: "mentee", pair: mentee, now: at(10 + number * 12), on: db)
            let goalID = try goal.requireID()
            for (step, title) in plan.milestones.enumerated() {
                try await Goals.addMilestone(title, to: goalID, pair: step % 2 == 0 ? mentee : mentor, now: at(11 + number * 12 + step), on: db)
            }
            let milestones = try await MilestoneRecord.query(on: db).filter(\.$goalID == goalID).sort(\.$position).all()
            // How far: every milestone for one pair in three (then the goal), else some.
            let reachedCount = index % 3 == 0 && number == 0 ? milestones.count : (index + number) % milestones.count
            for (step, milestone) in milestones.prefix(reachedCount).enumerated() {
                try await Goals.reachMilestone(milestone.id, of: goalID, pair: mentee, now: at(25 + number * 10 + step * 14), on: db)
                if step == 0 {
                    try await Goals.congratulate("Well done, that is a real step.", goal: goalID, milestone: milestone.id, pair: mentor, now: at(26 + number * 10 + step * 14), on: db)
                }
            }
            if reachedCount == milestones.count {
                try await Goals.reachGoal(goalID, pair: mentee, now: at(80), on: db)
                try await Goals.congratulate("You did it! I remember how unsure you were at the start.", goal: goalID, milestone: nil, pair: mentor, now: at(81), on: db)
            }
        }
        if index % 4 == 2 {
            let goal = try await Goals.create(title: "Learn how newer engineers use AI tools day to day", description: "Reverse mentoring: my mentee shows me.", term: "short",
                                              targetOn: today.adding(days: 45)?.description ?? "", owner: "mentor", pair: mentor, now: at(15), on: db)
            try await Goals.addMilestone("Pair on a task with the tools", to: try goal.requireID(), pair: mentor, now: at(16), on: db)
        }
    }

    /// Feedback both ways, thank-you notes, and a few journal entries of the mentee's.
    static func reflections(index: Int, mentee: PairView, mentor: PairView, sealing: NoteSealing, on db: any Database) async throws {
        func at(_ days: Int) -> Date {
            let day = mentee.startedOn.adding(days: days) ?? mentee.startedOn
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            return min(calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 18)) ?? Date(), Date().addingTimeInterval(-7_200))
        }
        try await Reflections.send(kind: .feedback, worked: "Walking through a real design document together, line by line.",
                                   better: index % 2 == 0 ? "I would like a little more time for my own questions at the end." : "",
                                   message: "", pair: mentee, now: at(30), on: db)
        if index % 2 == 1 {
            try await Reflections.send(kind: .feedback, worked: "You came with a clear question each time; that made our hour count.",
                                       better: "Try writing down one thing you will do differently after each meeting.", message: "", pair: mentor, now: at(45), on: db)
        }
        if index % 3 != 2 {
            try await Reflections.send(kind: .thanks, worked: "", better: "", message: "Thank you for your time and your patience with my questions. The talk went well!",
                                       pair: mentee, now: at(70), on: db)
        }
        let entries = [
            ("progress", "Halfway through my first goal. The milestones made it feel possible."),
            ("interactions", "Our last meeting was the best so far: I came prepared with one question, and we went deep on it."),
            ("growth", "I noticed I now ask for feedback before the review, not after."),
        ]
        for (number, entry) in entries.prefix(1 + index % 3).enumerated() {
            try await Reflections.write(entry.1, prompt: entry.0, pair: mentee, sealing: sealing, now: at(20 + 25 * number), on: db)
        }
    }
}
