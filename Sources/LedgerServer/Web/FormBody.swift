import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body: what every page form posts (no JavaScript).
struct FormBody: Sendable {
    private(set) var pairs: [(String, String)] = []

    init(_ text: String) {
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            pairs.append((decode(pair[0]), pair.count > 1 ? decode(pair[1]) : ""))
        }
    }

    /// The first value of a field, trimmed; nil when absent.
    subscript(_ name: String) -> String? {
        pairs.first { $0.0 == name }.map { $0.1.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Every value of a repeated field (checkboxes).
    func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }

    /// Reads a form body of at most 64 KiB (a form never needs more).
    static func read(_ request: Request) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        return FormBody(String(decoding: Array(buffer: buffer), as: UTF8.self))
    }
}

import NIOCore
