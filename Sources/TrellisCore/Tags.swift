import Foundation

/// Tag normalisation: trimmed, inner whitespace collapsed, compared case-insensitively,
/// de-duplicated keeping the first spelling seen.
public enum Tags {
    /// The key two tags are compared by.
    public static func key(_ tag: String) -> String {
        clean(tag).lowercased()
    }

    /// A tag with surrounding whitespace removed and inner runs of whitespace collapsed to one space.
    public static func clean(_ tag: String) -> String {
        tag.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Normalises a list of tags; empty entries are dropped.
    public static func normalize<S: Sequence>(_ tags: S) -> [String] where S.Element == String {
        var seen = Set<String>()
        var result: [String] = []
        for raw in tags {
            let tag = clean(raw)
            guard !tag.isEmpty else { continue }
            if seen.insert(tag.lowercased()).inserted { result.append(tag) }
        }
        return result
    }

    /// Splits a list typed by a person (commas, semicolons or new lines) and normalises it.
    public static func parse(_ text: String, separators: Set<Character> = [",", ";", "\n"]) -> [String] {
        normalize(text.split(whereSeparator: { separators.contains($0) }).map(String.init))
    }

    /// The longest tag accepted.
    public static let maximumLength = 60
    /// The most tags accepted in one list.
    public static let maximumCount = 30
}
