/// Why an input was refused: which line and field, what is wrong, what would be accepted.
package struct InputError: Error, Sendable, CustomStringConvertible {
    /// 1-based line of the JSON Lines input, when there is one.
    package var line: Int?
    package var field: String?
    package var problem: String
    /// What the refusal means, for a reader in another language (nil: only the text).
    package var refusal: Refusal?

    package init(line: Int? = nil, field: String? = nil, _ problem: String, refusal: Refusal? = nil) {
        self.line = line
        self.field = field
        self.problem = problem
        self.refusal = refusal
    }

    package var description: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        if let field { parts.append("field \"\(field)\"") }
        return parts.isEmpty ? problem : parts.joined(separator: ", ") + ": " + problem
    }

    package func at(line: Int) -> InputError {
        var copy = self
        copy.line = line
        return copy
    }
}
