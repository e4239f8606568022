/// Why a pull failed: which source, which call and page, the HTTP status and the API's own
/// error code and text. Never holds a secret.
public struct PullError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for the exit status.
    public enum Kind: Sendable {
        /// A source failed (after retries): exit 1.
        case source
        /// The profile, an argument or the environment is wrong: exit 2.
        case config
        /// Writing the snapshot failed (disk full, permissions): exit 1.
        case output
    }

    public var kind: Kind
    /// `bigcommerce`, `aliexpress`, or nil for the pull itself.
    public var source: String?
    /// The call: `GET /v3/catalog/products`, `aliexpress.solution.product.list.get`.
    public var call: String?
    /// Which page or item: `page 3`, `status onSelling, page 2`, `product 1005006012345678`.
    public var scope: String?
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// The API's error code (`ApiCallLimit`, `IllegalAccessToken`, …), when it gave one.
    public var code: String?
    /// What went wrong, in words.
    public var message: String

    public init(_ kind: Kind, source: String? = nil, call: String? = nil, scope: String? = nil, status: Int? = nil,
                code: String? = nil, _ message: String) {
        self.kind = kind
        self.source = source
        self.call = call
        self.scope = scope
        self.status = status
        self.code = code
        self.message = message
    }

    /// `bigcommerce: GET /v3/catalog/products (page 3): HTTP 401: …`
    public var description: String {
        var head = source.map { "\($0): " } ?? ""
        if let call { head += call }
        if let scope { head += call == nil ? scope : " (\(scope))" }
        var parts: [String] = head.isEmpty ? [] : [head]
        if let status { parts.append("HTTP \(status)") }
        if let code { parts.append("error \(code)") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// The process exit status this failure ends a pull with.
    public var exitStatus: Int32 { kind == .config ? 2 : 1 }
}

/// Where a call is being made, for the messages of the failures it may raise.
struct CallSite: Sendable {
    var source: String
    var call: String
    var scope: String?

    func failure(status: Int? = nil, code: String? = nil, _ message: String) -> PullError {
        PullError(.source, source: source, call: call, scope: scope, status: status, code: code, message)
    }
}
