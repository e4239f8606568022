import Foundation
import PulseSnapshot
import Testing

@Suite struct GenerateBenchTests {
    private func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pulse-gen-\(UUID().uuidString)").path
    }

    @Test func generationIsDeterministicAndValid() throws {
        let a = folder(), b = folder(), c = folder()
        for (dir, seed) in [(a, "5"), (b, "5"), (c, "6")] {
            let result = try CLI.run(["generate", "--listings", "3000", "--seed", seed, "--out", dir], in: CLI.packageRoot)
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("wrote \(dir): 3000 listings, "))
        }
        for file in ["listings.jsonl", "stock.jsonl", "audit_events.jsonl", "freight_templates.jsonl", "category_restrictions.jsonl", "snapshot.json"] {
            #expect(FileManager.default.contents(atPath: "\(a)/\(file)") == FileManager.default.contents(atPath: "\(b)/\(file)"), "\(file)")
        }
        #expect(FileManager.default.contents(atPath: "\(a)/listings.jsonl") != FileManager.default.contents(atPath: "\(c)/listings.jsonl"))
        // It keeps the snapshot contract, with a store-like status mix.
        let snapshot = try SnapshotLoader.load(folder: a)
        #expect(snapshot.listings.count == 3000)
        let active = snapshot.listings.filter { $0.status == .active }.count
        #expect(active > 2500 && active < 2850)
        #expect(snapshot.listings.allSatisfy { (1...4).contains($0.skus.count) })
        #expect(snapshot.stock.contains { $0.tracking == .none })
        #expect(snapshot.stock.contains { $0.available <= 0 })
        #expect(snapshot.auditEvents.contains { $0.to == .rejected && $0.reason != nil })
        #expect(snapshot.freightTemplates.count == 40)
    }

    @Test func benchAgreesWithTheHandWrittenBaseline() throws {
        let dir = folder()
        #expect(try CLI.run(["generate", "--listings", "2000", "--out", dir], in: CLI.packageRoot).status == 0)
        let result = try CLI.run(["bench", "--snapshot", dir, "--profile", "demo", "--runs", "1"], in: CLI.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("same results as the hand-written baseline (values, breakdowns, worklists): yes"), "\(result.stdout)")
        #expect(result.stdout.contains("eval aex_ship_to_country_coverage"))
    }

    @Test func badSizeIsUsage() throws {
        #expect(try CLI.run(["generate", "--listings", "-5", "--out", folder()], in: CLI.packageRoot).status == 2)
    }
}
