import LedgerMerkle
package import LedgerStore

extension Ledger {
    /// The canonical bytes of event `seq` and its audit path into `checkpoint`, checked before
    /// they are handed out: the stored tree must still have the root the checkpoint signed,
    /// and the path must lead from the event to it. Either failing means the log or its tree
    /// was changed after signing (`ProofCheckError.failed`); nobody is given a proof that
    /// would not verify.
    package func checkedInclusionProof(seq: Int64, checkpoint: StoredCheckpoint) throws -> (canonical: [UInt8], proof: [[UInt8]]) {
        guard try treeRoot(size: checkpoint.size) == checkpoint.root else {
            throw ProofCheckError.failed("the stored Merkle tree no longer has the root that the checkpoint of \(checkpoint.size) events signed: the log was changed after it was signed")
        }
        let (canonical, proof) = try inclusionProof(seq: seq, treeSize: checkpoint.size)
        guard Merkle.verifyInclusion(index: seq - 1, size: checkpoint.size, leafHash: Merkle.leafHash(canonical: canonical), proof: proof, root: checkpoint.root) else {
            throw ProofCheckError.failed("event \(seq) does not prove into the checkpoint of \(checkpoint.size) events: its stored bytes or tree hashes were changed; run `listledger verify`")
        }
        return (canonical, proof)
    }
}
