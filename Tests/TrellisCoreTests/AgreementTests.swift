import Foundation
import Testing
@testable import TrellisCore

/// The agreement's rules (PRODUCT.md §2) as plain functions: what terms must hold, how writing
/// makes versions, who may sign what, where an agreement stands, and the first draft.
struct AgreementTests {
    static let start = CalendarDay("2027-01-15")!

    static func terms(review: String = "2027-04-15", ends: String = "2027-07-15") -> AgreementTerms {
        AgreementTerms(
            meetingFrequency: .biweekly, communicationMethods: [.video, .email], confidentiality: "Between us.",
            menteeGoals: "Learn to lead a team.", mentorGoals: "", boundaries: "No calls after 6 pm.",
            reviewOn: CalendarDay(review)!, endsOn: CalendarDay(ends)!
        )
    }

    @Test func `adding days, months and years agrees with the calendar, and months end on their last day`() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let day = CalendarDay(year: Int.random(in: 2000...2990, using: &generator), month: Int.random(in: 1...12, using: &generator), day: Int.random(in: 1...28, using: &generator))!
            let offset = Int.random(in: -3_000...3_000, using: &generator)
            let date = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
            let expected = CalendarDay(calendar.date(byAdding: .day, value: offset, to: date)!, in: calendar.timeZone)
            if expected.year >= 2000 {
                #expect(day.adding(days: offset) == expected, "\(day) + \(offset)")
                #expect(day.days(until: expected) == offset)
            }
        }
        #expect(CalendarDay("2027-01-31")!.adding(months: 1) == CalendarDay("2027-02-28"))
        #expect(CalendarDay("2028-01-31")!.adding(months: 1) == CalendarDay("2028-02-29"))
        #expect(CalendarDay("2027-11-30")!.adding(months: 3) == CalendarDay("2028-02-29"))
        #expect(CalendarDay("2028-02-29")!.adding(years: 1) == CalendarDay("2029-02-28"))
        #expect(CalendarDay("2000-01-01")!.adding(days: -1) == nil && CalendarDay("2999-12-31")!.adding(months: 1) == nil)
    }

    @Test func `good terms pass, and every bad one is named under its field`() {
        let today = Self.start
        #expect(AgreementRules.problems(Self.terms(), startedOn: Self.start, today: today).isEmpty)
        var noMethods = Self.terms()
        noMethods.communicationMethods = []
        #expect(AgreementRules.problems(noMethods, startedOn: Self.start, today: today)["communication_methods"] == "Choose at least one way to keep in touch.")
        var blank = Self.terms()
        blank.confidentiality = ""
        blank.menteeGoals = ""
        let blanks = AgreementRules.problems(blank, startedOn: Self.start, today: today)
        #expect(blanks["confidentiality"] == "Confidentiality is required." && blanks["mentee_goals"] == "Write the mentee's goals: what they want from the mentorship.")
        var long = Self.terms()
        long.boundaries = String(repeating: "é", count: 4_001)
        #expect(AgreementRules.problems(long, startedOn: Self.start, today: today)["boundaries"]?.contains("at most 4,000 characters") == true)
        // Dates: the end after the start (and after today), within three years; the review
        // between today and the end.
        #expect(AgreementRules.problems(Self.terms(ends: "2027-01-15"), startedOn: Self.start, today: today)["ends_on"] == "The end date must be after today (2027-01-15).")
        #expect(AgreementRules.problems(Self.terms(ends: "2030-01-16"), startedOn: Self.start, today: today)["ends_on"] == "The end date must be within 3 years of the start (by 2030-01-15).")
        #expect(AgreementRules.problems(Self.terms(ends: "2030-01-15"), startedOn: Self.start, today: today).isEmpty)
        #expect(AgreementRules.problems(Self.terms(review: "2027-08-01"), startedOn: Self.start, today: today)["review_on"] == "The review date must be on or before the end date (2027-07-15).")
        let later = CalendarDay("2027-03-01")!
        #expect(AgreementRules.problems(Self.terms(review: "2027-02-01"), startedOn: Self.start, today: later)["review_on"] == "The review date must be after today (2027-03-01).")
        #expect(AgreementRules.problems(Self.terms(review: "2027-03-01"), startedOn: Self.start, today: later)["review_on"] == "The review date must be after today (2027-03-01).", "due the moment it is signed")
        #expect(AgreementRules.problems(Self.terms(review: "2027-03-02"), startedOn: Self.start, today: later).isEmpty)
        #expect(AgreementRules.problems(Self.terms(review: "2027-07-15"), startedOn: Self.start, today: later).isEmpty, "on the end date")
        let early = CalendarDay("2027-01-01")!
        #expect(AgreementRules.problems(Self.terms(review: "2027-01-10"), startedOn: Self.start, today: early)["review_on"] == "The review date must be after the mentorship's start (2027-01-15).")
    }

    @Test func `every change of the terms is a new version, signed or not, and unchanged terms change nothing`() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(AgreementRules.writing(Self.terms(), over: []) == .newVersion(number: 1))
        var first = AgreementVersion(number: 1, terms: Self.terms(), writtenBy: .mentee, writtenAt: now)
        #expect(AgreementRules.writing(Self.terms(), over: [first]) == .unchanged)
        var edited = Self.terms()
        edited.boundaries = "Weekdays only."
        #expect(AgreementRules.writing(edited, over: [first]) == .newVersion(number: 2), "unsigned: still a new version, so a signature is of what was read")
        first.mentorSignedAt = now
        #expect(AgreementRules.writing(edited, over: [first]) == .newVersion(number: 2))
        let second = AgreementVersion(number: 2, terms: edited, writtenBy: .mentor, writtenAt: now)
        #expect(AgreementRules.writing(Self.terms(), over: [second, first]) == .newVersion(number: 3), "the latest decides, whatever the order")
        #expect(AgreementRules.writing(edited, over: [second, first]) == .unchanged)
    }

    @Test func `only the latest version is signed, once by each, and the status follows the signatures and the review date`() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(AgreementRules.signingProblem(number: 1, by: .mentee, versions: []) == "There is no agreement to sign yet.")
        var first = AgreementVersion(number: 1, terms: Self.terms(), writtenBy: .mentee, writtenAt: now, mentorSignedAt: now)
        var second = AgreementVersion(number: 2, terms: Self.terms(review: "2027-05-01"), writtenBy: .mentor, writtenAt: now)
        #expect(AgreementRules.signingProblem(number: 1, by: .mentee, versions: [first, second]) == "Version 1 is not the latest: version 2 replaced it. Read and sign version 2.")
        #expect(AgreementRules.signingProblem(number: 3, by: .mentee, versions: [first, second]) == "There is no version 3 of this agreement.")
        #expect(AgreementRules.signingProblem(number: 2, by: .mentee, versions: [first, second]) == nil)
        #expect(AgreementRules.status(of: [], today: Self.start) == .unwritten)
        #expect(AgreementRules.status(of: [first, second], today: Self.start) == .awaiting([.mentor, .mentee]))
        second.menteeSignedAt = now
        #expect(AgreementRules.signingProblem(number: 2, by: .mentee, versions: [first, second]) == "You signed version 2 already.")
        #expect(AgreementRules.status(of: [first, second], today: Self.start) == .awaiting([.mentor]))
        second.mentorSignedAt = now
        #expect(AgreementRules.status(of: [first, second], today: CalendarDay("2027-04-30")!) == .signed)
        #expect(AgreementRules.status(of: [first, second], today: CalendarDay("2027-05-01")!) == .reviewDue)
        first.menteeSignedAt = now
        #expect(AgreementRules.status(of: [second, first], today: Self.start) == .signed)

        #expect(AgreementRules.nextStep(for: .mentee, status: .unwritten, otherName: "Ada")?.hasPrefix("Start your agreement") == true)
        #expect(AgreementRules.nextStep(for: .mentor, status: .awaiting([.mentor]), otherName: "Ben") == "The agreement is waiting for your signature.")
        #expect(AgreementRules.nextStep(for: .mentee, status: .awaiting([.mentor]), otherName: "Ada") == "Waiting for Ada to sign the agreement.")
        #expect(AgreementRules.nextStep(for: .mentee, status: .signed, otherName: "Ada") == nil)
        #expect(AgreementRules.nextStep(for: .mentor, status: .reviewDue, otherName: "Ben")?.contains("realign expectations") == true)
    }

    @Test func `what changed between two versions lists only the fields that differ, in the agreement's order`() {
        var new = Self.terms()
        #expect(AgreementRules.changes(from: Self.terms(), to: new).isEmpty)
        new.communicationMethods = [.inPerson]
        new.endsOn = CalendarDay("2027-08-01")!
        let changes = AgreementRules.changes(from: Self.terms(), to: new)
        #expect(changes.map(\.field) == ["communication_methods", "ends_on"])
        #expect(changes[0].before == "Video call, Email" && changes[0].after == "In person")
        #expect(changes[1].before == "2027-07-15" && changes[1].after == "2027-08-01")
    }

    @Test func `the first draft comes from the program and both profiles, and passes the rules`() {
        var start = AgreementRules.Start(
            programPurpose: "Help new managers find their feet.", programEnds: CalendarDay("2027-12-31"), startedOn: Self.start, today: Self.start,
            menteeFrequency: .weekly, mentorFrequency: .monthly, menteeMethods: [.chat, .video], mentorMethods: [.video, .phone],
            menteeDevelopment: ["Leadership", "Public speaking"], menteeCareerGoals: "Lead a team \u{0}within a year.", mentorName: "Ada", menteeName: "Ben"
        )
        let draft = AgreementRules.starting(start)
        #expect(draft.meetingFrequency == .weekly, "the mentee's, when they differ")
        #expect(draft.communicationMethods == [.video], "the ways both use")
        #expect(draft.endsOn == CalendarDay("2027-07-15") && draft.reviewOn == CalendarDay("2027-04-15"), "six months, reviewed halfway")
        #expect(draft.menteeGoals == "Grow in Leadership, Public speaking.\nLead a team within a year.\nWithin the program: Help new managers find their feet.")
        #expect(draft.confidentiality.contains("Ben and Ada"))
        #expect(AgreementRules.problems(draft, startedOn: Self.start, today: Self.start).isEmpty)

        start.programEnds = CalendarDay("2027-03-15")
        start.mentorMethods = [.phone]
        start.mentorFrequency = nil
        start.menteeDevelopment = []
        start.menteeCareerGoals = ""
        let short = AgreementRules.starting(start)
        #expect(short.endsOn == CalendarDay("2027-03-15") && short.reviewOn == CalendarDay("2027-02-13"), "the program's end when sooner")
        #expect(short.communicationMethods == [.video, .chat], "the mentee's when none is shared, in the usual order")
        #expect(short.meetingFrequency == .weekly)
        #expect(AgreementRules.problems(short, startedOn: Self.start, today: Self.start).isEmpty)

        start.menteeMethods = []
        start.menteeFrequency = nil
        start.programPurpose = ""
        start.programEnds = CalendarDay("2026-01-01")
        let bare = AgreementRules.starting(start)
        #expect(bare.communicationMethods == [.video] && bare.meetingFrequency == .biweekly && bare.endsOn == CalendarDay("2027-07-15"))
        #expect(AgreementRules.problems(bare, startedOn: Self.start, today: Self.start)["mentee_goals"] != nil, "no goals to start from: the mentee writes them")

        // A mentorship that began long ago (or whose program's end has passed): the dates count
        // from today, and the draft still passes the rules.
        start.today = CalendarDay("2028-03-10")!
        start.programEnds = CalendarDay("2027-12-31")
        start.menteeDevelopment = ["Leadership"]
        let late = AgreementRules.starting(start)
        #expect(late.endsOn == CalendarDay("2028-09-10") && late.reviewOn == CalendarDay("2028-06-10"))
        #expect(AgreementRules.problems(late, startedOn: Self.start, today: start.today).isEmpty)
        start.programEnds = CalendarDay("2028-03-11")
        #expect(AgreementRules.starting(start).endsOn == CalendarDay("2028-09-10"), "a program ending tomorrow leaves no room: six months")
        start.programEnds = CalendarDay("2028-04-10")
        let soon = AgreementRules.starting(start)
        #expect(soon.endsOn == CalendarDay("2028-04-10") && AgreementRules.problems(soon, startedOn: Self.start, today: start.today).isEmpty)
    }

    @Test func `input from a form or the API keeps what is left out, and names every bad value under its field`() throws {
        let base = Self.terms()
        let today = CalendarDay("2027-01-20")!
        // Nothing sent: the base, normalized.
        #expect(try AgreementInput().terms(over: base, startedOn: Self.start, today: today).get() == base.normalized())
        let changed = try AgreementInput(meetingFrequency: "weekly", communicationMethods: ["chat", "video", "chat"], boundaries: "  None \u{7}\n", reviewOn: " 2027-03-01 ")
            .terms(over: base, startedOn: Self.start, today: today).get()
        #expect(changed.meetingFrequency == .weekly)
        #expect(changed.communicationMethods == [.video, .chat], "usual order, once each")
        #expect(changed.boundaries == "None")
        #expect(changed.reviewOn == CalendarDay("2027-03-01")!)
        #expect(changed.menteeGoals == base.menteeGoals)

        let bad = AgreementInput(meetingFrequency: "hourly", communicationMethods: ["video", "fax"], menteeGoals: "", reviewOn: "2027-13-01", endsOn: "")
            .terms(over: base, startedOn: Self.start, today: today)
        guard case .failure(let errors) = bad else { Issue.record("bad input passed"); return }
        #expect(errors["meeting_frequency"] == "Meeting frequency: choose one of weekly, biweekly, monthly, as-needed (got “hourly”).")
        #expect(errors["communication_methods"]?.contains("(got “fax”)") == true)
        #expect(errors["mentee_goals"] == "Write the mentee's goals: what they want from the mentorship.")
        #expect(errors["review_on"] == "Review date: write a real day from 2000-01-01 to 2999-12-31 as YYYY-MM-DD (got “2027-13-01”).")
        #expect(errors["ends_on"] == "End date is required.")
        // A day that parses but breaks a rule gets the rule's message.
        guard case .failure(let late) = AgreementInput(reviewOn: "2027-09-01").terms(over: base, startedOn: Self.start, today: today) else { Issue.record("late review passed"); return }
        #expect(late["review_on"] == "The review date must be on or before the end date (2027-07-15).")
        #expect(late.order == ["review_on"])
        // An end date that is not a day is the only date problem told (the review date is not
        // compared with an end date the writer did not send).
        guard case .failure(let endless) = AgreementInput(reviewOn: "2027-03-01", endsOn: "12027-01-04").terms(over: base, startedOn: Self.start, today: today) else { Issue.record("passed"); return }
        #expect(endless.order == ["ends_on"])
        #expect(AgreementRules.basedOnProblem(nil, latest: nil) == nil)
        #expect(AgreementRules.basedOnProblem(3, latest: 3) == nil)
        #expect(AgreementRules.basedOnProblem(2, latest: 3)?.hasPrefix("Version 3 of the agreement was written after the one you edited (version 2).") == true)
        #expect(AgreementRules.basedOnProblem(4, latest: 3) == "There is no version 4 of this agreement: the latest is version 3.")
        #expect(AgreementRules.basedOnProblem(nil, latest: 1)?.contains("after you opened the form") == true)
        #expect(AgreementRules.basedOnProblem(1, latest: nil) == "There is no version 1 of this agreement yet: write the first one.")
    }

    @Test func `a line diff keeps common lines, and shows what was removed before what replaced it`() {
        #expect(TextDiff.lines(from: "", to: "") == [])
        #expect(TextDiff.lines(from: "a\nb\nc", to: "a\nb\nc") == [.kept("a"), .kept("b"), .kept("c")])
        #expect(TextDiff.lines(from: "a\nb\nc", to: "a\nx\nc") == [.kept("a"), .removed("b"), .added("x"), .kept("c")])
        #expect(TextDiff.lines(from: "a\nb", to: "a\nb\nc") == [.kept("a"), .kept("b"), .added("c")])
        #expect(TextDiff.lines(from: "", to: "new") == [.added("new")])
        #expect(TextDiff.lines(from: "old", to: "") == [.removed("old")])
        #expect(TextDiff.lines(from: "x\ny\nz", to: "p\nq") == [.removed("x"), .removed("y"), .removed("z"), .added("p"), .added("q")])
        // Whatever the texts, the kept and removed lines rebuild the old text, the kept and added the new.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let words = ["a", "b", "c", "d", ""]
            let old = (0..<Int.random(in: 0...8, using: &generator)).map { _ in words.randomElement(using: &generator)! }.joined(separator: "\n")
            let new = (0..<Int.random(in: 0...8, using: &generator)).map { _ in words.randomElement(using: &generator)! }.joined(separator: "\n")
            let diff = TextDiff.lines(from: old, to: new)
            let before = diff.compactMap { line -> String? in if case .kept(let t) = line { return t }; if case .removed(let t) = line { return t }; return nil }
            let after = diff.compactMap { line -> String? in if case .kept(let t) = line { return t }; if case .added(let t) = line { return t }; return nil }
            let oldLines = old.isEmpty ? [] : old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let newLines = new.isEmpty ? [] : new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(before == oldLines, "\(old.debugDescription) → \(new.debugDescription)")
            #expect(after == newLines, "\(old.debugDescription) → \(new.debugDescription)")
        }
        // Past the bounded comparison: all removed, then all added.
        let big = (0..<1_100).map(String.init).joined(separator: "\n")
        let huge = TextDiff.lines(from: big, to: big + "\nend")
        #expect(huge.count == 2_201)
    }
}
