import Foundation
import TrellisCore

/// One person as the matching engine sees them (the profile of PRODUCT.md §1, reduced to what
/// matching uses). Someone whose role is `.both` can be matched as a mentor and as a mentee.
public struct Participant: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Nil: someone without a mentoring role, present for the reporting lines they are part of
    /// (a mentee's manager's manager may be a mentor), never matched.
    public var role: MentoringRole?
    public var department: String
    public var managerID: String?
    public var timezone: String
    public var languages: [String]
    public var expertise: [String]
    public var developmentAreas: [String]
    public var interests: [String]
    public var values: [String]
    /// How many mentees a mentor takes.
    public var capacity: Int
    public var meetingFrequency: MeetingFrequency?
    public var yearsExperience: Int?

    public init(
        id: String, name: String = "", role: MentoringRole?, department: String = "", managerID: String? = nil,
        timezone: String = "", languages: [String] = [], expertise: [String] = [], developmentAreas: [String] = [],
        interests: [String] = [], values: [String] = [], capacity: Int = 0, meetingFrequency: MeetingFrequency? = nil,
        yearsExperience: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.department = department
        self.managerID = managerID
        self.timezone = timezone
        self.languages = languages
        self.expertise = expertise
        self.developmentAreas = developmentAreas
        self.interests = interests
        self.values = values
        self.capacity = capacity
        self.meetingFrequency = meetingFrequency
        self.yearsExperience = yearsExperience
    }

    /// The participant of a people-CSV record (its email is the id).
    public init(_ record: PersonRecord) {
        self.init(
            id: record.email, name: record.name, role: record.role, department: record.department,
            managerID: record.managerEmail, timezone: record.timezone, languages: record.languages,
            expertise: record.expertise, developmentAreas: record.developmentAreas, interests: record.interests,
            values: record.values, capacity: record.capacity ?? 0, meetingFrequency: record.meetingFrequency,
            yearsExperience: record.yearsExperience
        )
    }
}

/// How much each factor counts. Any non-negative numbers; they are normalised to sum to one.
public struct MatchWeights: Sendable, Equatable, Codable {
    public var complementarity: Double
    public var sharedInterests: Double
    public var sharedValues: Double
    public var timeZone: Double
    public var language: Double
    public var meetingFrequency: Double
    public var experience: Double

    public init(
        complementarity: Double = 0.35, sharedInterests: Double = 0.15, sharedValues: Double = 0.15,
        timeZone: Double = 0.15, language: Double = 0.10, meetingFrequency: Double = 0.05, experience: Double = 0.05
    ) {
        self.complementarity = complementarity
        self.sharedInterests = sharedInterests
        self.sharedValues = sharedValues
        self.timeZone = timeZone
        self.language = language
        self.meetingFrequency = meetingFrequency
        self.experience = experience
    }

    public static let `default` = MatchWeights()

    /// The names of the weights in a JSON file.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case complementarity, sharedInterests, sharedValues, timeZone, language, meetingFrequency, experience
    }

    /// Any weight left out keeps its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = MatchWeights()
        complementarity = try container.decodeIfPresent(Double.self, forKey: .complementarity) ?? defaults.complementarity
        sharedInterests = try container.decodeIfPresent(Double.self, forKey: .sharedInterests) ?? defaults.sharedInterests
        sharedValues = try container.decodeIfPresent(Double.self, forKey: .sharedValues) ?? defaults.sharedValues
        timeZone = try container.decodeIfPresent(Double.self, forKey: .timeZone) ?? defaults.timeZone
        language = try container.decodeIfPresent(Double.self, forKey: .language) ?? defaults.language
        meetingFrequency = try container.decodeIfPresent(Double.self, forKey: .meetingFrequency) ?? defaults.meetingFrequency
        experience = try container.decodeIfPresent(Double.self, forKey: .experience) ?? defaults.experience
    }

    var all: [Double] { [complementarity, sharedInterests, sharedValues, timeZone, language, meetingFrequency, experience] }

    /// The same weights scaled to sum to one (valid weights: see `validate`).
    var normalised: MatchWeights {
        let total = all.reduce(0, +)
        return MatchWeights(
            complementarity: complementarity / total, sharedInterests: sharedInterests / total, sharedValues: sharedValues / total,
            timeZone: timeZone / total, language: language / total, meetingFrequency: meetingFrequency / total, experience: experience / total
        )
    }

    /// Problems with the weights, by field name (as in a weights JSON file).
    public func validate() -> ValidationErrors {
        var errors = ValidationErrors()
        let names = ["complementarity", "sharedInterests", "sharedValues", "timeZone", "language", "meetingFrequency", "experience"]
        for (name, value) in zip(names, all) where !(value.isFinite && value >= 0) {
            errors.add(name, "A weight must be a number zero or above (it is \(value)).")
        }
        if errors.isEmpty, all.reduce(0, +) <= 0 { errors.add("weights", "At least one weight must be above zero.") }
        return errors
    }
}

