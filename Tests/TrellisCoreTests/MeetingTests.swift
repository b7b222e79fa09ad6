import Foundation
import Testing
@testable import TrellisCore

/// Meetings as plain rules (PRODUCT.md §3): reading a proposed time, what each of the pair may do
/// to a meeting, the carry-over of action items, what to do next, and the iCalendar writer.
struct MeetingTests {
    static let now = ISO8601DateFormatter().date(from: "2027-03-10T12:00:00Z")!
    static let paris = TimeZone(identifier: "Europe/Paris")!

    static func time(_ start: String, _ end: String, zone: String = "Europe/Paris", place: String = "Room 4") -> Result<MeetingTime, ValidationErrors> {
        MeetingRules.time(startsAt: start, endsAt: end, timeZone: zone, place: place, now: now)
    }

    @Test func `a proposed time is read in its zone, and every bad one is named under its field`() throws {
        let good = try Self.time("2027-03-12T14:00", "2027-03-12T15:00").get()
        #expect(good.startsAt == ISO8601DateFormatter().date(from: "2027-03-12T13:00:00Z")!, "14:00 in Paris in March is 13:00 UTC")
        #expect(good.minutes == 60)
        #expect(good.length == "1 hour")
        #expect(MeetingTime(startsAt: good.startsAt, endsAt: good.startsAt.addingTimeInterval(5_400), timeZone: "UTC", place: "").length == "1 hour 30 minutes")
        #expect(MeetingTime(startsAt: good.startsAt, endsAt: good.startsAt.addingTimeInterval(86_400), timeZone: "UTC", place: "").length == "24 hours")
        #expect(good.place == "Room 4")
        // After the clocks change, the same local time is an hour earlier in UTC.
        #expect(try Self.time("2027-04-12T14:00", "2027-04-12T15:00").get().startsAt == ISO8601DateFormatter().date(from: "2027-04-12T12:00:00Z")!)

        func errors(_ result: Result<MeetingTime, ValidationErrors>) -> ValidationErrors {
            if case .failure(let errors) = result { return errors }
            Issue.record("accepted"); return ValidationErrors()
        }
        #expect(errors(Self.time("2027-03-12T15:00", "2027-03-12T14:00"))["ends_at"] == "The meeting ends before it starts: the end must be after the start.")
        #expect(errors(Self.time("2027-03-12T15:00", "2027-03-12T15:00"))["ends_at"]?.hasPrefix("The meeting ends before it starts") == true)
        #expect(errors(Self.time("2027-03-09T15:00", "2027-03-09T16:00"))["starts_at"] == "The start is in the past: propose a time that is still ahead.")
        #expect(errors(Self.time("2027-03-12T15:00", "2027-03-13T15:01"))["ends_at"] == "The meeting is longer than a day: it may last at most 24 hours.")
        #expect((try? Self.time("2027-03-12T15:00", "2027-03-13T15:00").get()) != nil, "exactly a day is allowed")
        #expect(errors(Self.time("2027-03-12T15:00", "2027-03-12T15:03"))["ends_at"]?.contains("at least 5 minutes") == true)
        #expect(errors(Self.time("2027-03-12T15:00", "2027-03-12T16:00", zone: "Mars/Olympus"))["time_zone"]?.contains("“Mars/Olympus” is not a time zone Trellis knows") == true)
        #expect(errors(Self.time("2027-03-12T15:00", "2027-03-12T16:00", zone: ""))["time_zone"] == "Time zone is required: the zone the times are written in.")
        #expect(errors(Self.time("2027-03-12 15:00", "2027-03-12T16:00"))["starts_at"]?.contains("got “2027-03-12 15:00”") == true)
        #expect(errors(Self.time("2027-02-30T15:00", "2027-03-12T16:00"))["starts_at"] != nil)
        #expect(errors(Self.time("2027-03-12T24:00", "2027-03-12T16:00"))["starts_at"] != nil)
        #expect(errors(Self.time("", "2027-03-12T16:00"))["starts_at"] == "Start is required.")
        #expect(errors(Self.time("2030-03-12T15:00", "2030-03-12T16:00"))["starts_at"] == "The start is more than two years ahead.")
        #expect(errors(Self.time("2027-03-12T15:00", "2027-03-12T16:00", place: String(repeating: "p", count: 501)))["place"] != nil)
        // 02:30 on the night clocks go forward does not exist in Paris.
        #expect(errors(Self.time("2027-03-28T02:30", "2027-03-28T04:00"))["starts_at"] == "Start: 2027-03-28T02:30 does not exist in Europe/Paris: the clocks go forward then. Choose a time an hour later.")
        #expect(MeetingRules.local(good.startsAt, in: Self.paris) == "2027-03-12T14:00")
    }

