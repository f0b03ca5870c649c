import LedgerDomain
import LedgerService

/// Prints one JSON value on its own line (keys sorted, compact).
func printJSON(_ value: JSONValue) {
    print(String(decoding: CanonicalJSON.encode(value), as: UTF8.self))
}

extension JSONValue {
    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}

/// Writes UTF-8 `bytes` (a piece of a JSON document) to standard output, through `print` so
/// that they stay in order with everything else printed.
@Sendable func writeStandardOutput(_ bytes: [UInt8]) {
    print(String(decoding: bytes, as: UTF8.self), terminator: "")
}

/// Pads columns for a table a person reads in a terminal (CJK characters count double).
func printTable(_ header: [String], _ rows: [[String]]) {
    print(TextTable.render(header, rows), terminator: "")
}

/// Whether standard error is a terminal (progress is shown only there).
var standardErrorIsTerminal: Bool { isatty(2) == 1 }

#if canImport(Glibc)
import Glibc
#endif
