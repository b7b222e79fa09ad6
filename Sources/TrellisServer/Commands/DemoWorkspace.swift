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

    static func load(program: UUID, starts: CalendarDay, participant: UUID?, on db: any Database) async throws {
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
}
