import Foundation

/// Tag normalisation: trimmed, inner whitespace collapsed, compared case-insensitively,
/// de-duplicated keeping the first spelling seen.
public enum Tags {
    /// The key two tags are compared by (`TextInput.lowercased`: composed after lowering).
    public static func key(_ tag: String) -> String {
        TextInput.lowercased(clean(tag))
    }

    /// A tag (or any one-line text) with control characters removed, surrounding whitespace
    /// removed and inner runs of whitespace collapsed to one space.
    public static func clean(_ tag: String) -> String {
        // Most tags are returned as they are, without the walk below: those of printable ASCII
        // with single spaces between words, and those whose other letters are ones that are
        // neither whitespace nor control and stand in one spelling only (`isPlainLetter`).
        var previousSpace = true, plain = true
        for scalar in tag.unicodeScalars {
            let value = scalar.value
            if value < 0x7F {
                if value < 0x20 || (value == 0x20 && previousSpace) { plain = false; break }
                previousSpace = value == 0x20
            } else if isPlainLetter(value) {
                previousSpace = false
            } else {
                plain = false; break
            }
        }
        if plain && !previousSpace { return tag }
        // By Unicode scalar: whitespace (line breaks and tabs included) becomes one space between
        // words, other control characters (NUL, escape, …), which read back blank and break
        // exports, are removed. Not by Swift `Character`: a space followed by a combining mark is
        // one whitespace character, and splitting on it would lose the mark.
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in tag.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !scalars.isEmpty
            } else if !TextInput.isControl(scalar) {
                if pendingSpace { scalars.append(" "); pendingSpace = false }
                scalars.append(scalar)
            }
        }
        // One spelling for one text: "é" typed as one character or as "e" and an accent is stored
        // as one character (NFC), so that databases, which compare bytes, agree with people.
        return String(scalars).precomposedStringWithCanonicalMapping
    }

    /// Whether a scalar beyond ASCII can be kept as it is without a look at its neighbours:
    /// Latin-1 and the Latin extensions up to the combining marks (U+00A1–U+02FF, after the
    /// no-break space), and the CJK unified ideographs (U+4E00–U+9FFF). None of them is
    /// whitespace or a control, none combines with the scalar before or after it, and each is
    /// its own canonical composition, so a text of only these and printable ASCII is already NFC
    /// (`TagsTests` checks every one of them against Foundation's normalisation). For a file of
    /// 100,000 people with accented and Chinese tags, normalising every tag cost seconds.
    static func isPlainLetter(_ value: UInt32) -> Bool {
        (0xA1..<0x300).contains(value) || (0x4E00...0x9FFF).contains(value)
    }

    /// Normalises a list of tags; empty entries are dropped.
    public static func normalize<S: Sequence>(_ tags: S) -> [String] where S.Element == String {
        var seen = Set<String>()
        var result: [String] = []
        for raw in tags {
            let tag = clean(raw)
            guard !tag.isEmpty else { continue }
            if seen.insert(TextInput.lowercased(tag)).inserted { result.append(tag) }
        }
        return result
    }

    /// Splits a list typed by a person (commas, semicolons or new lines) and normalises it.
    public static func parse(_ text: String, separators: Set<Character> = [",", ";", "\n"]) -> [String] {
        // ASCII without carriage returns (where "\r\n" would be one character): split the bytes.
        let separatorBytes = separators.compactMap(\.asciiValue)
        if separatorBytes.count == separators.count, text.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
            let bytes = Array(text.utf8)
            var parts: [String] = [], start = 0
            for (position, byte) in bytes.enumerated() where separatorBytes.contains(byte) {
                parts.append(String(decoding: bytes[start..<position], as: UTF8.self))
                start = position + 1
            }
            parts.append(String(decoding: bytes[start...], as: UTF8.self))
            return normalize(parts)
        }
        // Split by Unicode scalars, not characters: a separator followed by a combining mark
        // (";\u{301}") is one character, and "\r\n" is one, and neither is a separator.
        let separatorScalars = Set(separators.flatMap(\.unicodeScalars))
        var parts: [String] = [], current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if separatorScalars.contains(scalar) {
                parts.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        parts.append(String(current))
        return normalize(parts)
    }

    /// The text of a cell or field without surrounding whitespace and new lines; quick when there
    /// is none to remove.
    public static func trimmed(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        if first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80 { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The character that separates entries in a CSV cell (and a typed list), and so cannot be
    /// inside one. Commas may be ("Climbing, bouldering"): see `formText` and `parseTyped`.
    public static let forbiddenCharacters: Set<Character> = [";"]

    /// A list as the web form shows it: separated by commas, or by semicolons (with one at the
    /// end) when an entry holds a comma, so that `parseTyped` gives the same list back.
    public static func formText(_ tags: [String]) -> String {
        tags.contains { $0.unicodeScalars.contains(",") } ? tags.joined(separator: "; ") + ";" : tags.joined(separator: ", ")
    }

    /// A list typed in the web form: entries separated by semicolons or new lines when there are
    /// any, otherwise by commas too.
    public static func parseTyped(_ text: String) -> [String] {
        text.unicodeScalars.contains(";") || text.contains(where: \.isNewline) ? parse(text, separators: lineSeparators.union([";"])) : parse(text)
    }

    /// What ends a line in a typed list: a line feed, a carriage return alone, and the other
    /// line and paragraph separators (U+2028 and U+2029, next line, vertical tab, form feed).
    static let lineSeparators: Set<Character> = ["\n", "\r", "\u{2028}", "\u{2029}", "\u{85}", "\u{0B}", "\u{0C}"]

    /// A problem with one entry of a list, or nil.
    public static func problem(with tag: String) -> String? {
        if tag.unicodeScalars.count > maximumLength { return "“\(tag.excerpt(20))” is too long: each entry must be at most \(maximumLength) characters." }
        // By scalar: ";" followed by a combining mark is one character, but splits as ";".
        if let separator = forbiddenCharacters.first(where: { tag.unicodeScalars.contains($0.unicodeScalars.first!) }) {
            return "“\(tag.excerpt(40))” contains “\(separator)”, which separates entries: give each entry on its own."
        }
        return nil
    }

    /// The longest tag accepted.
    public static let maximumLength = 60
    /// The most tags accepted in one list.
    public static let maximumCount = 30
}
