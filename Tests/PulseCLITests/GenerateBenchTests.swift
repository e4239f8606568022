import Foundation
@testable import PulseCLI
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

extension GenerateBenchTests {
    /// `--coverage` makes a store whose listings mostly miss a priority market; its long
    /// worklist is streamed: the JSON report comes out in chunks of about a megabyte, the rows
    /// in order and complete, and the same as the table's first rows.
    @Test func aLongWorklistIsStreamedInChunks() async throws {
        let dir = folder()
        #expect(try CLI.run(["generate", "--listings", "30000", "--coverage", "10", "--out", dir], in: CLI.packageRoot).status == 0)
        var options = try EvalRunner.Options.parse(["--profile", "demo", "--snapshot", dir, "--card", "aex_ship_to_country_coverage",
                                                    "--format", "json", "--cards", CLI.packageRoot.appendingPathComponent("cards").path,
                                                    "--profiles", CLI.packageRoot.appendingPathComponent("profiles").path])
        let output = await EvalRunner.run(options)
        let stream = try #require(output.stdoutStream)
        var chunks: [[UInt8]] = []
        stream.produce { chunks.append($0) }
        #expect(chunks.count >= 2, "a worklist of megabytes comes out in more than one piece")
        #expect(chunks.dropLast().allSatisfy { $0.count >= 1 << 20 && $0.count < 2 << 20 }, "\(chunks.map(\.count))")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(chunks.joined())) as? [String: Any])
        let card = try #require((report["cards"] as? [[String: Any]])?.first)
        let rows = try #require(card["rows"] as? [[String: Any]])
        #expect(rows.count == card["row_count"] as? Int)
        #expect(rows.count > 15_000, "most active listings miss a market at --coverage 10")
        let missing = rows.compactMap { $0["missing_markets"] as? [String] }
        #expect(missing.count == rows.count && missing.allSatisfy { !$0.isEmpty })
        // The table shows the same first rows.
        options.format = .table
        options.maxRows = 3
        let table = await EvalRunner.run(options).stdout
        for row in rows.prefix(3) { #expect(table.contains(try #require(row["listing"] as? String))) }
    }
}
