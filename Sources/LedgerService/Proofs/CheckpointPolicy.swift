/// When a caller that hands out proofs (`prove`, `export`, a server route) must sign a new
/// checkpoint first: a proof is always relative to a signed checkpoint, and only one that
/// covers every event the proof speaks of will do.
package enum CheckpointPolicy {
    /// Whether the latest signed checkpoint, of `latestSize` events (nil: none signed yet),
    /// fails to cover the first `size` events.
    package static func needsSigning(latestSize: Int64?, toCover size: Int64) -> Bool {
        latestSize.map { $0 < size } ?? true
    }
}
