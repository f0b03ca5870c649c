package import LedgerDomain
import LedgerStore

/// Events posted by a credential: JSON or JSON Lines, decoded strictly, with the actor bound
/// to the credential's party (SPEC §6): an event with no `actor` gets it; one naming another
/// actor is refused as not the party's act.
package enum EventInput {
    package enum Failure: Error, Sendable {
        /// 400: the input is malformed (line, field, message).
        case malformed(InputError)
        /// 403: the event names an actor that is not the credential's party.
        case notYourAct(InputError)
    }

    /// At most this many events in one post (all or nothing, one transaction).
    package static let maximumEvents = 10_000

    /// Decodes `bytes` as one JSON object (`jsonLines == false`) or as JSON Lines.
    package static func decode(_ bytes: [UInt8], jsonLines: Bool, party: String) throws(Failure) -> [NumberedEvent] {
        var lines: [(Int, ArraySlice<UInt8>)] = []
        if jsonLines {
            var number = 0
            var start = bytes.startIndex
            while start <= bytes.endIndex {
                var end = start
                while end < bytes.endIndex && bytes[end] != 0x0A { end += 1 }
                number += 1
                var slice = bytes[start..<end]
                if slice.last == 0x0D { slice = slice.dropLast() }
                if !slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { lines.append((number, slice)) }
                start = end + 1
            }
        } else {
            lines = [(1, bytes[...])]
        }
        guard !lines.isEmpty else { throw .malformed(InputError(line: 1, "the body holds no events")) }
        guard lines.count <= maximumEvents else {
            throw .malformed(InputError(line: maximumEvents + 1, "at most \(maximumEvents) events in one request; send the rest in another"))
        }
        var events: [NumberedEvent] = []
        events.reserveCapacity(lines.count)
        for (number, slice) in lines {
            let value: JSONValue
            do { value = try JSONParser.parse(Array(slice)) } catch {
                throw .malformed(InputError(line: number, "\(error)"))
            }
            guard case .object(var members) = value else {
                throw .malformed(InputError(line: number, "each event must be one JSON object, found \(value.kindName)"))
            }
            if let index = members.firstIndex(where: { $0.0 == "actor" }) {
                guard case .string(let claimed) = members[index].1, claimed == party else {
                    throw .notYourAct(InputError(line: number, field: "actor", "this credential records as \(party); leave actor out or set it to \(party)"))
                }
            } else {
                members.append(("actor", .string(party)))
            }
            do {
                events.append(NumberedEvent(line: number, event: try Event.decode(.object(members), source: .input).event))
            } catch {
                throw .malformed(error.at(line: number))
            }
        }
        return events
    }

    /// Whether a refusal by the rules means "not this party's act" (403) rather than bad input
    /// (400): the rules name `actor` when the actor may not record the type, and `unit` when a
    /// unit records another unit's measure or repost.
    package static func isNotYourAct(_ error: InputError) -> Bool {
        error.field == "actor" || (error.field == "unit" && error.problem.hasPrefix("a unit records only its own"))
    }
}
