import LedgerMerkle
package import LedgerStore

extension Ledger {
    /// The canonical bytes of event `seq` and its audit path into `checkpoint`, checked before
    /// they are handed out: the stored tree must still have the root the checkpoint signed,
    /// and the path must lead from the event to it. Either failing means the log or its tree
    /// was changed after signing (`ProofCheckError.failed`); nobody is given a proof that
    /// would not verify.
    package func checkedInclusionProof(seq: Int64, checkpoint: StoredCheckpoint) throws -> (canonical: [UInt8], proof: [[UInt8]]) {
        if let refusal = Merkle.refusalOfCheckpoint(size: checkpoint.size, signedRoot: checkpoint.root, storedRoot: try treeRoot(size: checkpoint.size)) {
            throw ProofCheckError.failed(refusal)
        }
        let (canonical, proof) = try inclusionProof(seq: seq, treeSize: checkpoint.size)
        if let refusal = Merkle.refusalOfInclusion(seq: seq, canonical: canonical, proof: proof, size: checkpoint.size, root: checkpoint.root) {
            throw ProofCheckError.failed(refusal)
        }
        return (canonical, proof)
    }
}
