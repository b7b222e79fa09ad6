import Foundation
import TrellisCore
import TrellisMatching

/// Seeded synthetic cohorts for tests and benchmarks, the same on every machine:
/// - about 200 skill tags whose popularity is skewed (Zipf, exponent 1), so a few skills are
///   common and most are rare, as in real organisations;
/// - 3 to 8 tags per list (expertise, development areas), 2 to 5 interests of 60, 2 to 4 values
///   of 24, 1 to 3 languages of 12;
/// - time zones on five continents; departments of about 200 people with two-level reporting lines;
/// - mentors with capacities drawn uniformly from `capacities`.
public enum SyntheticPopulation {
    public static let zones = [
        "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York", "America/Sao_Paulo",
        "Europe/London", "Europe/Berlin", "Europe/Helsinki", "Africa/Lagos", "Africa/Nairobi",
        "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
    ]

    public static func make(mentees: Int, mentors: Int, capacities: ClosedRange<Int> = 1...3, skills: Int = 200, seed: UInt64 = 1) -> [Participant] {
        var rng = SeededGenerator(seed: seed)
        let skillNames = (0..<skills).map { "skill-\($0)" }
        // Zipf weights as a cumulative table for sampling.
        var cumulative: [Double] = []
        var running = 0.0
        for rank in 1...skills { running += 1 / Double(rank); cumulative.append(running) }
        func skill() -> String {
            let target = Double.random(in: 0..<running, using: &rng)
            var low = 0, high = cumulative.count - 1
            while low < high { let mid = (low + high) / 2; if cumulative[mid] < target { low = mid + 1 } else { high = mid } }
            return skillNames[low]
        }
        func skillList() -> [String] {
            let count = Int.random(in: 3...8, using: &rng)
            var set = Set<String>(), list: [String] = []
            var attempts = 0
            while list.count < count && attempts < 100 { attempts += 1; let s = skill(); if set.insert(s).inserted { list.append(s) } }
            return list
        }
        let interests = (0..<60).map { "interest-\($0)" }
        let values = (0..<24).map { "value-\($0)" }
        let languages = ["English", "Spanish", "Portuguese", "French", "German", "Hindi", "Mandarin", "Japanese", "Arabic", "Swahili", "Yoruba", "Korean"]
        var people: [Participant] = []
        people.reserveCapacity(mentees + mentors)
        let total = mentees + mentors
        let departmentSize = 200
        for index in 0..<total {
            let isMentor = index < mentors
            let departmentNumber = index / departmentSize
            let positionInDepartment = index % departmentSize
            // Reporting lines: the first person of a department heads it, the next nine lead teams.
            let manager: String? = positionInDepartment == 0 ? nil
                : positionInDepartment < 10 ? "p\(departmentNumber * departmentSize)"
                : "p\(departmentNumber * departmentSize + 1 + positionInDepartment % 9)"
            let zone = zones[Int.random(in: 0..<zones.count, using: &rng)]
            var spoken = ["English"]
            if Int.random(in: 0..<3, using: &rng) > 0 { spoken.append(languages[Int.random(in: 1..<languages.count, using: &rng)]) }
            let years = isMentor ? Int.random(in: 5...25, using: &rng) : Int.random(in: 0...8, using: &rng)
            people.append(Participant(
                id: "p\(index)", name: "Person \(index)", role: isMentor ? .mentor : .mentee,
                department: "Department \(departmentNumber)", managerID: manager, timezone: zone, languages: spoken,
                expertise: isMentor ? skillList() : [], developmentAreas: isMentor ? [] : skillList(),
                interests: rng.sample(interests, count: Int.random(in: 2...5, using: &rng)),
                values: rng.sample(values, count: Int.random(in: 2...4, using: &rng)),
                capacity: isMentor ? Int.random(in: capacities, using: &rng) : 0,
                meetingFrequency: MeetingFrequency.allCases[Int.random(in: 0..<4, using: &rng)],
                yearsExperience: years
            ))
        }
        return people
    }
}