    static func facts(_ state: MeetingState = .proposed, by side: PairSide = .mentee) -> MeetingRules.Facts {
        MeetingRules.Facts(state: state, proposedBy: side, time: try! time("2027-03-12T14:00", "2027-03-12T15:00").get())
    }

    @Test func `the other person accepts or proposes another time; either moves or cancels with a reason; a cancelled or past meeting stays as it is`() throws {
        let later = try Self.time("2027-03-13T09:00", "2027-03-13T10:00").get()
        func refusal(_ result: Result<(MeetingRules.Facts, MeetingChange), MeetingRefusal>) -> String? {
            if case .failure(let refusal) = result { return refusal.message }
            return nil
        }
        // Proposed by the mentee: she cannot accept her own time; the mentor can.
        #expect(refusal(MeetingRules.apply(.accept, by: .mentee, to: Self.facts(), now: Self.now)) == "You proposed this time: the other person accepts it, or proposes another.")
        let accepted = try MeetingRules.apply(.accept, by: .mentor, to: Self.facts(), now: Self.now).get()
        #expect(accepted.0.state == .scheduled && accepted.1 == .accepted)
        #expect(refusal(MeetingRules.apply(.accept, by: .mentor, to: accepted.0, now: Self.now)) == "This meeting is already scheduled.")
        // The mentor proposes another time: now the mentee is the one to accept.
        let countered = try MeetingRules.apply(.propose(later), by: .mentor, to: Self.facts(), now: Self.now).get()
        #expect(countered.0 == MeetingRules.Facts(state: .proposed, proposedBy: .mentor, time: later))
        #expect(countered.1 == .counterProposed)
        #expect(try MeetingRules.apply(.accept, by: .mentee, to: countered.0, now: Self.now).get().0.state == .scheduled)
        // The proposer changes their own proposal; a scheduled meeting moved needs accepting again.
        #expect(try MeetingRules.apply(.propose(later), by: .mentee, to: Self.facts(), now: Self.now).get().1 == .rescheduled)
        let moved = try MeetingRules.apply(.propose(later), by: .mentee, to: accepted.0, now: Self.now).get()
        #expect(moved.0.state == .proposed && moved.0.proposedBy == .mentee && moved.1 == .rescheduled)
        #expect(refusal(MeetingRules.apply(.propose(Self.facts().time), by: .mentor, to: Self.facts(), now: Self.now))?.hasPrefix("That is the time already proposed") == true)
        // Cancelling needs a reason.
        if case .failure(let missing) = MeetingRules.apply(.cancel(reason: " \u{7} "), by: .mentor, to: accepted.0, now: Self.now) {
            #expect(missing.field == "reason")
        } else { Issue.record("cancelled without a reason") }
        let cancelled = try MeetingRules.apply(.cancel(reason: "Off sick"), by: .mentor, to: accepted.0, now: Self.now).get()
        #expect(cancelled.0.state == .cancelled && cancelled.1 == .cancelled)
        for action in [MeetingRules.Action.accept, .propose(later), .cancel(reason: "again")] {
            #expect(refusal(MeetingRules.apply(action, by: .mentee, to: cancelled.0, now: Self.now)) == "This meeting was cancelled: propose a new one instead.")
            #expect(refusal(MeetingRules.apply(action, by: .mentee, to: accepted.0, now: Self.now.addingTimeInterval(3 * 86_400))) == "This meeting is over: it can no longer be changed.")
        }
        #expect(MeetingRules.isHeld(accepted.0, now: Self.now.addingTimeInterval(3 * 86_400)))
        #expect(!MeetingRules.isHeld(Self.facts(), now: Self.now.addingTimeInterval(3 * 86_400)), "a proposal nobody accepted was not held")
        #expect(!MeetingRules.isHeld(accepted.0, now: Self.now))
    }

