/// A parsed JSON value. Objects keep their keys in input order; duplicate keys are refused
/// by the parser, so a field can never be given twice with different meanings.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integral number that fits in 64 bits. Other numbers are `.number` with their text.
    case integer(Int64)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The kind of value, as an error message names it.
    package var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// The value as JSON text, as an error message quotes what it was given (never Swift's
    /// own description of the enum).
    package var displayText: String { String(decoding: CanonicalJSON.encode(self), as: UTF8.self) }
}
