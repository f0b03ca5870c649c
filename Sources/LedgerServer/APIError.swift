import Foundation
package import HTTPTypes
package import Hummingbird
package import LedgerDomain
import LedgerService

/// Every refusal the API gives: a status and `{"error":{"line","field","message"}}` (SPEC §6),
/// with extra members for a 409. Never a stack trace or SQL: storage failures are logged on the
/// server and answered with a fixed message.
package struct APIError: HTTPResponseError {
    package var status: HTTPResponse.Status
    package var line: Int?
    package var field: String?
    package var message: String
    package var extra: [(String, JSONValue)] = []
    package var headers: HTTPFields = [:]

    package init(_ status: HTTPResponse.Status, line: Int? = nil, field: String? = nil, _ message: String,
                 extra: [(String, JSONValue)] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.line = line
        self.field = field
        self.message = message
        self.extra = extra
        self.headers = headers
    }

    package init(_ status: HTTPResponse.Status, _ input: InputError) {
        self.init(status, line: input.line, field: input.field, input.problem)
    }

    package static let unauthorized = APIError(.unauthorized, "no valid credential: send Authorization: Bearer TOKEN (or Basic for a user)",
                                               headers: [.wwwAuthenticate: "Bearer realm=\"listledger\""])
    package static let notFound = APIError(.notFound, "not found")

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        let error: JSONValue = .object([("line", line.map { .integer(Int64($0)) } ?? .null), ("field", field.map(JSONValue.string) ?? .null),
                                        ("message", .string(message))])
        var response = JSONResponse.make(status, .object([("error", error)] + extra))
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// JSON bodies as the command line prints them: canonical JSON and a newline.
package enum JSONResponse {
    package static func make(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        var bytes = LedgerJSON.encode(value)
        bytes.append(0x0A)
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
