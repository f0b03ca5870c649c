package import LedgerDomain
import LedgerMerkle

/// Typed fields of a proof JSON (`prove --json`, the server's proof routes); a missing or
/// mistyped field is unreadable input.
package struct ProofFields: Sendable {
    package let members: [(String, JSONValue)]

    package init(members: [(String, JSONValue)]) { self.members = members }

    /// The fields of a proof document's text: an object, or `unreadable`.
    package init(parsing text: String) throws(ProofCheckError) {
        let value: JSONValue
        do { value = try JSONParser.parse(Array(text.utf8)) } catch { throw .unreadable("proof: not JSON (\(error))") }
        guard case .object(let members) = value else { throw .unreadable("proof: expected a JSON object") }
        self.members = members
    }

    package func has(_ name: String) -> Bool { members.contains { $0.0 == name } }

    package func value(_ name: String) throws(ProofCheckError) -> JSONValue {
        guard let found = members.first(where: { $0.0 == name }) else { throw .unreadable("proof: missing field \"\(name)\"") }
        return found.1
    }

    package func integer(_ name: String) throws(ProofCheckError) -> Int64 {
        guard case .integer(let number) = try value(name) else { throw .unreadable("proof: \"\(name)\" must be an integer") }
        return number
    }

    package func string(_ name: String) throws(ProofCheckError) -> String {
        guard case .string(let text) = try value(name) else { throw .unreadable("proof: \"\(name)\" must be a string") }
        return text
    }

    package func base64(_ name: String) throws(ProofCheckError) -> [UInt8] {
        guard let bytes = StrictBase64.decode(try string(name)) else { throw .unreadable("proof: \"\(name)\" is not standard base64") }
        return bytes
    }

    package func hashes(_ name: String) throws(ProofCheckError) -> [[UInt8]] {
        guard case .array(let items) = try value(name) else { throw .unreadable("proof: \"\(name)\" must be a list of base64 hashes") }
        var hashes: [[UInt8]] = []
        for (position, item) in items.enumerated() {
            guard case .string(let text) = item, let bytes = StrictBase64.decode(text) else {
                throw .unreadable("proof: \"\(name)[\(position)]\" is not standard base64")
            }
            hashes.append(bytes)
        }
        return hashes
    }
}
