import Fluent
import FluentSQL
import Foundation
import TrellisCore
import TrellisMatching

/// A mentee's suggested mentors in a self-select program: every mentor of the program scored
/// with the engine (the same scoring and rules as a bulk run), best first, with the reasons and
/// whether they have a place.
///
/// Scale: a request scores the mentee against every mentor of the program, so its cost grows
/// with the program's mentors (tens to a few thousand in a self-select program; measured in the
/// README). Programs of tens of thousands of mentors are bulk programs.
enum Suggestions {
    struct Mentor: Sendable {
        var id: UUID
        var name: String
        var department: String
        var expertise: [String]
        var score: Int64
        var reasons: [(contribution: Int64, sentence: String)]
        var placesLeft: Int
        var capacity: Int
        var paused: Bool
    }

    /// Every eligible mentor for the mentee, best score first. Mentors the program's rules rule
    /// out (reporting line, department, a repeat pair, an exclusion) are left out.
    static func mentors(for mentee: UUID, in program: Program, on db: any Database) async throws -> [Mentor] {
        let programID = try program.requireID()
        let input = try await ProgramMatching.input(for: program, scope: .mentorsAnd(mentee), on: db)
        var options = input.options
        options.locks = []
        options.minimumScore = 0
        let engine = try MatchEngine(participants: input.participants, options: options)
        let taken = try await PlainRows.all("""
            SELECT mentor_id, COUNT(*) AS n FROM mentorships WHERE program_id = \(bind: programID) AND state <> \(bind: MentorshipState.concluded.rawValue) GROUP BY mentor_id
            """, on: db)
        var takenBy: [UUID: Int] = [:]
        for row in taken { takenBy[try row.uuid("mentor_id")] = try row.int("n") }
        let paused = Set(try await Enrolment.query(on: db).filter(\.$programID == programID).filter(\.$paused == true).all().map(\.userID))
        var found: [Mentor] = []
        for participant in input.participants where participant.role == .mentor && participant.capacity > 0 {
            guard let id = UUID(uuidString: participant.id), id != mentee,
                  let explanation = try? engine.explain(menteeID: mentee.uuidString, mentorID: participant.id), explanation.brokenRule == nil
            else { continue }
            if program.minimumScore > 0, ScoreUnits.value(explanation.score) < program.minimumScore { continue }
            let reasons = ProgramMatching.namedReasons(explanation, input.names)
            found.append(Mentor(
                id: id, name: participant.name, department: participant.department, expertise: participant.expertise, score: explanation.score,
                reasons: reasons, placesLeft: max(0, participant.capacity - (takenBy[id] ?? 0)), capacity: participant.capacity, paused: paused.contains(id)
            ))
        }
        // Mentors with a place first, then by score, then by name.
        return found.sorted { a, b in
            let openA = a.placesLeft > 0 && !a.paused ? 1 : 0, openB = b.placesLeft > 0 && !b.paused ? 1 : 0
            return (openA, a.score, b.name) > (openB, b.score, a.name)
        }
    }
}
