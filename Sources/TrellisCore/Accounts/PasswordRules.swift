/// What a password must be. Length is what matters; we do not impose character classes.
public enum PasswordRules {
    public static let minimumLength = 10
    /// Bcrypt reads at most 72 bytes of a password and ignores the rest, so a longer password
    /// would be no stronger than its first 72 bytes: longer ones are refused rather than cut.
    public static let maximumBytes = 72

    /// Problems with a new password and its confirmation, keyed by field name.
    public static func check(_ password: String, confirmation: String, field: String = "password") -> ValidationErrors {
        var errors = ValidationErrors()
        if password.unicodeScalars.count < minimumLength {
            errors.add(field, "The password must be at least \(minimumLength) characters long.")
        } else if password.utf8.count > maximumBytes {
            errors.add(field, "The password must be at most \(maximumBytes) bytes long (it has \(password.utf8.count); letters with accents and emoji take 2 to 4 bytes each). A phrase of five or six words fits.")
        } else if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.add(field, "The password must not contain control characters such as tabs or line breaks.")
        } else if password != confirmation {
            errors.add("\(field)_confirmation", "The two passwords do not match.")
        }
        return errors
    }
}
