/// What a password must be. Length is what matters; we do not impose character classes.
public enum PasswordRules {
    public static let minimumLength = 10
    public static let maximumLength = 200

    /// Problems with a new password and its confirmation, keyed by field name.
    public static func check(_ password: String, confirmation: String, field: String = "password") -> ValidationErrors {
        var errors = ValidationErrors()
        if password.count < minimumLength {
            errors.add(field, "The password must be at least \(minimumLength) characters long.")
        } else if password.count > maximumLength {
            errors.add(field, "The password must be at most \(maximumLength) characters long.")
        } else if password != confirmation {
            errors.add("\(field)_confirmation", "The two passwords do not match.")
        }
        return errors
    }
}
