/// What a personal API token's name must be: the one place the web form, its `maxlength` and the
/// check on saving read.
public enum TokenRules {
    public static let name = ProfileRules.Text(label: "A token name", maximum: 60, required: true)

    /// What is wrong with a cleaned name, or nil.
    public static func nameProblem(_ name: String) -> String? {
        name.isEmpty ? "Give the token a name, such as “calendar sync”." : self.name.problem(name)
    }
}
