// One read of personal data through the server (SPEC §6), as either engine stores it.

/// One row of the access log.
package struct AccessRecord: Sendable, Equatable {
    package var atMilliseconds: Int64
    package var credential: String
    package var party: String
    package var entry: String
    package var address: String
    package var route: String
    package init(atMilliseconds: Int64, credential: String, party: String, entry: String, address: String, route: String) {
        self.atMilliseconds = atMilliseconds
        self.credential = credential
        self.party = party
        self.entry = entry
        self.address = address
        self.route = route
    }
}
