import Foundation
import TrellisCore
import TrellisMatching

/// Seeded synthetic cohorts for tests and benchmarks, the same on every machine. The default
/// shape (`Shape.readme`, the README's figures):
/// - about 200 skill tags whose popularity is skewed (Zipf, exponent 1), so a few skills are
///   common and most are rare, as in real organisations;
/// - 3 to 8 tags per list (expertise, development areas), 2 to 5 interests of 60, 2 to 4 values
///   of 24, 1 to 3 languages of 12;
/// - time zones on five continents; departments of about 200 people with two-level reporting lines;
/// - mentors with capacities drawn uniformly from `capacities`.
/// Other shapes change one thing or several (`Shape`), so that the engine is measured on data it
/// was not tuned on.
public enum SyntheticPopulation {
    /// What a cohort looks like.
    public struct Shape: Sendable {
        public var name: String
        /// Whether skills are drawn with Zipf popularity (a few common, most rare) or uniformly.
        public var skewedSkills: Bool
        public var skills: Int
        public var tagsPerList: ClosedRange<Int>
        /// How many interests and values there are to draw from, and how many each person lists.
        public var interests: Int, interestsPerPerson: ClosedRange<Int>
        public var values: Int, valuesPerPerson: ClosedRange<Int>
        public var departmentSize: Int
        /// Each manager's direct reports below the department's head: 0 for the default two
        /// levels (a head and nine team leads); n for a tree in which every manager has n reports
        /// (several levels deep).
        public var reportsPerManager: Int
        /// How many languages each person speaks, drawn from the first eight of the list with
        /// none in common for sure; nil for the default (English, and a second one two times in
        /// three).
        public var languagesPerPerson: ClosedRange<Int>? = nil
        /// Years of experience of mentors and of mentees; nil for the defaults (5–25 and 0–8).
        public var years: (mentors: ClosedRange<Int>, mentees: ClosedRange<Int>)? = nil
        /// People of this many kinds per side, everyone of a kind alike in all that scores (tags,
        /// time zone, languages, frequency, years), as when profiles come from a few templates;
        /// nil: everyone drawn on their own. Scores then tie in large blocks.
        public var kinds: Int? = nil

        /// The README's figures: skewed skills, short lists, departments of 200, two levels.
        public static let readme = Shape(
            name: "readme", skewedSkills: true, skills: 200, tagsPerList: 3...8, interests: 60, interestsPerPerson: 2...5,
            values: 24, valuesPerPerson: 2...4, departmentSize: 200, reportsPerManager: 0
        )
        /// Every skill about as popular as any other, and interests and values drawn from a
        /// vocabulary as large as the skills' (few shared ones by chance).
        public static let flat = Shape(
            name: "flat", skewedSkills: false, skills: 200, tagsPerList: 3...8, interests: 200, interestsPerPerson: 2...5,
            values: 200, valuesPerPerson: 2...4, departmentSize: 200, reportsPerManager: 0
        )
        /// Long lists: 10 to 16 skills, 6 to 10 interests, 4 to 8 values.
        public static let manyTags = Shape(
            name: "many-tags", skewedSkills: true, skills: 200, tagsPerList: 10...16, interests: 60, interestsPerPerson: 6...10,
            values: 24, valuesPerPerson: 4...8, departmentSize: 200, reportsPerManager: 0
        )
        /// A few departments of 10,000 people, each a tree of managers with eight reports.
        public static let largeDepartments = Shape(
            name: "large-departments", skewedSkills: true, skills: 200, tagsPerList: 3...8, interests: 60, interestsPerPerson: 2...5,
            values: 24, valuesPerPerson: 2...4, departmentSize: 10_000, reportsPerManager: 8
        )
        /// Reporting lines many levels deep: every manager has two reports (departments of 2,000
        /// people, ten levels below the head).
        public static let deepLines = Shape(
            name: "deep-lines", skewedSkills: true, skills: 200, tagsPerList: 3...8, interests: 60, interestsPerPerson: 2...5,
            values: 24, valuesPerPerson: 2...4, departmentSize: 2_000, reportsPerManager: 2
        )
        /// What an independent test of the engine used: flat popularity, interests and values
        /// from vocabularies as large as the skills', reporting lines several levels deep.
        public static let independent = Shape(
            name: "independent", skewedSkills: false, skills: 300, tagsPerList: 3...8, interests: 300, interestsPerPerson: 2...6,
            values: 300, valuesPerPerson: 2...5, departmentSize: 1_000, reportsPerManager: 4
        )

        /// Like `scripts/bench-import.py`'s flat people file: uniform skills, one to three of eight
        /// languages (no language everyone shares), years of 0–40 on both sides (a mentee may have
        /// more than their mentor), 60 interests and 24 values.
        public static let hrFile = Shape(
            name: "hr-file", skewedSkills: false, skills: 200, tagsPerList: 3...8, interests: 60, interestsPerPerson: 2...6,
            values: 24, valuesPerPerson: 1...4, departmentSize: 200, reportsPerManager: 0,
            languagesPerPerson: 1...3, years: (0...40, 0...40)
        )

        /// The README's population in sixty kinds of mentors and sixty of mentees.
        public static let kinds = Shape(
            name: "kinds", skewedSkills: true, skills: 200, tagsPerList: 3...8, interests: 60, interestsPerPerson: 2...5,
            values: 24, valuesPerPerson: 2...4, departmentSize: 200, reportsPerManager: 0, kinds: 60
        )

