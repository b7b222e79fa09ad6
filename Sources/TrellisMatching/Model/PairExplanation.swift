import Foundation
import TrellisCore

/// Why a pair scores what it scores: every factor with its weight, its value and a sentence.
public struct PairExplanation: Sendable, Equatable {
    public struct Factor: Sendable, Equatable {
        public var name: String
        /// 0...1: how well the pair does on this factor.
        public var value: Double
        /// The factor's share of the score (weights normalised to sum to one).
        public var weight: Double
        /// What it adds to the score, in millionths.
        public var contribution: Int64
        public var sentence: String
    }

    public var menteeID: String
    public var mentorID: String
    /// In millionths.
    public var score: Int64
    public var factors: [Factor]
    /// A rule the pair breaks, if any.
    public var brokenRule: BrokenRule?

    /// The factors that count most, as one line (for CSV files and summaries).
    public var summary: String {
        if let brokenRule { return brokenRule.sentence }
        return factors.filter { $0.weight > 0 }.sorted { $0.contribution > $1.contribution }.map(\.sentence).joined(separator: " ")
    }
}

extension PreparedInstance {
    func names(_ a: UnsafeMutablePointer<UInt64>, _ b: UnsafeMutablePointer<UInt64>, _ words: Int, _ vocabulary: [String]) -> [String] {
        var result: [String] = []
        for word in 0..<words {
            var shared = a[word] & b[word]
            while shared != 0 {
                let bit = shared.trailingZeroBitCount
                result.append(vocabulary[word * 64 + bit])
                shared &= shared - 1
            }
        }
        return result
    }

    static func list(_ items: [String], limit: Int = 4) -> String {
        let shown = items.prefix(limit).map { $0.lowercased() }
        let more = items.count > limit ? " and \(items.count - limit) more" : ""
        switch shown.count {
        case 0: return ""
        case 1: return shown[0] + more
        default: return shown.dropLast().joined(separator: ", ") + (more.isEmpty ? " and " + shown.last! : ", " + shown.last! + more)
        }
    }