/// What the engine maximises.
public enum MatchObjective: String, Sendable, CaseIterable, Codable {
    /// The highest total score.
    case score
    /// As many mentees matched as possible, then the highest total score among those assignments.
    case participation
}

/// The hard rules and choices of one matching run.
public struct MatchOptions: Sendable {
    public var weights: MatchWeights
    public var objective: MatchObjective
    /// Never pair two people of the same department.
    public var excludeSameDepartment: Bool
    /// Pairs scoring below this (0...1) are never made.
    public var minimumScore: Double
    /// Pairs (mentee id, mentor id) that must not be made.
    public var exclusions: [(mentee: String, mentor: String)]
    /// Pairs (mentee id, mentor id) that must be made (an admin's decisions, kept when re-running).
    public var locks: [(mentee: String, mentor: String)]
    /// How many best mentors each mentee keeps as candidates, and best mentees each mentor keeps.
    public var menteeCandidates: Int
    public var mentorCandidates: Int
    /// Worker threads for scoring (defaults to the machine's cores).
    public var threads: Int
    /// Whether the optimal solve may start from the best assignment between kinds of people
    /// (people who score alike with anyone) when there are few kinds (`GroupedStart`). Only
    /// for studying the solver: the result is optimal either way.
    public var groupedStart: Bool

    public init(
        weights: MatchWeights = .default, objective: MatchObjective = .score, excludeSameDepartment: Bool = false,
        minimumScore: Double = 0, exclusions: [(mentee: String, mentor: String)] = [], locks: [(mentee: String, mentor: String)] = [],
        menteeCandidates: Int = 25, mentorCandidates: Int = 50, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        groupedStart: Bool = true
    ) {
        self.groupedStart = groupedStart
        self.weights = weights
        self.objective = objective
        self.excludeSameDepartment = excludeSameDepartment
        self.minimumScore = minimumScore
        self.exclusions = exclusions
        self.locks = locks
        self.menteeCandidates = menteeCandidates
        self.mentorCandidates = mentorCandidates
        self.threads = max(1, threads)
    }
}

/// A problem with the input of a run (an unknown id in a lock, a lock over capacity, ...).
public struct MatchInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Scores are whole millionths: exact, comparable and summable without rounding drift.
public enum ScoreUnits {
    public static let perOne: Int64 = 1_000_000

    public static func format(_ micro: Int64) -> String {
        let sign = micro < 0 ? "-" : ""
        let magnitude = micro.magnitude
        let fraction = String(magnitude % UInt64(perOne))
        return "\(sign)\(magnitude / UInt64(perOne)).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    public static func value(_ micro: Int64) -> Double { Double(micro) / Double(perOne) }

    /// The largest score a pair table may give a pair: 1,000 (in millionths). Totals of any
    /// number of pairs a matching can make stay far inside 64 bits, and the solver scales them
    /// exactly.
    public static let maximumScore: Int64 = 1_000 * perOne

    /// Reads a decimal such as "0.75" or "12" with at most six decimal places, exactly.
    public static func parse(_ text: String) -> Int64? {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.withUTF8 { parse(utf8: $0) }
    }

    /// `parse` on text as UTF-8 bytes, already trimmed: ASCII digits with at most one point, a
    /// digit on each side of it (the whole part may be left out: ".5"), at most six decimals.
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var whole: Int64 = 0, fraction: Int64 = 0
        var wholeDigits = 0, fractionDigits = 0, point = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if point { return nil }
                point = true
                continue
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            if point {
                fractionDigits += 1
                guard fractionDigits <= 6 else { return nil }
                fraction = fraction * 10 + digit
            } else {
                wholeDigits += 1
                let (shifted, over) = whole.multipliedReportingOverflow(by: 10)
                let (sum, overAgain) = shifted.addingReportingOverflow(digit)
                guard !over && !overAgain else { return nil }
                whole = sum
            }
        }
        guard wholeDigits > 0 || point, !point || fractionDigits > 0, whole <= Int64.max / perOne / 4 else { return nil }
        for _ in fractionDigits..<6 { fraction *= 10 }
        return whole * perOne + fraction
    }
}
