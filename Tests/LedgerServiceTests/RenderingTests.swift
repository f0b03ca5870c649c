import LedgerService
import Testing

/// The text tables the command line prints, now rendered by the library (issue 8 point 7).
struct RenderingTests {
    /// Worked by hand: column 0 is 4 columns wide (甲乙 counts 2 + 2), column 1 is 2 ("yy");
    /// cells are joined by two spaces and the last column is never padded.
    @Test("a table pads CJK cells by display width and leaves no trailing spaces")
    func textTable() {
        let text = TextTable.render(["名", "b"], [["甲乙", "x"], ["a", "yy"]])
        #expect(text == "名    b\n----  --\n甲乙  x\na     yy\n")
        #expect(TextTable.width("ＡB") == 3)   // a full-width letter takes two columns
    }
}
