/// The built-in policy profiles a ledger can be created with.
enum PolicyProfiles {
    static let names = ["baisha-2018", "spc-2017"]
    static let defaultName = "baisha-2018"
}
