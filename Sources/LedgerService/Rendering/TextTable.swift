#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A table a person reads in a terminal or a plain-text mail: columns padded to the widest
/// cell, CJK characters counting double (they take two columns in a terminal).
package enum TextTable {
    /// The header, a rule of dashes and the rows, each line ending in a newline. The last
    /// column is not padded, so no line ends in spaces.
    package static func render(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(width)
        for row in rows { measure(row, into: &widths) }
        var out = ""
        for line in [header, rule(widths)] + rows { out += Self.line(line, widths: widths) }
        return out
    }

    /// Display columns of `text`: ideographs and full-width forms take two.
    package static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.properties.isIdeographic || $1.value >= 0xFF00 ? 2 : 1) }
    }

    static func measure(_ row: [String], into widths: inout [Int]) {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], width(cell)) }
    }

    static func rule(_ widths: [Int]) -> [String] { widths.map { String(repeating: "-", count: $0) } }

    static func line(_ cells: [String], widths: [Int]) -> String {
        cells.enumerated().map { i, cell in
            i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - width(cell))
        }.joined(separator: "  ") + "\n"
    }
}

/// A `TextTable` of more rows than memory should hold (`state`, `obligations` of a whole
/// ledger): each row is written to an unlinked temporary file while the column widths are
/// measured, then read back and printed padded, so memory holds one row, not the table. The
/// lines are exactly `TextTable.render`'s.
///
/// `@unchecked Sendable`: a streamed read calls back on its engine's thread, one row at a
/// time; a spool is used by one caller at a time, never concurrently.
package final class TextTableSpool: @unchecked Sendable {
    private let header: [String]
    private var widths: [Int]
    private let file: UnsafeMutablePointer<FILE>
    /// The rows added so far.
    package private(set) var count = 0

    package init(_ header: [String]) throws(SpoolError) {
        guard let file = tmpfile() else { throw SpoolError("no temporary file for the table (\(String(cString: strerror(errno))))") }
        self.header = header
        self.widths = header.map(TextTable.width)
        self.file = file
    }

    deinit { fclose(file) }

    /// Spools one row (as many cells as the header).
    package func add(_ row: [String]) throws(SpoolError) {
        TextTable.measure(row, into: &widths)
        // Each cell as its UTF-8 length then its bytes: any text survives the round trip.
        var bytes: [UInt8] = []
        for cell in row {
            var length = UInt32(cell.utf8.count)
            withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: cell.utf8)
        }
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else {
            throw SpoolError("writing the table's temporary file failed (\(String(cString: strerror(errno))))")
        }
        count += 1
    }

    /// Passes each line of the table to `out` in order: the header, the rule, the rows.
    package func write(_ out: (String) -> Void) throws {
        out(TextTable.line(header, widths: widths))
        out(TextTable.line(TextTable.rule(widths), widths: widths))
        guard fflush(file) == 0 else { throw SpoolError("writing the table's temporary file failed (\(String(cString: strerror(errno))))") }
        rewind(file)
        var buffer: [UInt8] = []
        for _ in 0..<count {
            var row: [String] = []
            row.reserveCapacity(header.count)
            for _ in header.indices {
                var length: UInt32 = 0
                try withUnsafeMutableBytes(of: &length) { pointer in try readExactly(pointer.baseAddress!, pointer.count) }
                buffer = [UInt8](repeating: 0, count: Int(length))
                try buffer.withUnsafeMutableBytes { pointer in
                    if pointer.count > 0 { try readExactly(pointer.baseAddress!, pointer.count) }
                }
                row.append(String(decoding: buffer, as: UTF8.self))
            }
            out(TextTable.line(row, widths: widths))
        }
    }

    private func readExactly(_ into: UnsafeMutableRawPointer, _ size: Int) throws(SpoolError) {
        guard fread(into, 1, size, file) == size else { throw SpoolError("reading the table's temporary file back failed") }
    }

    /// The temporary file could not be written or read.
    package struct SpoolError: Error, CustomStringConvertible {
        package let description: String
        init(_ description: String) { self.description = description }
    }
}