    @Test func `open action items carry over to the next meeting by themselves; done ones do not`() throws {
        let first = UUID(), second = UUID()
        let t0 = Self.now
        let items = [
            ActionItem(id: UUID(), text: "Read the design doc", owner: .mentee, dueOn: CalendarDay("2027-03-20"), done: false, meeting: first, createdAt: t0),
            ActionItem(id: UUID(), text: "Send the article", owner: .mentor, dueOn: nil, done: true, meeting: first, createdAt: t0),
            ActionItem(id: UUID(), text: "Book the room", owner: .mentee, dueOn: CalendarDay("2027-03-11"), done: false, meeting: nil, createdAt: t0.addingTimeInterval(60)),
            ActionItem(id: UUID(), text: "From the second", owner: .mentor, dueOn: nil, done: false, meeting: second, createdAt: t0.addingTimeInterval(120)),
            ActionItem(id: UUID(), text: "Added after it started", owner: .mentor, dueOn: nil, done: false, meeting: nil, createdAt: t0.addingTimeInterval(86_400 * 30)),
        ]
        // The first meeting was at t0 - 1 h; the second a week on; a third a fortnight on; a
        // cancelled one in between.
        let third = UUID(), cancelled = UUID()
        let slots = [
            ActionItems.Slot(id: first, startsAt: t0.addingTimeInterval(-3_600), endsAt: t0, cancelled: false),
            ActionItems.Slot(id: cancelled, startsAt: t0.addingTimeInterval(86_400 * 3), endsAt: t0.addingTimeInterval(86_400 * 3 + 3_600), cancelled: true),
            ActionItems.Slot(id: second, startsAt: t0.addingTimeInterval(86_400 * 7), endsAt: t0.addingTimeInterval(86_400 * 7 + 3_600), cancelled: false),
            ActionItems.Slot(id: third, startsAt: t0.addingTimeInterval(86_400 * 14), endsAt: t0.addingTimeInterval(86_400 * 14 + 3_600), cancelled: false),
        ]
        let carried = ActionItems.carriedOver(items, to: second, among: slots, now: t0)
        #expect(carried.map(\.text) == ["Book the room", "Read the design doc"], "open, from before it, not its own, not to the cancelled one; soonest due first")
        #expect(ActionItems.carriedOver(items, to: third, among: slots, now: t0).map(\.text) == ["From the second"], "only to the meeting after its own")
        #expect(ActionItems.carriedOver(items, to: first, among: slots, now: t0).isEmpty)
        #expect(ActionItems.carriedOver(items, to: cancelled, among: slots, now: t0).isEmpty)
        // Once the second meeting is over and the items are still open, they move on to the third.
        let later = t0.addingTimeInterval(86_400 * 8)
        #expect(Set(ActionItems.carriedOver(items, to: third, among: slots, now: later).map(\.text)) == ["Book the room", "Read the design doc", "From the second"])
        #expect(ActionItems.carriedOver(items, to: second, among: slots, now: later).isEmpty)
        // An item added after a meeting started waits for the one after.
        #expect(ActionItems.nextMeeting(for: items[4], among: slots, now: t0) == nil, "nothing is planned after it")
        #expect(ActionItems.overdue(items, today: CalendarDay("2027-03-21")!).map(\.text) == ["Read the design doc", "Book the room"])
        #expect(ActionItems.overdue(items, today: CalendarDay("2027-03-11")!).isEmpty, "due today is not overdue")
        #expect(try ActionItems.dueDay(" ", today: CalendarDay("2027-03-11")!).get() == nil)
        if case .failure(let errors) = ActionItems.dueDay("9999-12-31", today: CalendarDay("2027-03-11")!) {
            #expect(errors["due_on"] == "Due date: write a real day from 2000-01-01 to 2999-12-31 as YYYY-MM-DD (got “9999-12-31”).", "the message says the range, not only the form")
        } else { Issue.record("a day past 2999 is refused") }
        #expect(try ActionItems.dueDay("2027-03-11", today: CalendarDay("2027-03-11")!).get() == CalendarDay("2027-03-11"))
        if case .failure(let errors) = ActionItems.dueDay("2027-03-10", today: CalendarDay("2027-03-11")!) {
            #expect(errors["due_on"] == "The due date is before today (2027-03-11): choose today or a later day.")
        } else { Issue.record("a past due date passed") }
    }

