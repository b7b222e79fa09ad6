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

@Suite struct EnrolmentTableTests {
    @Test func `an enrolment file is email,role,capacity in any order, capacity optional, every bad row named`() {
        let good = EnrolmentTable.parse("\u{FEFF}Role , EMAIL,capacity\nmentor, Olivia@Example.org ,2\r\nmentee,sam@example.org,\n,,\nMENTOR,kai@example.org,\n")
        #expect(good.isValid)
        #expect(good.records == [
            .init(row: 2, email: "olivia@example.org", role: .mentor, capacity: 2),
            .init(row: 3, email: "sam@example.org", role: .mentee, capacity: nil),
            .init(row: 5, email: "kai@example.org", role: .mentor, capacity: nil),
        ])
        #expect(EnrolmentTable.parse("email,role\na@example.org,mentee\n").isValid)

        let bad = EnrolmentTable.parse("email,role,capacity\nnot-an-email,mentee,\na@example.org,boss,\nb@example.org,mentee,1\nc@example.org,mentor,0\nc@example.org,mentor,11\nd@example.org,mentor\nA@example.org,mentee,\n,mentor,1\ne@example.org,mentor,=1+1\nf@example.org,mentee,\n")
        #expect(bad.problems.map { "\($0.row) \($0.column)" } == [
            "2 email", "3 role", "4 capacity", "5 capacity", "6 email", "6 capacity", "7 ", "8 email", "9 email", "10 capacity",
        ])
        #expect(bad.problems.first { $0.row == 8 }?.message.contains("already appears in row 3") == true)
        #expect(bad.problems.first { $0.row == 7 }?.message == "This row has 2 cells; the header has 3.")
        // The rows right on their own are kept, so the database's checks can name theirs too.
        #expect(bad.records.map(\.row) == [11])

        for (text, message) in [
            ("", "The file is empty"), ("email,capacity\n", "missing this column"), ("email,role,team\n", "Unknown column"),
            ("email,role,role\n", "appears more than once"), ("email,role,capacity\n\n,,\n", "no one to enrol"),
        ] {
            let result = EnrolmentTable.parse(text)
            #expect(!result.isValid && result.problems.contains { $0.message.contains(message) }, "\(text.debugDescription)")
        }
    }
}
