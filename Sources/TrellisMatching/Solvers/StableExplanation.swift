/// Why a stable match does not pair two people, in words: who would refuse whom.
///
/// In a stable match, for any mentee and mentor not paired together, at least one of them
/// prefers what they got: the mentee holds a mentor they ranked higher, or the mentor's places
/// are all taken by mentees they ranked higher. A pair is also impossible when either side did
/// not rank the other. A program manager's locked or hand-made pair sits outside the rankings,
/// and is named as such.
public enum StableExplanation {
    /// Someone a person was paired with, and how that person ranked them (nil: not ranked, so
    /// the pair came from the program manager's decision).
    public struct Partner: Sendable, Equatable {
        public var name: String
        public var rank: Int?

        public init(name: String, rank: Int?) {
            self.name = name
            self.rank = rank
        }
    }

    /// - Parameters:
    ///   - menteeRanksMentor: where the mentee put the mentor on their shortlist (nil: not on it).
    ///   - mentorRanksMentee: where the mentor ranked the mentee (nil: not ranked).
    ///   - menteePartner: the mentee's mentor in the match, ranked by the mentee.
    ///   - mentorPartners: the mentor's mentees in the match, each ranked by the mentor.
    public static func whyNot(
        mentee: String, mentor: String, menteeRanksMentor: Int?, mentorRanksMentee: Int?,
        menteePartner: Partner?, mentorPartners: [Partner], mentorCapacity: Int
    ) -> [String] {
        if menteePartner?.name == mentor { return ["They are paired."] }
        var sentences: [String] = []
        if menteeRanksMentor == nil { sentences.append("\(mentee) did not put \(mentor) on their shortlist.") }
        if mentorRanksMentee == nil {
            sentences.append(menteeRanksMentor == nil
                ? "\(mentor) could rank only mentees who chose them, so did not rank \(mentee)."
                : "\(mentor) did not rank \(mentee).")
        }
        if !sentences.isEmpty {
            sentences.append("Stable matching pairs only people who ranked each other.")
            return sentences
        }
        let mentorRank = menteeRanksMentor!, menteeRank = mentorRanksMentee!
        // The mentee's side: do they hold someone they like better?
        if let partner = menteePartner {
            if let held = partner.rank, held < mentorRank {
                return ["\(mentee) would refuse \(mentor): \(mentee) is paired with \(partner.name), their \(ordinal(held)) choice, above \(mentor) (their \(ordinal(mentorRank)))."]
            }
            if partner.rank == nil {
                sentences.append("\(mentee) is paired with \(partner.name) by the program manager's decision, not by the rankings.")
            }
        }
        // The mentor's side: are all their places taken by mentees they like better?
        let full = mentorCapacity > 0 && mentorPartners.count >= mentorCapacity
        // A mentee the mentor did not rank (placed by the manager) is not one they prefer.
        let better = mentorPartners.filter { $0.rank.map { $0 < menteeRank } ?? false }
        if full && better.count == mentorPartners.count && !mentorPartners.isEmpty {
            let ranked = mentorPartners.sorted { ($0.rank ?? 0, $0.name) < ($1.rank ?? 0, $1.name) }
            let list = ranked.map { partner in
                partner.rank.map { "\(partner.name) (\(ordinal($0)))" } ?? "\(partner.name) (by the program manager's decision)"
            }
            let places = mentorCapacity == 1 ? "\(mentor)'s only place is taken by a mentee they ranked higher" : "all \(mentorCapacity) of \(mentor)'s places are taken by mentees they ranked higher"
            sentences.append("\(mentor) would refuse \(mentee): \(places) — \(list.joined(separator: ", ")) — and \(mentee) is their \(ordinal(menteeRank)).")
            return sentences
        }
        for partner in mentorPartners where partner.rank == nil {
            sentences.append("\(mentor) holds \(partner.name) by the program manager's decision, not by the rankings.")
        }
        if mentorCapacity <= 0 {
            sentences.append("\(mentor) has no place in this program.")
            return sentences
        }
        // Neither refuses: only a manager's decision can have made this, since the rankings alone
        // give a stable match.
        sentences.append("\(mentee) and \(mentor) would both rather be together: the program manager's locked or hand-made pairs kept them apart. Without those decisions, stable matching would have paired them or someone they both prefer.")
        return sentences
    }

    /// "1st", "2nd", "3rd", "11th", "22nd".
    public static func ordinal(_ n: Int) -> String {
        let tens = (n / 10) % 10, last = n % 10
        let suffix = tens == 1 ? "th" : last == 1 ? "st" : last == 2 ? "nd" : last == 3 ? "rd" : "th"
        return "\(n)\(suffix)"
    }
}