    /// The factor-by-factor account of a pair, using the same tables as the scoring pass.
    func explain(mentee e: Int, mentor m: Int) -> PairExplanation {
        let a = Int(menteePerson[e]), b = Int(mentorPerson[m])
        let mentee = participants[a], mentor = participants[b]
        var menteeName = mentee.name.isEmpty ? mentee.id : mentee.name.split(separator: " ").first.map(String.init) ?? mentee.name
        var mentorName = mentor.name.isEmpty ? mentor.id : mentor.name.split(separator: " ").first.map(String.init) ?? mentor.name
        // Two people of one first name are told apart by their full names.
        if menteeName == mentorName, !mentee.name.isEmpty, !mentor.name.isEmpty { (menteeName, mentorName) = (mentee.name, mentor.name) }
        var factors: [PairExplanation.Factor] = []
        let w = normalisedWeights

        let development = Int(developmentCount[a])
        let covered = names(developmentBits + a * skillWords, expertiseBits + b * skillWords, skillWords, skillNames)
        let complement = development == 0 ? 0 : complementTable[development * tableRow + covered.count]
        let complementSentence = development == 0
            ? "\(menteeName) lists no development areas, so complementary strengths cannot be judged."
            : covered.isEmpty ? "\(mentorName)'s expertise covers none of \(menteeName)'s \(development) development areas."
            : "\(mentorName)'s expertise covers \(covered.count) of \(menteeName)'s \(development) development area\(development == 1 ? "" : "s") (\(Self.list(covered)))."
        factors.append(.init(name: "complementary strengths", value: development == 0 ? 0 : Double(covered.count) / Double(development), weight: w.complementarity, contribution: complement, sentence: complementSentence))

        func shared(_ name: String, _ bits: UnsafeMutablePointer<UInt64>, _ words: Int, _ vocabulary: [String], _ counts: [Int32], _ table: [Int64], _ weight: Double) {
            let smaller = Int(min(counts[a], counts[b]))
            let common = names(bits + a * words, bits + b * words, words, vocabulary)
            let contribution = smaller == 0 ? 0 : table[smaller * tableRow + common.count]
            let sentence = smaller == 0 ? "One of them lists no \(name)."
                : common.isEmpty ? "They share no \(name)."
                : "They share \(common.count) \(common.count == 1 ? String(name.dropLast()) : name): \(Self.list(common))."
            factors.append(.init(name: "shared \(name)", value: smaller == 0 ? 0 : Double(common.count) / Double(smaller), weight: weight, contribution: contribution, sentence: sentence))
        }
        shared("interests", interestBits, interestWords, interestNames, interestCount, interestTable, w.sharedInterests)
        shared("values", valueBits, valueWords, valueNames, valueCount, valueTable, w.sharedValues)

        let zoneA = Int(timezoneIndex[a]), zoneB = Int(timezoneIndex[b])
        let hours = Self.workingHoursOverlap(timezoneOffsetMinutes[zoneA], timezoneOffsetMinutes[zoneB])
        let zoneSentence: String
        if timezoneOffsetMinutes[zoneA] == Self.unknownOffset || timezoneOffsetMinutes[zoneB] == Self.unknownOffset {
            zoneSentence = "A time zone is missing, so working-hours overlap counts as half."
        } else if hours >= 8 {
            zoneSentence = mentee.timezone == mentor.timezone ? "Same time zone (\(mentee.timezone)): their working days overlap fully." : "Their working days overlap fully (\(mentee.timezone), \(mentor.timezone))."
        } else if hours <= 0 {
            zoneSentence = "Their working hours do not overlap (\(mentee.timezone), \(mentor.timezone))."
        } else {
            zoneSentence = "Their working hours overlap by \(String(format: hours == hours.rounded() ? "%.0f" : "%.1f", hours)) hours (\(mentee.timezone), \(mentor.timezone))."
        }
        factors.append(.init(name: "time-zone overlap", value: hours / 8, weight: w.timeZone, contribution: timezoneTable[zoneA * zoneCount + zoneB], sentence: zoneSentence))

        let languages = names(languageBits + a * languageWords, languageBits + b * languageWords, languageWords, languageNames)
        let unknownLanguage = languageCount[a] == 0 || languageCount[b] == 0
        factors.append(.init(
            name: "common language", value: unknownLanguage ? 0.5 : languages.isEmpty ? 0 : 1, weight: w.language,
            contribution: unknownLanguage ? languageUnknown : languages.isEmpty ? languageNone : languageShared,
            sentence: unknownLanguage ? "A language list is missing, so a common language counts as half."
                : languages.isEmpty ? "They list no language in common." : "Both speak \(languages.prefix(3).joined(separator: ", "))."
        ))

        let fa = Int(frequencyCode[a]), fb = Int(frequencyCode[b])
        let frequencySentence: String
        if fa == Int(Self.unknownFrequency) || fb == Int(Self.unknownFrequency) { frequencySentence = "A meeting-frequency preference is missing, so it counts as half." }
        else if fa == fb { frequencySentence = "Both prefer to meet \(MeetingFrequency.allCases[fa].label.lowercased())." }
        else { frequencySentence = "Meeting preferences differ: \(MeetingFrequency.allCases[fa].label.lowercased()) and \(MeetingFrequency.allCases[fb].label.lowercased())." }
        factors.append(.init(name: "meeting frequency", value: Self.frequencyAgreement(fa, fb), weight: w.meetingFrequency, contribution: frequencyTable[fa * Self.frequencyCodes + fb], sentence: frequencySentence))

        let ya = years[a], yb = years[b]
        if ya == Self.unknownYears || yb == Self.unknownYears {
            factors.append(.init(name: "experience", value: 0.5, weight: w.experience, contribution: experienceUnknown, sentence: "Years of experience are missing, so experience counts as half."))
        } else {
            let gap = Int(yb - ya)
            let sentence = gap > 0 ? "\(mentorName) has \(gap) more year\(gap == 1 ? "" : "s") of experience\(gap >= 8 ? " (the most this factor rewards)" : "")."
                : gap == 0 ? "They have the same years of experience." : "\(mentorName) has less experience than \(menteeName)."
            factors.append(.init(name: "experience", value: gap <= 0 ? 0 : min(Double(gap), 8) / 8, weight: w.experience, contribution: experienceTable[min(max(gap, -1), 8) + 1], sentence: sentence))
        }
        let score = min(factors.reduce(0) { $0 + $1.contribution }, ScoreUnits.perOne)
        var broken = ruleBroken(mentee: e, mentor: m)
        if broken == nil, score < minimumScore { broken = .belowMinimumScore }
        return PairExplanation(menteeID: mentee.id, mentorID: mentor.id, score: score, factors: factors, brokenRule: broken)
    }
}