    @Test func `what to do next: answer a proposal, fill the agenda, the mentee takes the initiative, overdue items`() {
        let proposed = MeetingSteps.Upcoming(state: .proposed, proposedBy: .mentor, when: "Thursday 11 March 2027, 14:00", weekday: "Thursday", myAgendaItems: 0, theirAgendaItems: 1)
        #expect(MeetingSteps.steps(for: .mentee, otherName: "Dana", upcoming: proposed, everProposed: true, overdueMine: 2) == [
            "Dana proposed a meeting on Thursday 11 March 2027, 14:00: accept it or propose another time.",
            "Add a topic to Thursday's agenda.",
            "Two action items of yours are overdue.",
        ])
        #expect(MeetingSteps.steps(for: .mentor, otherName: "Sam", upcoming: proposed, everProposed: true, overdueMine: 0).first == "Waiting for Sam to accept the meeting on Thursday 11 March 2027, 14:00.")
        let filled = MeetingSteps.Upcoming(state: .scheduled, proposedBy: .mentor, when: "x", weekday: "Friday", myAgendaItems: 2, theirAgendaItems: 0)
        #expect(MeetingSteps.steps(for: .mentor, otherName: "Sam", upcoming: filled, everProposed: true, overdueMine: 1) == [
            "Sam has not added anything to Friday's agenda yet.", "One action item of yours is overdue.",
        ])
        #expect(MeetingSteps.steps(for: .mentee, otherName: "Dana", upcoming: nil, everProposed: false, overdueMine: 0) == ["Propose your first meeting: as the mentee, you take the initiative."])
        #expect(MeetingSteps.steps(for: .mentor, otherName: "Sam", upcoming: nil, everProposed: false, overdueMine: 0) == ["Sam is asked to propose your first meeting; you can propose one too."])
        #expect(MeetingSteps.steps(for: .mentee, otherName: "Dana", upcoming: nil, everProposed: true, overdueMine: 0, meetingsInTrellis: false).isEmpty)
        #expect(Counted.phrase(12, "item", "items") == "12 items")
    }

    @Test func `iCalendar: UTC times, escaped text, lines folded at 75 octets without splitting a character, CRLF`() {
        let start = ISO8601DateFormatter().date(from: "2027-03-12T13:00:00Z")!
        let event = CalendarEvent(
            uid: "meeting-abc@trellis", sequence: 3, start: start, end: start.addingTimeInterval(3600),
            summary: "Mentoring: Zoë Ångström; Björn, \"Bo\" \\ Ng", description: "Line one\nLine two\r\nThree, with ; and \\ and a control \u{7} character",
            location: String(repeating: "日本語の会議室", count: 12), status: .cancelled, url: "https://trellis.example/m/1", lastModified: start
        )
        let text = ICalendar.document([event], name: "Sam's meetings", now: start)
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        let lines = text.components(separatedBy: "\r\n").dropLast()
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare line feeds")
        for line in lines { #expect(line.utf8.count <= 75, "too long: \(line)") }
        // Unfolded, the content lines read back as written.
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("DTSTART:20270312T130000Z\r\n"))
        #expect(unfolded.contains("DTEND:20270312T140000Z\r\n"))
        #expect(unfolded.contains("SEQUENCE:3\r\n"))
        #expect(unfolded.contains("UID:meeting-abc@trellis\r\n"))
        #expect(unfolded.contains("METHOD:PUBLISH\r\n"))
        #expect(unfolded.contains("STATUS:CANCELLED\r\n"))
        #expect(unfolded.contains("SUMMARY:Mentoring: Zoë Ångström\\; Björn\\, \"Bo\" \\\\ Ng\r\n"))
        #expect(unfolded.contains("DESCRIPTION:Line one\\nLine two\\nThree\\, with \\; and \\\\ and a control  character\r\n"))
        #expect(unfolded.contains("LOCATION:" + String(repeating: "日本語の会議室", count: 12) + "\r\n"))
        #expect(unfolded.contains("X-WR-CALNAME:Sam's meetings\r\n"))
        // Every folded line is valid UTF-8 on its own: split the bytes at CRLF, decode each part.
        let bytes = Array(text.utf8)
        var lineStart = 0
        for index in bytes.indices where index > 0 && bytes[index - 1] == 13 && bytes[index] == 10 {
            let part = Array(bytes[lineStart..<(index - 1)])
            #expect(String(validating: part, as: UTF8.self) != nil, "a character split: \(part)")
            #expect(part.count <= 75)
            lineStart = index + 1
        }
        // And a fold that split a character would be caught: the check is not vacuous.
        #expect(String(validating: Array("日".utf8).prefix(2), as: UTF8.self) == nil)
        #expect(ICalendar.fold(String(repeating: "a", count: 75)) == String(repeating: "a", count: 75))
        #expect(ICalendar.fold(String(repeating: "a", count: 76)) == String(repeating: "a", count: 75) + "\r\n a")
    }
}

