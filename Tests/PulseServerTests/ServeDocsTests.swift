import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PulseConfig
@testable import PulseServer
import Testing

/// The README's serve tables come from the code's tables, and every path of docs/openapi.json is
/// a route that answers as documented.
@Suite struct ServeDocsTests {
    private func readme() throws -> String { try String(contentsOf: Repo.root.appendingPathComponent("README.md"), encoding: .utf8) }

    private func holds(_ table: String, name: String) throws -> Bool {
        if try readme().contains(table) { return true }
        try Data(table.utf8).write(to: URL(fileURLWithPath: NSTemporaryDirectory() + "pulse-readme-\(name).md"))
        return false
    }

    @Test func theReadmesServeTablesAreTheCodes() throws {
        #expect(try holds(ServeKey.readmeTable, name: "serve"), "README's serve table must be ServeKey.readmeTable")
        #expect(try holds(ServeMetric.readmeTable, name: "metrics"), "README's metrics table must be ServeMetric.readmeTable")
    }

    @Test func everyDocumentedPathIsARouteAnsweringADocumentedStatus() async throws {
        let data = try Data(contentsOf: Repo.root.appendingPathComponent("docs/openapi.json"))
        let spec = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(spec["paths"] as? [String: [String: Any]])
        // Each operation with its documented statuses and, when it takes a body, its example.
        var documented: [(path: String, method: String, statuses: Set<Int>, example: Data?)] = []
        for (path, operations) in paths {
            for (method, operation) in operations {
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                let content = ((operation as? [String: Any])?["requestBody"] as? [String: Any])?["content"] as? [String: Any]
                let example = (content?["application/json"] as? [String: Any])?["example"]
                documented.append((path, method.uppercased(), Set(responses.keys.compactMap { Int($0) }),
                                   try example.map { try JSONSerialization.data(withJSONObject: $0) }))
            }
        }
        #expect(documented.count == 13, "every route is documented")
        let h = try await ServeHarness.make()
        let owner = try #require(h.tokens["owner"])
        // A silence to expire, and a firing card to acknowledge.
        let silence = try h.engine.store.addSilence(profile: "demo", cards: [], severity: nil, startsAt: 0, endsAt: 4_000_000_000, reason: "docs", by: "test",
                                                    now: 0)
        let routes = documented
        try await h.app.test(.router) { client in
            for d in routes {
                let key = d.path.hasSuffix("/ack") ? "aex_rejected_auditing_listings" : "aex_total_listings"
                let uri = d.path.replacingOccurrences(of: "{profile}", with: "demo").replacingOccurrences(of: "{key}", with: key)
                    .replacingOccurrences(of: "{id}", with: String(silence.id))
                let method: HTTPRequest.Method = d.method == "POST" ? .post : d.method == "DELETE" ? .delete : .get
                let status = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer " + owner],
                                                      body: d.example.map { ByteBuffer(bytes: $0) }) { Int($0.status.code) }
                #expect(d.statuses.contains(status), "\(d.method) \(uri) answered \(status), documented \(d.statuses.sorted())")
                #expect((200..<300).contains(status), "\(d.method) \(uri) works for an owner")
            }
        }
    }
}
