import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PulseDiagnostics

/// A request's context: Hummingbird's own, plus who is asking (nil: no valid token or session)
/// and the served state it is answered from (``ProfileContext`` reads its profile there).
struct ServeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var viewer: Viewer?
    /// The served state (set by ``ViewerMiddleware``).
    var state: ServedStateBox?
    /// What the request presented that admitted nobody: a token that is not (or no longer) in
    /// the tokens file, or a session that has ended.
    var refused: RefusedCredential?

    enum RefusedCredential: Sendable { case token, session }

    init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The 401 for a request without a viewer: "a token is needed" when it presented none, else
    /// why the one it presented admits nobody.
    var unauthorized: HTTPError {
        switch refused {
        case .token: HTTPError(.unauthorized, message: "this token is not valid (revoked, or never issued): Authorization: Bearer <token>")
        case .session: HTTPError(.unauthorized, message: "this session has ended (its token was revoked, or it expired): sign in again")
        case nil: HTTPError(.unauthorized, message: "a token is needed: Authorization: Bearer <token>")
        }
    }
}

/// Finds the viewer of each request: `Authorization: Bearer TOKEN`, else the dashboard's session
/// cookie. It never refuses a request itself; each route says what it needs.
struct ViewerMiddleware: RouterMiddleware {
    let tokens: TokenBook
    let sessions: SessionBook
    let state: ServedStateBox

    func handle(_ request: Request, context: ServeContext, next: (Request, ServeContext) async throws -> Response) async throws -> Response {
        var context = context
        context.state = state
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                context.viewer = tokens.viewer(token: String(parts[1]).trimmingCharacters(in: .whitespaces))
            }
            if context.viewer == nil { context.refused = .token }
        } else if let session = request.cookies[SessionBook.cookieName]?.value, !session.isEmpty {
            context.viewer = sessions.viewer(session: session)
            if context.viewer == nil { context.refused = .session }
        }
        return try await next(request, context)
    }
}

/// Refuses a request whose query holds a key or value over 1,024 characters (400), before any
/// route reads it.
struct QueryLimitMiddleware: RouterMiddleware {
    static let maxLength = 1024

    func handle(_ request: Request, context: ServeContext, next: (Request, ServeContext) async throws -> Response) async throws -> Response {
        for (key, value) in request.uri.queryParameters where key.count > Self.maxLength || value.count > Self.maxLength {
            return Reply.error(.badRequest, "the query value of '\(key.prefix(40))' is over \(Self.maxLength) characters")
        }
        return try await next(request, context)
    }
}

/// Responses as the API writes them.
enum Reply {
    /// JSON text with a status.
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        bytes(Array(text.utf8), contentType: "application/json; charset=utf-8", status: status)
    }

    /// `{"error": message}` with a status.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json("{\"error\": \(JSONText.quote(message))}\n", status: status)
    }

    /// Bytes of a type.
    static func bytes(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A redirect (303, so the next request is a GET).
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
