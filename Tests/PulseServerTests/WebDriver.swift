import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Just enough of the W3C WebDriver protocol to drive headless Chromium through chromedriver on
/// 127.0.0.1: a session, navigation, elements, keys, clicks, text and screenshots.
final class WebDriver: Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let base: String
    let session: String
    private let client: HTTPClient

    /// Opens a headless Chromium session on the chromedriver at `port`.
    static func start(port: Int) async throws -> WebDriver {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let base = "http://127.0.0.1:\(port)"
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": [
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1800",
                         "--no-first-run", "--disable-extensions", "--user-data-dir=\(NSTemporaryDirectory())pulse-chromium-\(UUID().uuidString)"],
            ],
        ]]]
        let answer = try await call(client, .POST, base + "/session", capabilities)
        guard let session = answer["sessionId"] as? String else {
            try? await client.shutdown()
            throw Failure(description: "chromedriver did not open a session: \(answer)")
        }
        return WebDriver(base: base + "/session/" + session, session: session, client: client)
    }

    private init(base: String, session: String, client: HTTPClient) {
        self.base = base
        self.session = session
        self.client = client
    }

    static var chromium: String {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/chromium"
    }

    static var chromedriver: String {
        ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/chromedriver"
    }

    private static func call(_ client: HTTPClient, _ method: HTTPMethod, _ url: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any] ?? [:]
        guard let value = json["value"] else { return json }
        if let error = (value as? [String: Any])?["error"] as? String {
            throw Failure(description: "\(method) \(url): \(error): \((value as? [String: Any])?["message"] ?? "")")
        }
        return ["value": value, "sessionId": (value as? [String: Any])?["sessionId"] ?? ""]
    }

    @discardableResult
    private func call(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await Self.call(client, method, base + path, body)["value"]
    }

    /// Waits up to `implicit` milliseconds for elements to appear when finding them.
    func setImplicitWait(_ milliseconds: Int) async throws { try await call(.POST, "/timeouts", ["implicit": milliseconds]) }

    func open(_ url: String) async throws { try await call(.POST, "/url", ["url": url]) }

    /// The element matching a CSS selector (waiting up to the implicit wait).
    func element(_ css: String) async throws -> String {
        let value = try await call(.POST, "/element", ["using": "css selector", "value": css]) as? [String: Any]
        guard let id = value?.values.first as? String else { throw Failure(description: "no element \(css)") }
        return id
    }

    func type(_ text: String, into element: String) async throws { try await call(.POST, "/element/\(element)/value", ["text": text]) }
    func click(_ element: String) async throws { try await call(.POST, "/element/\(element)/click", [:]) }
    func text(_ element: String) async throws -> String { try await call(.GET, "/element/\(element)/text") as? String ?? "" }
    func title() async throws -> String { try await call(.GET, "/title") as? String ?? "" }
    func source() async throws -> String { try await call(.GET, "/source") as? String ?? "" }

    /// Runs a script in the page; its return value.
    func script(_ source: String) async throws -> Any? { try await call(.POST, "/execute/sync", ["script": source, "args": []]) }

    /// A PNG of the window.
    func screenshot() async throws -> Data {
        guard let base64 = try await call(.GET, "/screenshot") as? String, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot")
        }
        return data
    }

    func quit() async {
        _ = try? await Self.call(client, .DELETE, base)
        try? await client.shutdown()
    }
}
