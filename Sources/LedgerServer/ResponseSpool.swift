import Foundation
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Bytes too many to hold — a list route's whole document, the entries it shows — written to an
/// unlinked temporary file as a read produces them and read back from there in pieces (issue 8:
/// memory does not grow with the ledger). The file is gone from the folder as soon as it is
/// made, so nothing is left behind whatever stops the process; its descriptor closes on deinit.
///
/// `@unchecked Sendable`: a streamed read writes from its engine's thread, one item at a time,
/// and the route reads only after that read has returned; never two users at once.
final class ResponseSpool: @unchecked Sendable {
    static let pieceBytes = 64 * 1024
    private let descriptor: Int32
    private var pending: [UInt8] = []
    private var failure: (any Error)?
    /// Bytes written so far (flushed or pending).
    private(set) var count = 0

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/listledger-response-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SpoolError("cannot make a temporary file: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
        pending.reserveCapacity(Self.pieceBytes)
    }

    deinit { close(descriptor) }

    /// Appends `bytes`; a failure to write is kept and thrown by `finish`.
    func write(_ bytes: some Collection<UInt8>) {
        pending.append(contentsOf: bytes)
        count += bytes.count
        if pending.count >= Self.pieceBytes { flush() }
    }

    /// Appends one string, its length first, for `forEachString`.
    func write(string: String) {
        let utf8 = Array(string.utf8)
        withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { write($0) }
        write(utf8)
    }

    private func flush() {
        guard failure == nil, !pending.isEmpty else { pending.removeAll(keepingCapacity: true); return }
        var offset = 0
        while offset < pending.count {
            let written = pending.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                failure = SpoolError("cannot write a temporary file: \(String(cString: strerror(errno)))")
                break
            }
            offset += written
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes what is pending; throws the first write that failed.
    func finish() throws {
        flush()
        if let failure { throw failure }
    }

    /// The file's bytes from `offset`, at most `pieceBytes`; empty at the end.
    func piece(at offset: Int) throws -> [UInt8] {
        var piece = [UInt8](repeating: 0, count: Self.pieceBytes)
        while true {
            let read = piece.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, off_t(offset)) }
            if read >= 0 { return Array(piece[..<read]) }
            if errno != EINTR { throw SpoolError("cannot read a temporary file: \(String(cString: strerror(errno)))") }
        }
    }

    /// Calls `body` with the file's bytes from the start, at most `pieceBytes` at a time.
    func forEachPiece(_ body: ([UInt8]) async throws -> Void) async throws {
        var offset = 0
        while true {
            let piece = try piece(at: offset)
            if piece.isEmpty { return }
            try await body(piece)
            offset += piece.count
        }
    }

    /// The strings written with `write(string:)`, in order, `batch` at a time.
    func forEachStrings(batch: Int, _ body: ([String]) async throws -> Void) async throws {
        var carried: [UInt8] = [], strings: [String] = []
        try await forEachPiece { piece in
            carried += piece
            var start = 0
            while carried.count - start >= 4 {
                let length = Int(UInt32(carried[start]) | UInt32(carried[start + 1]) << 8 | UInt32(carried[start + 2]) << 16 | UInt32(carried[start + 3]) << 24)
                guard carried.count - start - 4 >= length else { break }
                strings.append(String(decoding: carried[(start + 4)..<(start + 4 + length)], as: UTF8.self))
                start += 4 + length
                if strings.count == batch {
                    try await body(strings)
                    strings.removeAll(keepingCapacity: true)
                }
            }
            carried.removeFirst(start)
        }
        if !strings.isEmpty { try await body(strings) }
    }

    /// A response body that sends the file in pieces (after `finish`).
    var body: ResponseBody {
        ResponseBody(contentLength: count) { writer in
            var offset = 0
            while true {
                let piece = try self.piece(at: offset)
                if piece.isEmpty { break }
                try await writer.write(ByteBuffer(bytes: piece))
                offset += piece.count
            }
            try await writer.finish(nil)
        }
    }

    struct SpoolError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
