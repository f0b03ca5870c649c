/// Where an entry stands on the list (SPEC §5 `state`).
package enum EntryStatus: String, Sendable {
    case noticed, listed
    case correctionPending = "correction_pending"
    case shielded, revoked
}

/// The projection of one entry: everything the rules need to accept or refuse its next event,
/// and what `state` shows. Built only by folding events (`applying`), never edited directly.
package struct EntryState: Sendable, Equatable {
    package var entry: String
    package var court: String
    package var caseNumber: String
    package var debtor: String
    package var status: EntryStatus
    /// The inclusion decision's `public` flag; nil before inclusion.
    package var isPublic: Bool?
    /// A risk notice (R1) is on record.
    package var noticed = false
    package var included = false
    package var served = false
    package var published = false
    package var employers: [String] = []
    package var units: [String] = []
    package var measures: [Measure] = []
    package var reposts: [Repost] = []
    package var correctionPending = false
    package var lastCorrectionOutcome: Outcome?
    package var reconsiderationCourt: String?
    package var reconsiderationPending = false
    package var discharge: String?
    package var exitPublished = false
    package var notifiedOfExit: [String] = []
    /// What units acknowledged (`unit_acknowledged`), as `push:UNIT` or `exit_notice:UNIT`, in
    /// the order first acknowledged; see `hasAcknowledged`.
    package var acknowledged: [String] = []
    package var lastSeq: Int64 = 0
    /// SHA-256 (hex) of the debtor's id_number as the entry's first event named it: the
    /// inclusion must name the same debtor (SPEC §3), and only a hash is kept in the projection.
    package var debtorDigest: String?
    /// The inclusion term in months including extensions; nil for an entry without a term.
    package var termMonths: Int?
    /// The ground of the pending or last correction request.
    package var correctionGround: CorrectionGround?
    /// Whether the last rejection was served (opens the reconsideration window once).
    package var rejectionServed = false
    /// `personal_data_erased` is on record (SPEC §7): the store no longer holds the values.
    package var personalDataErased = false
    /// When (epoch ms) the acts later acts answer took effect: `included`, `exited`,
    /// `correction_requested`, `correction_decided`, `reconsideration_requested`,
    /// `measure:UNIT:MEASURE`, `push:UNIT`, `exit_notice:UNIT`. An act dated before the act it
    /// answers is refused (SPEC §3).
    package var marks: [String: Int64] = [:]

    package struct Measure: Sendable, Equatable {
        package var unit: String
        package var measure: String
        /// `applied`, `lifted` or `retained`.
        package var status: String
        package var until: String?
    }

    package struct Repost: Sendable, Equatable {
        package var unit: String
        package var deleted: Bool
    }

    package static func acknowledgementKey(_ act: AcknowledgedAct, unit: String) -> String { act.rawValue + ":" + unit }

    /// Whether `unit` acknowledged the entry's push (or its exit notice).
    package func hasAcknowledged(_ act: AcknowledgedAct, unit: String) -> Bool {
        acknowledged.contains(Self.acknowledgementKey(act, unit: unit))
    }

    package var exited: Bool { status == .shielded || status == .revoked }

    /// Units that hold the entry and must hear of its exit: pushed to, or told as employer.
    package var holders: [String] { units + employers.filter { !units.contains($0) } }
}
