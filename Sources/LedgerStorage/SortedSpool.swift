#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An external merge sort of (key, value) byte records, so that a read which must reorder what
/// it derives (a past `obligations --as-of`, a report of a past period) holds a bounded amount
/// however large the ledger (issue 8: every command in constant memory).
///
/// Records are held in memory up to `Limits.records` or `Limits.bytes`; beyond that each sorted
/// run is written to a temporary file, and `drain` streams every record out in key order
/// (bytewise, as `memcmp` then length), ties in insertion order (stable). With fewer records
/// than the limits nothing touches the disk. The files are unlinked as soon as they are created
/// (only the descriptor names them), so none outlives the spool, even a process killed midway;
/// the descriptors are closed when the spool is drained, fails, or is released.
///
/// Not `Sendable`: one reader fills and drains it, on its own thread.
package final class SortedSpool {
    /// When the held records become a run on disk, and how many runs are merged at once.
    package struct Limits: Sendable {
        /// Records held before a run is written.
        package var records: Int
        /// Bytes of keys and values (plus a per-record overhead) held before a run is written.
        package var bytes: Int
        /// How many runs are merged into one at a time (each read through its own buffer), so
        /// that a drain reads from at most `fanIn` sources at once.
        package var fanIn: Int

        package init(records: Int, bytes: Int = Int.max, fanIn: Int = 64) {
            self.records = max(1, records)
            self.bytes = max(1, bytes)
            self.fanIn = max(2, fanIn)
        }

        /// 32 MB of records per run: a few tens of MB held whatever the ledger's size.
        package static let standard = Limits(records: 250_000, bytes: 32 << 20, fanIn: 64)
    }

    /// What a record costs in memory beyond its bytes (two array headers and the tuple).
    static let recordOverhead = 80

    private let limits: Limits
    private let directory: String
    private var held: [(key: [UInt8], value: [UInt8])] = []
    private var heldBytes = 0
    private var runs: [RunFile] = []
    private var drained = false

    /// How many runs have been written to disk so far (merges included): zero while the records
    /// fit the limits. For tests and measurements.
    package private(set) var runsWritten = 0

    /// A spool whose runs go to `directory` (default: `$TMPDIR`, else `/tmp`).
    package init(limits: Limits = .standard, directory: String? = nil) {
        self.limits = limits
        self.directory = directory ?? Self.temporaryDirectory()
    }

    deinit { closeRuns() }

    /// Adds one record. Throws `StorageError.unavailable` when a run cannot be written.
    package func append(key: [UInt8], value: [UInt8]) throws {
        precondition(!drained, "a SortedSpool is drained once")
        held.append((key, value))
        heldBytes += key.count + value.count + Self.recordOverhead
        if held.count >= limits.records || heldBytes >= limits.bytes { try spill() }
    }

    /// Calls `body` with every record in key order (ties in insertion order), once; then the
    /// spool is empty and its files closed, also when `body` or a read throws.
    package func drain(_ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Void) throws {
        precondition(!drained, "a SortedSpool is drained once")
        drained = true
        defer { closeRuns() }
        let order = sortedHeldOrder()
        if runs.isEmpty {
            let records = held
            held = []
            for index in order { try body(records[index].key, records[index].value) }
            return
        }
        // At most `fanIn` sources at once (the held records count as one).
        while runs.count >= limits.fanIn { try mergeLastRuns(limits.fanIn) }
        // The held records are the latest: after every run, so that ties stay in insertion order.
        var sources: [any MergeSource] = try runs.map { try RunReader($0) }
        sources.append(HeldReader(records: held, order: order))
        held = []
        try Self.merge(sources, body)
    }

    // MARK: runs

    /// Writes the held records, sorted, as one run (level 0).
    private func spill() throws {
        let order = sortedHeldOrder()
        let run = try RunFile(directory: directory, level: 0)
        runs.append(run)
        for index in order { try run.write(key: held[index].key, value: held[index].value) }
        try run.flush()
        runsWritten += 1
        held.removeAll(keepingCapacity: true)
        heldBytes = 0
        // Tiered, as a log-structured merge does: `fanIn` runs of one level become one run of
        // the next, so each record is rewritten once per level (log base `fanIn` of the runs).
        while runs.count >= limits.fanIn, case let level = runs[runs.count - 1].level,
              runs.suffix(limits.fanIn).allSatisfy({ $0.level == level }) {
            try mergeLastRuns(limits.fanIn)
        }
    }

    /// Merges the last `count` runs into one, in their place. Consecutive runs merged in order,
    /// ties to the older: insertion order is kept.
    private func mergeLastRuns(_ count: Int) throws {
        let merging = Array(runs.suffix(count))
        let merged = try RunFile(directory: directory, level: (merging.map(\.level).max() ?? 0) + 1)
        let sources: [any MergeSource] = try merging.map { try RunReader($0) }
        try Self.merge(sources) { key, value in try merged.write(key: key, value: value) }
        try merged.flush()
        runsWritten += 1
        for run in merging { run.close() }
        runs.removeLast(count)
        runs.append(merged)
    }

    /// The indices of `held` in key order, ties by index (a stable sort whatever `sort` is).
    private func sortedHeldOrder() -> [Int] {
        held.withUnsafeBufferPointer { records in
            Array(records.indices).sorted { a, b in
                let order = Self.compare(records[a].key, records[b].key)
                return order != 0 ? order < 0 : a < b
            }
        }
    }

    private func closeRuns() {
        for run in runs { run.close() }
        runs = []
    }

    /// A k-way merge of `sources` (each in key order) by a binary heap; ties go to the source
    /// listed first.
    private static func merge(_ sources: [any MergeSource], _ body: ([UInt8], [UInt8]) throws -> Void) throws {
        var sources = sources
        var heads: [(key: [UInt8], value: [UInt8])?] = []
        for index in sources.indices { heads.append(try sources[index].next()) }
        var heap = sources.indices.filter { heads[$0] != nil }
        func before(_ a: Int, _ b: Int) -> Bool {
            let order = compare(heads[a]!.key, heads[b]!.key)
            return order != 0 ? order < 0 : a < b
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1, right = left + 1
                var least = parent
                if left < heap.count, before(heap[left], heap[least]) { least = left }
                if right < heap.count, before(heap[right], heap[least]) { least = right }
                if least == parent { return }
                heap.swapAt(parent, least)
                parent = least
            }
        }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        while let top = heap.first {
            let record = heads[top]!
            try body(record.key, record.value)
            heads[top] = try sources[top].next()
            if heads[top] == nil {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
    }

    /// Bytewise: `memcmp` over the common length, then the shorter first.
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { p in
            b.withUnsafeBufferPointer { q in
                let common = min(p.count, q.count)
                let order = common == 0 ? 0 : Int(memcmp(p.baseAddress!, q.baseAddress!, common))
                return order != 0 ? order : p.count - q.count
            }
        }
    }

    private static func temporaryDirectory() -> String {
        if let value = getenv("TMPDIR"), case let path = String(cString: value), !path.isEmpty { return path }
        return "/tmp"
    }
}