        public static let all: [Shape] = [.readme, .flat, .manyTags, .largeDepartments, .deepLines, .independent, .hrFile, .kinds]
    }

    public static let zones = [
        "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York", "America/Sao_Paulo",
        "Europe/London", "Europe/Berlin", "Europe/Helsinki", "Africa/Lagos", "Africa/Nairobi",
        "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
    ]

    public static func make(mentees: Int, mentors: Int, capacities: ClosedRange<Int> = 1...3, skills: Int = 200, seed: UInt64 = 1) -> [Participant] {
        var shape = Shape.readme
        shape.skills = skills
        return make(mentees: mentees, mentors: mentors, shape: shape, capacities: capacities, seed: seed)
    }

    public static func make(mentees: Int, mentors: Int, shape: Shape, capacities: ClosedRange<Int> = 1...3, seed: UInt64 = 1) -> [Participant] {
        var rng = SeededGenerator(seed: seed)
        let skills = shape.skills
        let skillNames = (0..<skills).map { "skill-\($0)" }
        // Zipf weights as a cumulative table for sampling.
        var cumulative: [Double] = []
        var running = 0.0
        for rank in 1...skills { running += 1 / Double(rank); cumulative.append(running) }
        func skill() -> String {
            if !shape.skewedSkills { return skillNames[Int.random(in: 0..<skills, using: &rng)] }
            let target = Double.random(in: 0..<running, using: &rng)
            var low = 0, high = cumulative.count - 1
            while low < high { let mid = (low + high) / 2; if cumulative[mid] < target { low = mid + 1 } else { high = mid } }
            return skillNames[low]
        }
        func skillList() -> [String] {
            let count = Int.random(in: shape.tagsPerList, using: &rng)
            var set = Set<String>(), list: [String] = []
            var attempts = 0
            while list.count < count && attempts < 100 { attempts += 1; let s = skill(); if set.insert(s).inserted { list.append(s) } }
            return list
        }
        let interests = (0..<shape.interests).map { "interest-\($0)" }
        let values = (0..<shape.values).map { "value-\($0)" }
        let languages = ["English", "Spanish", "Portuguese", "French", "German", "Hindi", "Mandarin", "Japanese", "Arabic", "Swahili", "Yoruba", "Korean"]
        var people: [Participant] = []
        people.reserveCapacity(mentees + mentors)
        let total = mentees + mentors
        let departmentSize = shape.departmentSize
        for index in 0..<total {
            let isMentor = index < mentors
            let departmentNumber = index / departmentSize
            let positionInDepartment = index % departmentSize
            let head = departmentNumber * departmentSize
            // Reporting lines: the first person of a department heads it; then either nine team
            // leads under the head, or a tree in which each manager has `reportsPerManager`.
            let manager: String?
            if positionInDepartment == 0 {
                manager = nil
            } else if shape.reportsPerManager > 0 {
                manager = "p\(head + (positionInDepartment - 1) / shape.reportsPerManager)"
            } else {
                manager = positionInDepartment < 10 ? "p\(head)" : "p\(head + 1 + positionInDepartment % 9)"
            }
            let zone = zones[Int.random(in: 0..<zones.count, using: &rng)]
            var spoken = ["English"]
            if let count = shape.languagesPerPerson {
                spoken = rng.sample(Array(languages.prefix(8)), count: Int.random(in: count, using: &rng))
            } else if Int.random(in: 0..<3, using: &rng) > 0 {
                spoken.append(languages[Int.random(in: 1..<languages.count, using: &rng)])
            }
            let yearRange = shape.years.map { isMentor ? $0.mentors : $0.mentees } ?? (isMentor ? 5...25 : 0...8)
            let years = Int.random(in: yearRange, using: &rng)
            people.append(Participant(
                id: "p\(index)", name: "Person \(index)", role: isMentor ? .mentor : .mentee,
                department: "Department \(departmentNumber)", managerID: manager, timezone: zone, languages: spoken,
                expertise: isMentor ? skillList() : [], developmentAreas: isMentor ? [] : skillList(),
                interests: rng.sample(interests, count: Int.random(in: shape.interestsPerPerson, using: &rng)),
                values: rng.sample(values, count: Int.random(in: shape.valuesPerPerson, using: &rng)),
                capacity: isMentor ? Int.random(in: capacities, using: &rng) : 0,
                meetingFrequency: MeetingFrequency.allCases[Int.random(in: 0..<4, using: &rng)],
                yearsExperience: years
            ))
        }
        if let kinds = shape.kinds, kinds > 0 {
            // The first people of each side are the kinds; everyone else takes one's profile.
            for index in 0..<total {
                let isMentor = index < mentors
                let first = isMentor ? 0 : mentors, count = min(kinds, isMentor ? mentors : mentees)
                guard index - first >= count else { continue }
                let kind = people[first + Int.random(in: 0..<count, using: &rng)]
                people[index].timezone = kind.timezone; people[index].languages = kind.languages
                people[index].expertise = kind.expertise; people[index].developmentAreas = kind.developmentAreas
                people[index].interests = kind.interests; people[index].values = kind.values
                people[index].meetingFrequency = kind.meetingFrequency; people[index].yearsExperience = kind.yearsExperience
            }
        }
        return people
    }
}
