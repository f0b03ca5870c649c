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

/// A list too long to hold (issue 8), printed as a streamed read gives its items: with `--json`
/// the document (`JSONArrayWriter`, the bytes `printJSON` would print), otherwise a table
/// spooled to a temporary file while its widths are measured (`TextTableSpool`), then the
/// `footer` for the count. `@unchecked Sendable`: fed by one streamed read at a time.
final class StreamedListOutput: @unchecked Sendable {
    private let json: JSONArrayWriter?
    private let table: TextTableSpool?
    private let footer: (Int) -> String
    private var count = 0

    /// `document` holds the array `array` empty; with `json` its start is printed now.
    init(json: Bool, document: @autoclosure () -> JSONValue, array: String, header: [String], footer: @escaping (Int) -> String) throws {
        self.json = json ? JSONArrayWriter(document: document(), array: array, write: writeStandardOutput) : nil
        table = json ? nil : try TextTableSpool(header)
        self.footer = footer
    }

    /// One item: its JSON element, or its table row (`row` is called only for a table).
    func add(json element: @autoclosure () -> JSONValue, row: () -> [String]) throws {
        count += 1
        if let json { return json.append(element()) }
        try table?.add(row())
    }

    func finish() throws {
        if let json {
            json.finish()
            writeStandardOutput(Array("\n".utf8))
        } else if let table {
            try table.write { print($0, terminator: "") }
            print(footer(count), terminator: "")
        }
    }
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
