import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
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
        var documented: [(path: String, method: String, statuses: Set<Int>)] = []
        for (path, operations) in paths {
            for (method, operation) in operations {
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                documented.append((path, method.uppercased(), Set(responses.keys.compactMap { Int($0) })))
            }
        }
        #expect(documented.count == 9, "every route is documented")
        let h = try ServeHarness.make()
        let routes = documented
        try await h.app.test(.router) { client in
            for d in routes {
                let uri = d.path.replacingOccurrences(of: "{profile}", with: "demo").replacingOccurrences(of: "{key}", with: "aex_total_listings")
                let status = try await client.execute(uri: uri, method: d.method == "POST" ? .post : .get,
                                                      headers: [.authorization: "Bearer " + h.tokens["owner"]!]) { Int($0.status.code) }
                #expect(d.statuses.contains(status), "\(d.method) \(uri) answered \(status), documented \(d.statuses.sorted())")
                #expect(status == 200, "\(d.method) \(uri) works for an owner")
            }
        }
    }
}