/// The flags a program manager reads beside a pair's numbers (`PairNumbers.flags`).
@Suite struct PairFlagTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static var today: CalendarDay { CalendarDay(now, in: utc) }
    static func daysAgo(_ days: Int) -> Date { now.addingTimeInterval(-Double(days) * 86_400) }

    static func numbers(startedDaysAgo: Int, _ change: (inout PairNumbers) -> Void = { _ in }) -> PairNumbers {
        var numbers = PairNumbers(startedOn: today.adding(days: -startedDaysAgo)!)
        change(&numbers)
        return numbers
    }

    @Test func `a new pair has time to settle before anything is flagged`() {
        #expect(Self.numbers(startedDaysAgo: PairNumbers.agreementGraceDays - 1).flags(today: Self.today, now: Self.now, meetingsInTrellis: true).isEmpty)
        #expect(Self.numbers(startedDaysAgo: PairNumbers.agreementGraceDays).flags(today: Self.today, now: Self.now, meetingsInTrellis: true) == [.agreementNotSigned])
        #expect(Self.numbers(startedDaysAgo: PairNumbers.firstMeetingGraceDays).flags(today: Self.today, now: Self.now, meetingsInTrellis: true) == [.agreementNotSigned, .noMeetingYet])
        #expect(Self.numbers(startedDaysAgo: PairNumbers.quietDays).flags(today: Self.today, now: Self.now, meetingsInTrellis: false) == [.agreementNotSigned, .quiet],
                "outside Trellis, meetings are not counted here and not flagged")
    }

    @Test func `activity is the latest of what was touched`() {
        var numbers = Self.numbers(startedDaysAgo: 5)
        numbers.touch(nil)
        #expect(numbers.lastActivity == nil)
        numbers.touch(Self.daysAgo(3))
        numbers.touch(Self.daysAgo(4))
        #expect(numbers.lastActivity == Self.daysAgo(3))
    }

    @Test func `a pair that met, signed and keeps going is not flagged; a gap without a next meeting is`() {
        let busy = Self.numbers(startedDaysAgo: 90) {
            $0.agreement = .signed(version: 2, writtenAt: Self.daysAgo(81), on: Self.daysAgo(80)); $0.meetingsHeld = 5; $0.lastMet = Self.daysAgo(10); $0.lastActivity = Self.daysAgo(2)
        }
        #expect(busy.flags(today: Self.today, now: Self.now, meetingsInTrellis: true).isEmpty)
        var gap = busy
        gap.lastMet = Self.daysAgo(PairNumbers.meetingGapDays)
        #expect(gap.flags(today: Self.today, now: Self.now, meetingsInTrellis: true) == [.notMetLately])
        gap.nextMeeting = Self.now.addingTimeInterval(86_400)
        #expect(gap.flags(today: Self.today, now: Self.now, meetingsInTrellis: true).isEmpty, "a meeting ahead answers the gap")
        var waiting = busy
        waiting.agreement = .waiting(version: 3, writtenAt: Self.daysAgo(PairNumbers.agreementGraceDays - 1), signedBefore: Self.daysAgo(80))
        #expect(waiting.flags(today: Self.today, now: Self.now, meetingsInTrellis: true).isEmpty, "a fresh change to an agreement in force is not late")
        waiting.agreement = .waiting(version: 3, writtenAt: Self.daysAgo(PairNumbers.agreementGraceDays), signedBefore: Self.daysAgo(80))
        waiting.overdueActionItems = 2
        waiting.lastActivity = Self.daysAgo(PairNumbers.quietDays)
        #expect(waiting.flags(today: Self.today, now: Self.now, meetingsInTrellis: true) == [.agreementNotSigned, .overdueActionItems, .quiet])
        var first = Self.numbers(startedDaysAgo: PairNumbers.agreementGraceDays) { $0.agreement = .waiting(version: 1, writtenAt: Self.daysAgo(1), signedBefore: nil) }
        first.lastActivity = Self.daysAgo(1)
        #expect(first.flags(today: Self.today, now: Self.now, meetingsInTrellis: false) == [.agreementNotSigned], "the first agreement counts from the start")
    }
}
