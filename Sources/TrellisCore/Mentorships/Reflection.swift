import Foundation

/// Feedback, thanks and the private reflection journal (PRODUCT.md §3–§4; the seed's "What is
/// the role of reflection and feedback?").

public enum FeedbackKind: String, Sendable, CaseIterable, Codable {
    /// Honest feedback, gently structured: what worked, what could be better.
    case feedback
    /// A thank-you note ("express gratitude: regularly acknowledge the mentor's support and time").
    case thanks

    public var label: String { self == .feedback ? "Feedback" : "Thank-you note" }
}

public enum FeedbackRules {
    public static let part = ProfileRules.Text(label: "Feedback", maximum: 2_000, required: false)
    public static let thanks = ProfileRules.Text(label: "Thank-you note", maximum: 2_000, required: true)
    public static let mostPerDay = 20

    /// The parts of a feedback or thank-you note, checked: feedback needs at least one of what
    /// worked and what could be better; a thank-you note needs its message.
    public static func check(kind: FeedbackKind, worked: String, better: String, message: String) -> Result<(worked: String, better: String, message: String), ValidationErrors> {
        var errors = ValidationErrors()
        let w = TextInput.paragraphs(worked), b = TextInput.paragraphs(better), m = TextInput.paragraphs(message)
        switch kind {
        case .feedback:
            if w.isEmpty && b.isEmpty { errors.add("worked", "Write what worked, what could be better, or both.") }
            // Nothing typed is dropped without a word: a thank-you text sent with feedback is refused.
            if !m.isEmpty { errors.add("message", "This is feedback: its text goes in “what worked” and “what could be better”. Choose a thank-you note to send this text, or leave it empty.") }
            if let problem = ProfileRules.Text(label: "What worked", maximum: part.maximum, required: false).problem(w) { errors.add("worked", problem) }
            if let problem = ProfileRules.Text(label: "What could be better", maximum: part.maximum, required: false).problem(b) { errors.add("better", problem) }
            return errors.isEmpty ? .success((w, b, "")) : .failure(errors)
        case .thanks:
            if let problem = thanks.problem(m) { errors.add("message", problem) }
            if !w.isEmpty || !b.isEmpty {
                errors.add(w.isEmpty ? "better" : "worked", "This is a thank-you note: “what worked” and “what could be better” are for feedback. Choose feedback to send them, or leave them empty.")
            }
            return errors.isEmpty ? .success(("", "", m)) : .failure(errors)
        }
    }
}

public enum Journal {
    public static let entry = ProfileRules.Text(label: "Entry", maximum: 10_000, required: true)
    public static let mostEntries = 500

    /// Prompts from the seed's reflection practice: progress toward goals, the quality of the
    /// time together, personal growth, and putting the other's insights to use.
    public static let prompts: [(key: String, text: String)] = [
        ("progress", "Progress toward goals: are my objectives being met? What needs adjusting?"),
        ("interactions", "Quality of our time together: were our meetings productive and engaging? What would make the next one better?"),
        ("growth", "Personal growth: what skill or insight have I gained lately?"),
        ("apply", "Applying insights: what did I take from our last conversation, and where did I use it?"),
        ("gratitude", "Gratitude: what am I thankful for in this mentorship?"),
        ("free", "Free writing: whatever is on my mind."),
    ]

    public static func prompt(_ key: String) -> String? { prompts.first { $0.key == key }?.text }
}
