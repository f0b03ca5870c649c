/// A table a person reads in a terminal or a plain-text mail: columns padded to the widest
/// cell, CJK characters counting double (they take two columns in a terminal).
package enum TextTable {
    /// The header, a rule of dashes and the rows, each line ending in a newline. The last
    /// column is not padded, so no line ends in spaces.
    package static func render(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(width)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], width(cell)) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - width(cell))
            }.joined(separator: "  ") + "\n"
        }
        var out = line(header)
        out += line(widths.map { String(repeating: "-", count: $0) })
        for row in rows { out += line(row) }
        return out
    }

    /// Display columns of `text`: ideographs and full-width forms take two.
    package static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.properties.isIdeographic || $1.value >= 0xFF00 ? 2 : 1) }
    }
}
