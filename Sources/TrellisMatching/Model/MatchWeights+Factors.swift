import TrellisCore

extension MatchWeights {
    /// One factor of a pair's score as a program manager edits its weight: its name in a weights
    /// file and a form (`key`), what it is called, and the sentence that says what it rewards.
    public struct Factor: Sendable {
        public let key: String
        public let label: String
        public let explanation: String
        public let keyPath: WritableKeyPath<MatchWeights, Double> & Sendable
    }

    /// Every factor, in the order the engine's explanations list them.
    public static let factors: [Factor] = [
        Factor(key: "complementarity", label: "Complementary strengths",
               explanation: "How much of what the mentee wants to develop the mentor lists as expertise.", keyPath: \.complementarity),
        Factor(key: "sharedInterests", label: "Shared interests",
               explanation: "Interests both list, against the shorter of the two lists.", keyPath: \.sharedInterests),
        Factor(key: "sharedValues", label: "Shared values",
               explanation: "Values both list, against the shorter of the two lists.", keyPath: \.sharedValues),
        Factor(key: "timeZone", label: "Time-zone overlap",
               explanation: "How many working hours the two share (a full day of eight scores highest).", keyPath: \.timeZone),
        Factor(key: "language", label: "Common language",
               explanation: "Whether they speak a language in common.", keyPath: \.language),
        Factor(key: "meetingFrequency", label: "Meeting frequency",
               explanation: "How close their preferred meeting rhythms are.", keyPath: \.meetingFrequency),
        Factor(key: "experience", label: "Experience",
               explanation: "How many more years of experience the mentor has (up to eight).", keyPath: \.experience),
    ]

    /// Weights typed as text, one per factor by `key` (blank keeps the default): the weights, or
    /// every problem by key.
    public static func parse(_ texts: [String: String]) -> Result<MatchWeights, ValidationErrors> {
        var weights = MatchWeights()
        var errors = ValidationErrors()
        for factor in factors {
            let text = TextInput.trimmingSpaces(texts[factor.key] ?? "")
            if text.isEmpty { continue }
            let plain = text.utf8.count <= 12 && text.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }
                && text.utf8.filter { $0 == UInt8(ascii: ".") }.count <= 1 && text != "."
            // Six decimal places at most: the form shows six, so a finer weight would show as 0.
            // (Zeros at the end do not count: "0.5000000" is 0.5.)
            let fraction = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first ?? ""
            let decimals = fraction.reversed().drop(while: { $0 == "0" }).count
            guard plain, decimals <= 6, let value = Double(text.hasPrefix(".") ? "0" + text : text), value.isFinite, value <= 100 else {
                errors.add(factor.key, "The weight of \(factor.label.lowercased()) must be a number from 0 to 100 with at most six decimal places, such as 0.35 (got “\(text.quoted(40))”).")
                continue
            }
            weights[keyPath: factor.keyPath] = value
        }
        if errors.isEmpty {
            let problems = weights.validate()
            for field in problems.order { errors.add(field, problems[field]!) }
        }
        return errors.isEmpty ? .success(weights) : .failure(errors)
    }
}
