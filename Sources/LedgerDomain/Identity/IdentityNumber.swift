/// The check characters of the two identity numbers a debtor is named by (SPEC §3):
/// GB 11643-1999 resident ID numbers (ISO 7064 MOD 11-2) and GB 32100-2015 unified social
/// credit codes (MOD 31 over the code's 31-character alphabet). A number with a wrong check
/// character cannot be anyone's: it is a typing error, refused before it enters the log.
package enum IdentityNumber {
    /// GB 11643 weights wᵢ = 2^(17−i) mod 11 for positions 1…17.
    static let residentWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// (Σ aᵢ·wᵢ) mod 11 → check character.
    static let residentCheck: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]
    /// GB 32100's alphabet: digits and upper-case letters without I, O, Z, S, V.
    static let creditAlphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let creditWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// A lowercase `x` as the last character of a resident ID is read as `X` (GB 11643 writes
    /// the check value 10 as X; clerks type it in either case).
    package static func normalized(_ text: String) -> String {
        guard text.count == 18, text.last == "x" else { return text }
        return String(text.dropLast()) + "X"
    }

    /// The resident ID check character of 17 digits.
    package static func residentCheckCharacter(_ first17: [Int]) -> Character {
        residentCheck[zip(first17, residentWeights).reduce(0) { $0 + $1.0 * $1.1 } % 11]
    }

    /// The unified social credit code check character of its first 17 characters, or nil when
    /// one is not in the alphabet.
    package static func creditCheckCharacter(_ first17: [Character]) -> Character? {
        var sum = 0
        for (character, weight) in zip(first17, creditWeights) {
            guard let value = creditAlphabet.firstIndex(of: character) else { return nil }
            sum += value * weight
        }
        return creditAlphabet[(31 - sum % 31) % 31]
    }

    /// Throws, naming the problem, unless `text` is a valid resident ID (persons) or unified
    /// social credit code (organizations); either is accepted when `kind` is nil.
    package static func check(_ text: String, kind: DebtorKind? = nil) throws(InputError) {
        let characters = Array(text)
        if characters.contains(where: { ("\u{FF10}"..."\u{FF19}").contains($0) || ("\u{FF21}"..."\u{FF3A}").contains($0) || ("\u{FF41}"..."\u{FF5A}").contains($0) }) {
            throw InputError(field: "id_number", "\"\(text)\" contains full-width characters (０–９, Ａ–Ｚ); type the number with ASCII digits and letters")
        }
        guard characters.count == 18 else {
            throw InputError(field: "id_number", "\"\(text)\" has \(characters.count) characters; a resident ID number or unified social credit code has 18")
        }
        let allDigits = characters.dropLast().allSatisfy { $0.isASCII && $0.isNumber }
        let looksResident = allDigits && (characters.last!.isASCII && (isDigit(characters.last!) || characters.last! == "X"))
        if kind == .person || (kind == nil && looksResident) {
            guard looksResident else {
                throw InputError(field: "id_number", "\"\(text)\" is not a resident ID number (GB 11643: 17 digits and a check character 0–9 or X)")
            }
            let expected = residentCheckCharacter(characters.dropLast().map { Int(String($0))! })
            guard characters.last! == expected else {
                throw InputError(field: "id_number", "\"\(text)\" has a wrong check digit (GB 11643: it should end in \(expected)); check the number for a typing error")
            }
            return
        }
        guard characters.allSatisfy({ creditAlphabet.contains($0) }) else {
            throw InputError(field: "id_number", "\"\(text)\" is not a unified social credit code (GB 32100: 18 of 0-9 and A-Y without I, O, S, V, Z)")
        }
        let expected = creditCheckCharacter(Array(characters.dropLast()))!
        guard characters.last! == expected else {
            throw InputError(field: "id_number", "\"\(text)\" has a wrong check character (GB 32100: it should end in \(expected)); check the code for a typing error")
        }
    }

    private static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
}
