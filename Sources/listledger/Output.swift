import LedgerDomain

/// Prints one JSON value on its own line (keys sorted, compact).
func printJSON(_ value: JSONValue) {
    print(String(decoding: CanonicalJSON.encode(value), as: UTF8.self))
}

extension JSONValue {
    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}

/// Pads columns for a table a person reads in a terminal (CJK characters count double).
func printTable(_ header: [String], _ rows: [[String]]) {
    func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.properties.isIdeographic || $1.value >= 0xFF00 ? 2 : 1) }
    }
    var widths = header.map(width)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], width(cell)) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in
            i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - width(cell))
        }.joined(separator: "  ")
    }
    print(line(header))
    print(line(widths.map { String(repeating: "-", count: $0) }))
    for row in rows { print(line(row)) }
}

/// Whether standard error is a terminal (progress is shown only there).
var standardErrorIsTerminal: Bool { isatty(2) == 1 }

#if canImport(Glibc)
import Glibc
#endif
