/// What changed between two texts, line by line (a longest common subsequence of lines), for
/// showing what changed between two versions of an agreement.
public enum TextDiff {
    public enum Line: Sendable, Equatable {
        case kept(String)
        case removed(String)
        case added(String)
    }

    /// Above this many line pairs the texts are shown as all removed then all added, so that a
    /// diff never costs more than a bounded amount of work whatever was written.
    public static let largestComparison = 1_000_000

    public static func lines(from old: String, to new: String) -> [Line] {
        let a = old.isEmpty ? [] : old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.isEmpty ? [] : new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard a.count * b.count <= largestComparison else { return a.map(Line.removed) + b.map(Line.added) }
        // lengths[i][j]: the longest common subsequence of a[i...] and b[j...].
        let width = b.count + 1
        var lengths = [Int](repeating: 0, count: (a.count + 1) * width)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i * width + j] = a[i] == b[j] ? lengths[(i + 1) * width + j + 1] + 1 : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
            }
        }
        var result: [Line] = []
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                result.append(.kept(a[i])); i += 1; j += 1
            } else if j < b.count, i == a.count || lengths[i * width + j + 1] >= lengths[(i + 1) * width + j] {
                result.append(.added(b[j])); j += 1
            } else {
                result.append(.removed(a[i])); i += 1
            }
        }
        // Removals before additions within a run of changes reads as "this became that".
        var ordered: [Line] = []
        var added: [Line] = []
        for line in result {
            switch line {
            case .added: added.append(line)
            case .removed: ordered.append(line)
            case .kept:
                ordered += added; added = []
                ordered.append(line)
            }
        }
        return ordered + added
    }
}
