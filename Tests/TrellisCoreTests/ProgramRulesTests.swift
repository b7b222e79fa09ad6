import Foundation
import Testing
@testable import TrellisCore
import TrellisFixtures

@Suite struct ProgramRulesTests {
    func day(_ text: String) -> CalendarDay { CalendarDay(text)! }

    @Test func `days are real days written as YYYY-MM-DD, in calendar order`() {
        #expect(CalendarDay("2028-02-29")?.description == "2028-02-29")
        for bad in ["2027-02-29", "2100-02-29", "2027-13-01", "2027-00-10", "2027-04-31", "2027-1-01", "27-01-01", "2027/01/01", "２０２７-01-01", "2027-01-01 ", "1999-12-31", "3000-01-01", "", "-027-01-01"] {
            #expect(CalendarDay(bad) == nil, "\(bad)")
        }
        #expect(CalendarDay("2000-02-29") != nil)
        #expect(day("2027-01-31") < day("2027-02-01") && day("2026-12-31") < day("2027-01-01"))
        // The day an instant falls on depends on the time zone.
        let instant = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15 08:00 UTC
        #expect(CalendarDay(instant, in: TimeZone(identifier: "UTC")!).description == "2027-01-15")
        #expect(CalendarDay(instant, in: TimeZone(identifier: "Pacific/Pago_Pago")!).description == "2027-01-14")
    }

    @Test func `a program's settings are checked field by field, with the days in order`() {
        var draft = ProgramDraft(name: "  New managers\u{0}  ", description: "A year of support.\r\n", purpose: "Find your feet")
        draft = draft.cleaned
        #expect(draft.name == "New managers" && draft.description == "A year of support.")
        #expect(draft.validate().isEmpty)

        var bad = ProgramDraft(name: "", minimumScore: 1.5, maximumOpenRequests: 0, requestExpiryDays: 91)
        bad.description = String(repeating: "x", count: 4_001)
        let errors = bad.validate()
        #expect(errors.order == ["name", "description", "minimum_score", "maximum_open_requests", "request_expiry_days"])
        #expect(errors["name"] == "Name is required.")
        #expect(errors["minimum_score"]?.contains("from 0 to 1") == true)
        #expect(errors["maximum_open_requests"]?.contains("from 1 to 10") == true)
        for score in [Double.nan, .infinity, -0.1] {
            #expect(ProgramDraft(name: "P", minimumScore: score).validate()["minimum_score"] != nil, "\(score)")
        }

        // Opens ≤ closes ≤ starts < ends, each checked against the nearest earlier day given.
        var dates = ProgramDraft(name: "P", enrolmentOpens: day("2027-02-01"), enrolmentCloses: day("2027-01-15"), starts: day("2027-03-01"), ends: day("2027-03-01"))
        var found = dates.validate()
        #expect(found["enrolment_closes"] == "Enrolment closes (2027-01-15) must be on or after the day enrolment opens (2027-02-01).")
        #expect(found["ends"] == "The program ends (2027-03-01) must be after the day the program starts (2027-03-01).")
        #expect(found["starts"] == nil)
        dates = ProgramDraft(name: "P", enrolmentOpens: day("2027-02-01"), ends: day("2027-01-31"))
        found = dates.validate()
        #expect(found.order == ["ends"], "compared with the nearest day given")
        dates = ProgramDraft(name: "P", enrolmentOpens: day("2027-02-01"), enrolmentCloses: day("2027-02-01"), starts: day("2027-02-01"), ends: day("2027-02-02"))
        #expect(dates.validate().isEmpty, "enrolment may close on the day it opens and the day the program starts")
    }

    @Test func `typed scores and days are read strictly, blank meaning none`() throws {
        #expect(try ProgramRules.parseMinimumScore("").get() == 0)
        #expect(try ProgramRules.parseMinimumScore(" 0.35 ").get() == 0.35)
        #expect(try ProgramRules.parseMinimumScore(".5").get() == 0.5)
        #expect(try ProgramRules.parseMinimumScore("1").get() == 1)
        #expect(try ProgramRules.parseMinimumScore("0.123456").get() == 0.123456)
        for bad in ["1.01", "-0", "+0.3", "1e-1", "nan", "inf", "0,3", "0.3.1", ".", "0x1", "0.3 0.4", "٠.٣", String(repeating: "0", count: 50), "0.1234567", "0.0000000000000000000001"] {
            guard case .failure(let problem) = ProgramRules.parseMinimumScore(bad) else { Issue.record("\(bad) was read"); continue }
            #expect(problem.message.hasPrefix("Minimum score must be a number from 0 to 1 with at most six decimal places"))
        }
        #expect(try ProgramRules.parseDay("", label: "Enrolment opens").get() == nil)
        #expect(try ProgramRules.parseDay("2027-03-01", label: "Enrolment opens").get() == day("2027-03-01"))
        guard case .failure(let problem) = ProgramRules.parseDay("March 1st", label: "Enrolment opens") else { Issue.record("read"); return }
        #expect(problem.message == "Enrolment opens must be a real day from 2000-01-01 to 2999-12-31, written as YYYY-MM-DD, such as 2027-03-01 (got “March 1st”).")
        #expect(try ProfileRules.choice("Self-Select", as: MatchingMode.self).get() == .selfSelect)
        #expect(ProfileRules.exactChoice("selfSelect", as: MatchingMode.self).isFailure)
    }

    @Test func `a program moves one step at a time and never back past a published match`() {
        let none = ProgramState.Facts(mentors: 0, mentees: 0, hasMentorships: false)
        let enrolled = ProgramState.Facts(mentors: 3, mentees: 9, hasMentorships: false)
        let published = ProgramState.Facts(mentors: 3, mentees: 9, hasMentorships: true)
        #expect(ProgramState.draft.problem(movingTo: .enrolling, mode: .bulk, facts: none) == nil)
        #expect(ProgramState.enrolling.problem(movingTo: .draft, mode: .bulk, facts: none) == nil)
        #expect(ProgramState.enrolling.problem(movingTo: .draft, mode: .bulk, facts: enrolled) != nil)
        #expect(ProgramState.enrolling.problem(movingTo: .matching, mode: .bulk, facts: ProgramState.Facts(mentors: 0, mentees: 4, hasMentorships: false))?.contains("at least one mentor and one mentee") == true)
        #expect(ProgramState.enrolling.problem(movingTo: .matching, mode: .bulk, facts: enrolled) == nil)
        #expect(ProgramState.matching.problem(movingTo: .enrolling, mode: .bulk, facts: enrolled) == nil)
        #expect(ProgramState.matching.problem(movingTo: .enrolling, mode: .bulk, facts: published)?.contains("cannot go back past a published match") == true)
        #expect(ProgramState.matching.problem(movingTo: .enrolling, mode: .selfSelect, facts: published)?.contains("Requests have already been accepted") == true)
        // Each refusal gives its real reason.
        #expect(ProgramState.matching.problem(movingTo: .draft, mode: .bulk, facts: enrolled) == "A program moves one step at a time: from matching it goes back to enrolling, not draft.")
        #expect(ProgramState.concluded.problem(movingTo: .active, mode: .bulk, facts: published) == "A concluded program is final: it cannot be reopened.")
        #expect(ProgramState.active.problem(movingTo: .matching, mode: .bulk, facts: published)?.hasPrefix("The program has started") == true)
        // Bulk and preference programs become active by publishing, self-select ones once a pair exists.
        #expect(ProgramState.matching.problem(movingTo: .active, mode: .bulk, facts: published)?.hasPrefix("Publish") == true)
        #expect(ProgramState.matching.problem(movingTo: .active, mode: .preference, facts: published)?.hasPrefix("Publish") == true)
        #expect(ProgramState.matching.problem(movingTo: .active, mode: .selfSelect, facts: enrolled) != nil)
        #expect(ProgramState.matching.problem(movingTo: .active, mode: .selfSelect, facts: published) == nil)
        #expect(ProgramState.active.problem(movingTo: .concluded, mode: .bulk, facts: published) == nil)
        for from in [ProgramState.active, .concluded] {
            for to in ProgramState.allCases where to != from && !(from == .active && to == .concluded) {
                #expect(from.problem(movingTo: to, mode: .bulk, facts: published) != nil, "\(from) → \(to)")
            }
        }
        #expect(ProgramState.draft.problem(movingTo: .active, mode: .bulk, facts: none) == "A program moves one step at a time: from draft it goes to enrolling, not active.")
        #expect(ProgramState.concluded.problem(movingTo: .concluded, mode: .bulk, facts: published) == "The program is already concluded.")
        for state in ProgramState.allCases { for mode in MatchingMode.allCases { #expect(!state.nextStep(mode: mode).isEmpty) } }
    }

    @Test func `enrolment is open in the enrolling state within its window, both ends included`() {
        let (opens, closes) = (day("2027-02-01"), day("2027-02-14"))
        #expect(ProgramState.enrolling.enrolmentIsOpen(on: opens, opens: opens, closes: closes))
        #expect(ProgramState.enrolling.enrolmentIsOpen(on: closes, opens: opens, closes: closes))
        #expect(!ProgramState.enrolling.enrolmentIsOpen(on: day("2027-01-31"), opens: opens, closes: closes))
        #expect(!ProgramState.enrolling.enrolmentIsOpen(on: day("2027-02-15"), opens: opens, closes: closes))
        #expect(ProgramState.enrolling.enrolmentIsOpen(on: day("2031-01-01"), opens: opens, closes: nil))
        #expect(!ProgramState.draft.enrolmentIsOpen(on: opens, opens: opens, closes: closes))
        #expect(!ProgramState.matching.enrolmentIsOpen(on: opens, opens: nil, closes: nil))
    }

    @Test func `a request is refused with the first rule it breaks, a full mentor offering the waitlist`() {
        let open = RequestRules.Creating(state: .matching, mode: .selfSelect, mentorTaken: 1, mentorCapacity: 2)
        #expect(RequestRules.refusal(creating: open) == nil)
        func refusal(_ change: (inout RequestRules.Creating) -> Void) -> RequestRules.Refusal? {
            var facts = open
            change(&facts)
            return RequestRules.refusal(creating: facts)
        }
        #expect(refusal { $0.mode = .bulk }?.message.contains("program manager makes the pairs") == true)
        #expect(refusal { $0.state = .enrolling }?.message.contains("it is enrolling") == true)
        #expect(refusal { $0.isSelf = true }?.message == "You cannot ask yourself to be your mentor.")
        #expect(refusal { $0.menteeEnrolled = false } != nil && refusal { $0.mentorEnrolled = false } != nil)
        #expect(refusal { $0.mentorInReportingLine = true }?.message.contains("reporting line") == true)
        #expect(refusal { $0.menteeMatched = true }?.message == "You already have a mentor in this program.")
        #expect(refusal { $0.alreadyAsked = true } != nil)
        #expect(refusal { $0.pairedBefore = true } != nil)
        #expect(refusal { $0.pairedBefore = true; $0.allowRepeatPairs = true } == nil)
        #expect(refusal { $0.openRequests = 2 } == nil)
        #expect(refusal { $0.openRequests = 3 }?.message.contains("3 requests waiting") == true)
        #expect(refusal { $0.mentorPaused = true } != nil)
        #expect(refusal { $0.mentorTaken = 2 } == .mentorFull)
        #expect(refusal { $0.mentorTaken = 9 } == .mentorFull)
        // The earlier rule wins: a mentee who is matched is told so, not that the mentor is full.
        #expect(refusal { $0.mentorTaken = 2; $0.menteeMatched = true }?.message == "You already have a mentor in this program.")
    }

    @Test func `an accept is refused once the request is answered, expired, or a place or the mentee is gone`() {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let expires = RequestRules.expiresAt(created: created, days: 14)
        #expect(expires.timeIntervalSince(created) == 14 * 86_400)
        let fine = RequestRules.Accepting(request: .pending, expiresAt: expires, now: created.addingTimeInterval(3_600), menteeMatched: false, mentorTaken: 0, mentorCapacity: 1)
        #expect(RequestRules.refusal(accepting: fine) == nil)
        var late = fine
        late.now = expires
        #expect(RequestRules.refusal(accepting: late) == "This request expired without an answer.", "expired at the very second")
        late.now = expires.addingTimeInterval(-1)
        #expect(RequestRules.refusal(accepting: late) == nil)
        for state in RequestState.allCases where state != .pending {
            var answered = fine
            answered.request = state
            #expect(RequestRules.refusal(accepting: answered) != nil, "\(state)")
            #expect(!state.isOpen)
        }
        var full = fine
        full.mentorTaken = 1
        #expect(RequestRules.refusal(accepting: full) == "You have no place left in this program (1 of 1 taken).")
        var matched = fine
        matched.menteeMatched = true
        #expect(RequestRules.refusal(accepting: matched)?.contains("matched with another mentor") == true)
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
}

@Suite struct RankingRulesTests {
    @Test func `rankings change only in a preference program that is enrolling, by its participants`() {
        #expect(RankingRules.refusal(editing: .init(state: .enrolling, mode: .preference, role: .mentee)) == nil)
        #expect(RankingRules.refusal(editing: .init(state: .enrolling, mode: .preference, role: .mentor)) == nil)
        #expect(RankingRules.refusal(editing: .init(state: .enrolling, mode: .bulk, role: .mentee))?.contains("nobody ranks") == true)
        #expect(RankingRules.refusal(editing: .init(state: .enrolling, mode: .preference, role: nil))?.contains("Only the program's mentors and mentees") == true)
        #expect(RankingRules.refusal(editing: .init(state: .draft, mode: .preference, role: .mentee))?.contains("still a draft") == true)
        #expect(RankingRules.refusal(editing: .init(state: .matching, mode: .preference, role: .mentee))?.contains("closed") == true)
        #expect(RankingRules.refusal(editing: .init(state: .active, mode: .preference, role: .mentor))?.contains("can no longer change") == true)
        #expect(RankingRules.refusal(editing: .init(state: .concluded, mode: .preference, role: .mentor))?.contains("can no longer change") == true)
    }

    @Test func `an addition is refused with the first rule it breaks`() {
        #expect(RankingRules.refusal(adding: .init(role: .mentee)) == nil)
        #expect(RankingRules.refusal(adding: .init(role: .mentee, isSelf: true)) == "You cannot rank yourself.")
        #expect(RankingRules.refusal(adding: .init(role: .mentee, otherEnrolled: false)) == "This person is not a mentor in this program.")
        #expect(RankingRules.refusal(adding: .init(role: .mentor, otherEnrolled: false)) == "This person is not a mentee in this program.")
        #expect(RankingRules.refusal(adding: .init(role: .mentee, alreadyRanked: true)) == "This person is already in your ranking.")
        #expect(RankingRules.refusal(adding: .init(role: .mentor, rankedTheRanker: false))?.contains("only mentees who put you on their shortlist") == true)
        // A mentee's choice of mentor does not depend on the mentor having ranked them.
        #expect(RankingRules.refusal(adding: .init(role: .mentee, rankedTheRanker: false)) == nil)
        #expect(RankingRules.refusal(adding: .init(role: .mentee, brokenRule: "Mentor 1 manages Mentee 2."))
            == "This pair cannot be made in this program: Mentor 1 manages Mentee 2.")
        #expect(RankingRules.refusal(adding: .init(role: .mentee, count: 9)) == nil)
        #expect(RankingRules.refusal(adding: .init(role: .mentee, count: 10))?.contains("10 mentors, the most it can hold") == true)
        #expect(RankingRules.refusal(adding: .init(role: .mentor, count: 49)) == nil)
        #expect(RankingRules.refusal(adding: .init(role: .mentor, count: 50))?.contains("ranked 50 mentees") == true)
    }

    @Test(arguments: 0..<200) func `a ranked list keeps ranks 1 to n whatever is added, moved or removed`(seed: Int) {
        var generator = SeededGenerator(seed: UInt64(seed))
        var list = RankedList<Int>([])
        var model: [Int] = []
        for _ in 0..<40 {
            let id = Int.random(in: 0..<8, using: &generator)
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                let added = list.append(id)
                #expect(added == !model.contains(id))
                if !model.contains(id) { model.append(id) }
            case 1:
                let removed = list.remove(id)
                #expect(removed == model.contains(id))
                model.removeAll { $0 == id }
            default:
                let up = Bool.random(using: &generator)
                if let at = model.firstIndex(of: id), model.indices.contains(up ? at - 1 : at + 1) {
                    let moved = list.move(id, up: up)
                    #expect(moved)
                    model.swapAt(at, up ? at - 1 : at + 1)
                } else {
                    let moved = list.move(id, up: up)
                    #expect(!moved)
                }
            }
            #expect(list.order == model)
            for (at, id) in model.enumerated() { #expect(list.rank(of: id) == at + 1) }
        }
    }

    @Test func `a list made from an order with repeats keeps the first of each`() {
        #expect(RankedList([3, 1, 3, 2, 1]).order == [3, 1, 2])
    }
}
