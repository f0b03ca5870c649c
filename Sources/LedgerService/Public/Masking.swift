/// How the public list shows identity numbers (SPEC §6): a resident ID as the national platform
/// masks it, first 10 and last 4 characters with `****` between (18 characters in all, so the
/// birth date's month and day are hidden); a unified social credit code in full.
package enum Masking {
    package static func residentID(_ id: String) -> String {
        let characters = Array(id)
        // A valid resident ID has 18 characters; anything shorter is masked completely rather
        // than risk showing most of it.
        guard characters.count >= 15 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(10)) + "****" + String(characters.suffix(4))
    }

    /// Sex from GB 11643's 17th digit (odd: male), for the public list's "sex" field.
    package static func sex(ofResidentID id: String) -> String? {
        let characters = Array(id)
        guard characters.count == 18, let digit = characters[16].wholeNumberValue else { return nil }
        return digit % 2 == 1 ? "male" : "female"
    }

    /// Age in whole years on `year-month-day`, from the birth date in digits 7–14.
    package static func age(ofResidentID id: String, onYear year: Int, month: Int, day: Int) -> Int? {
        let characters = Array(id)
        guard characters.count == 18, let birthYear = Int(String(characters[6..<10])),
              let birthMonth = Int(String(characters[10..<12])), let birthDay = Int(String(characters[12..<14])) else { return nil }
        var age = year - birthYear
        if (month, day) < (birthMonth, birthDay) { age -= 1 }
        return age >= 0 ? age : nil
    }
}
