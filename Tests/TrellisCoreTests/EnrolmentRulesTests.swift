import Foundation
import Testing
@testable import TrellisCore

@Suite struct EnrolmentRulesTests {
    func day(_ text: String) -> CalendarDay { CalendarDay(text)! }

    @Test func `a mentor's capacity in a program comes from the enrolment, else the profile, and a mentee has none`() {
        #expect(EnrolmentRules.effectiveCapacity(role: .mentor, given: 2, profile: 5) == 2)
        #expect(EnrolmentRules.effectiveCapacity(role: .mentor, given: nil, profile: 5) == 5)
        #expect(EnrolmentRules.effectiveCapacity(role: .mentor, given: nil, profile: 0) == nil, "a profile capacity of 0 is no capacity in a program")
        #expect(EnrolmentRules.effectiveCapacity(role: .mentee, given: 3, profile: 3) == nil)
        #expect(EnrolmentRules.capacityProblem(role: .mentor, given: nil, profile: nil)?.contains("Capacity is required") == true)
        #expect(EnrolmentRules.capacityProblem(role: .mentor, given: 0, profile: 4)?.contains("from 1 to 10") == true)
        #expect(EnrolmentRules.capacityProblem(role: .mentor, given: 11, profile: nil)?.contains("from 1 to 10") == true)
        #expect(EnrolmentRules.capacityProblem(role: .mentee, given: 1, profile: nil)?.contains("A mentee does not take mentees") == true)
        #expect(EnrolmentRules.capacityProblem(role: .mentee, given: nil, profile: 4) == nil)
    }

    @Test func `joining needs an enrolling program and today within the window, both ends inclusive`() {
        func refusal(_ state: ProgramState, _ today: String, opens: String? = "2027-01-10", closes: String? = "2027-01-20", enrolled: ProgramRole? = nil) -> String? {
            EnrolmentRules.refusal(joining: .init(state: state, today: day(today), opens: opens.map(day), closes: closes.map(day), enrolledAs: enrolled))
        }
        #expect(refusal(.enrolling, "2027-01-10") == nil && refusal(.enrolling, "2027-01-20") == nil)
        #expect(refusal(.enrolling, "2027-01-09") == "Enrolment opens on 2027-01-10.")
        #expect(refusal(.enrolling, "2027-01-21") == "Enrolment closed on 2027-01-20.")
        #expect(refusal(.enrolling, "2030-01-01", opens: nil, closes: nil) == nil)
        for state in [ProgramState.draft, .matching, .active, .concluded] {
            #expect(refusal(state, "2027-01-15")?.hasPrefix("Enrolment is closed") == true, "\(state)")
        }
        #expect(refusal(.enrolling, "2027-01-15", enrolled: .mentor) == "You are already enrolled in this program as a mentor.")
    }

    @Test func `withdrawing is for the enrolled and unmatched, until the roster is fixed`() {
        #expect(EnrolmentRules.refusal(withdrawing: .init(state: .enrolling, enrolled: true, matched: false)) == nil)
        #expect(EnrolmentRules.refusal(withdrawing: .init(state: .matching, enrolled: true, matched: false)) == nil)
        #expect(EnrolmentRules.refusal(withdrawing: .init(state: .matching, enrolled: true, matched: true))?.contains("already matched") == true)
        #expect(EnrolmentRules.refusal(withdrawing: .init(state: .enrolling, enrolled: false, matched: false)) == "You are not enrolled in this program.")
        #expect(EnrolmentRules.refusal(withdrawing: .init(state: .active, enrolled: true, matched: false))?.contains("roster is fixed") == true)
        #expect(EnrolmentRules.managerEnrolProblem(state: .matching) == nil)
        #expect(EnrolmentRules.managerEnrolProblem(state: .active) != nil && EnrolmentRules.managerEnrolProblem(state: .concluded) != nil)
    }

    @Test func `what may change in a program's settings depends on its state`() {
        let old = ProgramDraft(name: "P", mode: .bulk, enrolmentOpens: day("2027-01-01"), starts: day("2027-02-01"), minimumScore: 0.2)
        var new = old
        new.mode = .selfSelect
        new.minimumScore = 0.3
        new.enrolmentOpens = day("2027-01-02")
        new.starts = day("2027-02-02")
        #expect(ProgramRules.changeProblems(from: old, to: new, state: .draft).isEmpty)
        #expect(ProgramRules.changeProblems(from: old, to: new, state: .enrolling).isEmpty)
        #expect(ProgramRules.changeProblems(from: old, to: new, state: .matching).order == ["mode"])
        #expect(ProgramRules.changeProblems(from: old, to: new, state: .active).order == ["mode", "minimum_score", "enrolment_opens"])
        #expect(ProgramRules.changeProblems(from: old, to: new, state: .concluded).order == ["mode", "minimum_score", "enrolment_opens", "starts"])
        var texts = old
        texts.name = "Q"; texts.description = "D"; texts.purpose = "P"; texts.ends = day("2027-12-31")
        for state in ProgramState.allCases { #expect(ProgramRules.changeProblems(from: old, to: texts, state: state).isEmpty, "\(state)") }
    }
}
