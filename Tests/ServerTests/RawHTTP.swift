import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a POSIX socket, for what HummingbirdTesting's client cannot
/// do: read a response as it streams (SSE, a followed feed) with a deadline, and talk to the
/// built binary in another process.
final class RawHTTP {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            throw RawHTTPError("cannot connect to 127.0.0.1:\(port)")
        }
    }

    deinit { close(fd) }

    func send(_ method: String, _ path: String, headers: [String: String] = [:], body: String = "") throws {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + body
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw RawHTTPError("write failed") }
            sent += n
        }
    }

    /// Reads until `done` holds for what arrived, the peer closes, or the deadline passes.
    /// Returns everything read so far and whether the peer closed the connection.
    func read(until deadline: Duration, _ done: (String) -> Bool = { _ in false }) -> (text: String, closed: Bool) {
        let end = ContinuousClock.now + deadline
        var chunk = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < end {
            if done(String(decoding: buffer, as: UTF8.self)) { return (String(decoding: buffer, as: UTF8.self), false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = end - ContinuousClock.now
            let milliseconds = Int32(max(1, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&poller, 1, min(milliseconds, 100)) >= 0 else { break }
            if poller.revents == 0 { continue }
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n <= 0 { return (String(decoding: buffer, as: UTF8.self), true) }
            buffer.append(contentsOf: chunk[0..<n])
        }
        return (String(decoding: buffer, as: UTF8.self), false)
    }

    /// One whole request and its response (the server closes after it).
    static func request(port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String = "",
                        timeout: Duration = .seconds(20)) throws -> (status: Int, body: String) {
        let client = try RawHTTP(port: port)
        try client.send(method, path, headers: headers, body: body)
        let (text, _) = client.read(until: timeout)
        guard let statusLine = text.split(separator: "\r\n").first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { throw RawHTTPError("no HTTP response: \(text.prefix(200))") }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}

struct RawHTTPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