/// Records in key order, one at a time.
private protocol MergeSource {
    mutating func next() throws -> (key: [UInt8], value: [UInt8])?
}

/// The held records, through their sorted order.
private struct HeldReader: MergeSource {
    let records: [(key: [UInt8], value: [UInt8])]
    let order: [Int]
    var position = 0

    mutating func next() throws -> (key: [UInt8], value: [UInt8])? {
        guard position < order.count else { return nil }
        defer { position += 1 }
        return records[order[position]]
    }
}

/// One run on disk: records as (key length, value length: 4 bytes little-endian each, key,
/// value), written through a buffer. Unlinked at creation: the descriptor is its only name.
private final class RunFile {
    private(set) var descriptor: Int32
    private(set) var length = 0
    /// How many merges made it (0: written from held records), for the tiered merging.
    let level: Int
    private var buffer: [UInt8] = []
    static let bufferSize = 1 << 16

    init(directory: String, level: Int) throws {
        self.level = level
        var template = Array((directory + "/listledger-spool-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw StorageError.unavailable("cannot create a temporary sort file in \(directory): \(Self.lastError()); set TMPDIR to a writable directory")
        }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(path)
        buffer.reserveCapacity(Self.bufferSize)
    }

    func write(key: [UInt8], value: [UInt8]) throws {
        guard key.count <= UInt32.max, value.count <= UInt32.max else {
            throw StorageError.unavailable("a sort record of \(key.count + value.count) bytes is too large")
        }
        Self.appendLength(key.count, to: &buffer)
        Self.appendLength(value.count, to: &buffer)
        buffer += key
        buffer += value
        if buffer.count >= Self.bufferSize { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { bytes in
                pwrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset, off_t(length + offset))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageError.unavailable("cannot write a temporary sort file: \(Self.lastError()); free space in TMPDIR or point it elsewhere")
            }
            offset += written
        }
        length += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        if descriptor >= 0 { closeDescriptor(descriptor) }
        descriptor = -1
    }

    private static func appendLength(_ n: Int, to buffer: inout [UInt8]) {
        let value = UInt32(n)
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// Reads a run back in order through a buffer (`pread`: the run keeps no file position).
private struct RunReader: MergeSource {
    let run: RunFile
    var offset = 0  // of `buffer`'s first byte in the file
    var buffer: [UInt8] = []
    var position = 0  // in `buffer`

    init(_ run: RunFile) throws { self.run = run }

    mutating func next() throws -> (key: [UInt8], value: [UInt8])? {
        guard offset + position < run.length else { return nil }
        let header = try take(8)
        func length(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(header[at + $1]) << (8 * $1) } }
        let keyLength = length(0), valueLength = length(4)
        return (try take(keyLength), try take(valueLength))
    }

    /// The next `count` bytes of the run, reading more from the file when the buffer ends.
    private mutating func take(_ count: Int) throws -> [UInt8] {
        if buffer.count - position < count {
            let kept = buffer.count - position
            offset += position
            let size = min(max(RunFile.bufferSize, count), run.length - offset)
            guard size >= count else { throw StorageError.integrity("a temporary sort file ends inside a record") }
            let previous = buffer, from = position, descriptor = run.descriptor, at = offset
            buffer = try [UInt8](unsafeUninitializedCapacity: size) { bytes, initialized in
                previous.withUnsafeBufferPointer { old in
                    for i in 0..<kept { bytes[i] = old[from + i] }
                }
                var done = kept
                while done < size {
                    let read = pread(descriptor, bytes.baseAddress! + done, size - done, off_t(at + done))
                    if read < 0, errno == EINTR { continue }
                    guard read > 0 else {
                        throw StorageError.unavailable("cannot read a temporary sort file: \(read < 0 ? RunFile.lastError() : "it ended early")")
                    }
                    done += read
                }
                initialized = size
            }
            position = 0
        }
        defer { position += count }
        return Array(buffer[position..<position + count])
    }
}

/// `close(2)` (a `RunFile` method of that name would hide it).
private func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }
