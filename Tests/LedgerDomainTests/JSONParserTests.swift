import TestSupport
import Testing
import LedgerDomain

@Suite("Strict JSON parser")
struct JSONParserTests {
    func parse(_ text: String) throws(JSONParser.SyntaxError) -> JSONValue { try JSONParser.parse(utf8(text)) }
    func parseBytes(_ bytes: [UInt8]) throws -> JSONValue { try JSONParser.parse(bytes) }

    func refused(_ text: String) -> String? {
        do { _ = try parse(text); return nil } catch { return error.description }
    }

    @Test("a simple object keeps its members in input order")
    func simpleObject() throws {
        let value = try parse(#" {"b": 1, "a": [true, false, null], "c": "x"} "#)
        #expect(value == .object([("b", .integer(1)), ("a", .array([.bool(true), .bool(false), .null])), ("c", .string("x"))]))
    }

    @Test("duplicate keys are refused, at top level and nested", arguments: [
        #"{"a":1,"a":1}"#,
        #"{"a":1,"b":2,"a":3}"#,
        #"{"x":{"k":"v","k":"w"}}"#,
        #"[{"a":1},{"b":1,"b":2}]"#,
        #"{"\u0061":1,"a":2}"#,   // the same key, once escaped
    ])
    func duplicateKeys(_ text: String) {
        let problem = refused(text)
        #expect(problem != nil, "\(text) was accepted")
        #expect(problem?.contains("twice") == true, "\(problem ?? "")")
    }

    @Test("the same key in sibling objects is fine")
    func sameKeyInSiblings() throws {
        _ = try parse(#"[{"a":1},{"a":2}]"#)
    }

    @Test("surrogate pairs decode to one scalar outside the BMP")
    func surrogatePairs() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD834\uDD1E""#) == .string("𝄞"))
        #expect(try parse(#""a\ud83d\ude00b""#) == .string("a😀b"))
        // Raw UTF-8 of the same character is accepted too.
        #expect(try parse("\"😀\"") == .string("😀"))
    }

    @Test("lone or mismatched surrogates are refused", arguments: [
        #""\ud83d""#, #""\ud83dx""#, #""\ude00""#, #""\ud83d\u0041""#, #""\ud83d\ud83d""#,
    ])
    func badSurrogates(_ text: String) {
        #expect(refused(text) != nil, "\(text) was accepted")
    }

    @Test("escapes")
    func escapes() throws {
        #expect(try parse(#""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{08} \u{0C} \n \r \t"))
        #expect(try parse(#""\u00e9\u4E2D\u0000""#) == .string("é中\u{0}"))
        #expect(try parse(#""caf\u00E9""#) == .string("café"))
    }

    @Test("bad escapes and raw control characters are refused", arguments: [
        #""\x41""#, #""\u12""#, #""\u12G4""#, #""\'""#, "\"a\nb\"", "\"tab\there\"", "\"\u{1}\"", #""abc"#, #""\"#,
    ])
    func badStrings(_ text: String) {
        #expect(refused(text) != nil, "\(text.debugDescription) was accepted")
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: (any Error).self) { try parseBytes([0x22, 0xC3, 0x28, 0x22]) }       // bad continuation
        #expect(throws: (any Error).self) { try parseBytes([0x22, 0xED, 0xA0, 0x80, 0x22]) } // encoded surrogate
        #expect(throws: (any Error).self) { try parseBytes([0x22, 0xC0, 0xAF, 0x22]) }       // overlong '/'
        #expect(throws: (any Error).self) { try parseBytes([0x22, 0xFF, 0x22]) }
    }

    @Test("nesting: moderate depth is fine, very deep input is refused without crashing")
    func depthLimit() throws {
        let moderate = String(repeating: "[", count: 30) + String(repeating: "]", count: 30)
        _ = try parse(moderate)
        let nestedObjects = String(repeating: #"{"a":"#, count: 30) + "1" + String(repeating: "}", count: 30)
        _ = try parse(nestedObjects)
        for depth in [100, 1_000, 100_000] {
            let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let problem = refused(deep)
            #expect(problem != nil, "depth \(depth) was accepted")
            #expect(problem?.contains("deep") == true || problem?.contains("nest") == true, "\(problem ?? "")")
        }
        // Unclosed deep input is refused too.
        #expect(refused(String(repeating: "[", count: 100_000)) != nil)
    }

    @Test("trailing garbage is refused; trailing white space is not", arguments: [
        "{}x", "{} {}", #"{"a":1},"#, #"{"a":1}}"#, "{}\u{0}", "1 2", #""a" "b""#, "[1]]", "{}/",
    ])
    func trailingGarbage(_ text: String) {
        #expect(refused(text) != nil, "\(text.debugDescription) was accepted")
    }

    @Test("white space around the value is allowed")
    func surroundingWhitespace() throws {
        #expect(try parse(" \t\r\n{}\n\t ") == .object([]))
    }

    @Test("malformed texts are refused", arguments: [
        "", " ", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, "[1,]", "[,1]", "{a:1}", "{'a':1}",
        "tru", "nul", "True", "NaN", "Infinity", "-", "01", "1.", ".5", "1e", "1e+", "+1", "0x10",
        #"{"a" 1}"#, #"{"a":1 "b":2}"#,
    ])
    func malformed(_ text: String) {
        #expect(refused(text) != nil, "\(text.debugDescription) was accepted")
    }

    @Test("numbers: integers fit Int64, others keep their text")
    func numbers() throws {
        #expect(try parse("0") == .integer(0))
        #expect(try parse("-12") == .integer(-12))
        #expect(try parse("9223372036854775807") == .integer(Int64.max))
        #expect(try parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try parse("9223372036854775808") == .number("9223372036854775808"))
        #expect(try parse("1.5") == .number("1.5"))
        #expect(try parse("2e3") == .number("2e3"))
    }

    @Test("an event line that is not an object is refused by the decoder", arguments: ["[]", "1", #""x""#, "null", "true"])
    func nonObjectLine(_ text: String) {
        #expect(throws: InputError.self) { try Event.decode(jsonLine: utf8(text)) }
    }

    @Test("a duplicated field in an event line is refused, naming the field")
    func duplicatedEventField() {
        let line = #"{"type":"decision_served","entry":"E1","entry":"E2","at":"2024-03-01T09:00:00+08:00","actor":"court:baisha"}"#
        do {
            _ = try Event.decode(jsonLine: utf8(line))
            Issue.record("accepted a duplicated field")
        } catch {
            #expect(error.description.contains("entry"))
            #expect(error.description.contains("twice"))
        }
    }
}

@Suite("Canonical JSON writer")
struct CanonicalJSONTests {
    @Test("escaping follows JSON.stringify: short escapes, lower-case \\u00xx, everything else raw")
    func escaping() {
        let text = "q\"b\\s/n\nt\tc\u{1F}d\u{7F}l\u{2028}e😀中\u{08}\u{0C}\r\u{0}"
        let bytes = CanonicalJSON.encode(.string(text))
        let expected = #""q\"b\\s/n\nt\tc\u001fd"# + "\u{7F}l\u{2028}e😀中" + #"\b\f\r\u0000""#
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test("objects sort their keys and nest without white space")
    func sorting() {
        let value = JSONValue.object([("b", .integer(2)), ("a", .object([("z", .null), ("y", .bool(false))])), ("A", .array([.integer(-1), .string("")]))])
        #expect(String(decoding: CanonicalJSON.encode(value), as: UTF8.self) == #"{"A":[-1,""],"a":{"y":false,"z":null},"b":2}"#)
    }
}
