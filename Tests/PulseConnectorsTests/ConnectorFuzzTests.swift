import Foundation
import PulseCLI
import PulseConnectors
@testable import PulseFakeVendors
import Testing

/// Issue 24: the vendors' answers are an attack surface like any file. The fake vendors' recorded
/// BigCommerce and AliExpress answers, mutated (numbers at and past Int64 and Double limits, types
/// swapped, truncated bodies, deep nesting, huge counts and lengths, invalid UTF-8, hostile
/// rate-limit headers and statuses), are served to a real `pulse pull` in-process: the same code a
/// pull runs, HTTP included. Passing means no answer crashed, trapped or hung the pull, and every
/// failure was a pull error naming the endpoint (`bigcommerce: GET /v3/…`, `aliexpress: aliexpress.…`).
/// `PULSE_FUZZ_ITERATIONS=N` runs N rounds (`make fuzz` runs many; the default keeps `make test` short).
@Suite("connector answers, mutated")
struct ConnectorFuzzTests {
    static var rounds: Int { Int(ProcessInfo.processInfo.environment["PULSE_FUZZ_ITERATIONS"] ?? "") ?? 120 }

    /// A deterministic generator (the seed is printed with a failure, to replay it).
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    enum TokenKind { case string, number, literal }

    /// The value tokens of a JSON text, by byte range (strings with their quotes).
    static func tokens(_ b: [UInt8]) -> [(range: Range<Int>, kind: TokenKind)] {
        var out: [(Range<Int>, TokenKind)] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x22 {
                var j = i + 1
                while j < b.count && b[j] != 0x22 { j += b[j] == 0x5C ? 2 : 1 }
                out.append((i..<min(j + 1, b.count), .string))
                i = j + 1
            } else if c == 0x2D || (c >= 0x30 && c <= 0x39) {
                var j = i
                while j < b.count, b[j] == 0x2D || b[j] == 0x2B || b[j] == 0x2E || b[j] == 0x65 || b[j] == 0x45 || (b[j] >= 0x30 && b[j] <= 0x39) { j += 1 }
                out.append((i..<j, .number))
                i = j
            } else if c == 0x74 || c == 0x66 || c == 0x6E {
                var j = i
                while j < b.count, b[j] >= 0x61 && b[j] <= 0x7A { j += 1 }
                out.append((i..<j, .literal))
                i = j
            } else {
                i += 1
            }
        }
        return out
    }

    static let numbers = [
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "1e308", "1.7976931348623157e308", "1e309", "-1e400", "4.9e-324", "1e-400", "123456789012345678901234567890",
        "-0", "0e0", "1E+2", "00", "1.", "-", "NaN", "Infinity", "0x10", "2.5", "-1", "0", "1000000000000",
    ]
    static let swaps = ["\"x\"", "\"\"", "[]", "{}", "null", "true", "false", "1.5", "[{}]", "{\"a\":[]}", "\"9223372036854775808\""]
    static let countKeys = ["total_pages", "total", "per_page", "count", "current_page", "total_page", "product_count", "total_count", "page_size"]
    static let badUTF8: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82], [0xFE, 0xFF], [0x00]]
    static let escapes = ["\\u0000", "\\uD800", "\\uDFFF\\uD800", "\\x", "\\u12", "\\", "\\uZZZZ"]

    static func mutate(_ body: [UInt8], using rng: inout SplitMix) -> [UInt8] {
        var b = body
        let tokens = Self.tokens(b)
        func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }
        func some(_ kind: TokenKind?) -> Range<Int>? {
            let matching = tokens.filter { kind == nil || $0.kind == kind }
            return matching.isEmpty ? nil : pick(matching).range
        }
        switch Int.random(in: 0..<11, using: &rng) {
        case 0:  // a number at or past the limits
            if let r = some(.number) { b.replaceSubrange(r, with: Array(pick(numbers).utf8)) }
        case 1:  // a value of another type
            if let r = some(nil) { b.replaceSubrange(r, with: Array(pick(swaps).utf8)) }
        case 2:  // truncated
            b = Array(b.prefix(Int.random(in: 0...b.count, using: &rng)))
        case 3:  // deep nesting, closed or not
            if let r = some(nil) {
                let n = Int.random(in: 100...20_000, using: &rng)
                let closed = Bool.random(using: &rng)
                b.replaceSubrange(r, with: Array(repeating: UInt8(ascii: "["), count: n) + [0x31] + (closed ? Array(repeating: UInt8(ascii: "]"), count: n) : []))
            }
        case 4:  // a huge or hostile count
            let key = pick(countKeys)
            if let at = indexOf(Array("\"\(key)\":".utf8), in: b) {
                let start = at + key.utf8.count + 3
                var end = start
                while end < b.count, b[end] != 0x2C && b[end] != 0x7D { end += 1 }
                b.replaceSubrange(start..<end, with: Array(pick(numbers + ["\"1000000000000\"", "null", "[]"]).utf8))
            }
        case 5:  // a huge string
            if let r = some(.string) {
                let n = Int.random(in: 1...2_000_000, using: &rng)
                b.replaceSubrange(r, with: [0x22] + Array(repeating: pick([UInt8(ascii: "A"), 0xC3, 0x5C]), count: n) + [0x22])
            }
        case 6:  // a huge array where a value was
            if let r = some(nil) {
                let n = Int.random(in: 1...200_000, using: &rng)
                let item = Array(pick(["0", "{}", "\"s\"", "[]", "{\"id\":1}"]).utf8)
                var array: [UInt8] = [UInt8(ascii: "[")]
                array.reserveCapacity(n * (item.count + 1) + 2)
                for k in 0..<n { if k > 0 { array.append(0x2C) }; array.append(contentsOf: item) }
                array.append(UInt8(ascii: "]"))
                b.replaceSubrange(r, with: array)
            }
        case 7:  // invalid UTF-8 inside a string, or anywhere
            let bytes = pick(badUTF8)
            if let r = some(.string), r.count >= 2, Bool.random(using: &rng) {
                b.insert(contentsOf: bytes, at: r.lowerBound + 1)
            } else {
                b.insert(contentsOf: bytes, at: Int.random(in: 0...b.count, using: &rng))
            }
        case 8:  // a bad escape inside a string
            if let r = some(.string), r.count >= 2 { b.insert(contentsOf: Array(pick(escapes).utf8), at: r.lowerBound + 1) }
        case 9:  // a list element repeated many times (duplicates, huge pages)
            if let open = b.firstIndex(of: UInt8(ascii: "[")), let close = b[open...].firstIndex(of: UInt8(ascii: "}")), close + 1 < b.count {
                let element = Array(b[(open + 1)...close])
                let n = Int.random(in: 2...3_000, using: &rng)
                var copies: [UInt8] = []
                for _ in 0..<n { copies += element + [0x2C] }
                b.insert(contentsOf: copies, at: open + 1)
            }
        default:  // a token spliced from elsewhere, or a range cut out
            if Bool.random(using: &rng), let r = some(nil), let from = some(nil) {
                b.replaceSubrange(r, with: Array(b[from]))
            } else if !b.isEmpty {
                let start = Int.random(in: 0..<b.count, using: &rng)
                b.removeSubrange(start..<min(b.count, start + Int.random(in: 1...64, using: &rng)))
            }
        }
        return b
    }

    static func indexOf(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    /// Hostile statuses and rate-limit headers, now and then.
    static func reply(using rng: inout SplitMix) -> (status: Int, headers: [(String, String)]) {
        let statuses = [200, 200, 200, 200, 200, 200, 429, 500, 404, 301, 204, 418]
        let status = statuses[Int.random(in: 0..<statuses.count, using: &rng)]
        guard Int.random(in: 0..<3, using: &rng) == 0 else { return (status, []) }
        let values = ["0", "-5", "4", "5000", "60000", "60001", "9223372036854775807", "99999999999999999999999", "1e3", "", " 7 ", "abc"]
        func value() -> String { values[Int.random(in: 0..<values.count, using: &rng)] }
        let headers = [("X-Rate-Limit-Requests-Left", value()), ("X-Rate-Limit-Time-Reset-Ms", value()), ("X-Retry-After", value())]
        return (status, headers.filter { _ in Bool.random(using: &rng) })
    }

    @Test("mutated vendor answers: no crash, every failure a pull error naming the endpoint")
    func mutatedAnswers() async throws {
        var store = FakeStore.simple(listings: 3, products: 4)
        store.listings[2].status = "editingRequired"
        store.problems[store.listings[2].id] = "missing_brand_attribute"
        store.inventory = (0..<4).map { .init(sku: "SKU-\($0)", variantID: Int64(1000 + $0), locations: [(1, 4, true), (2, 1, false)]) }
        let h = try await PullHarness.start(store)
        defer { Task { await h.stop() } }
        let inventory = "profile: inv\npriority_markets: [US]\n" + h.server.profileSources(stockFrom: "inventory")
        try Data(inventory.utf8).write(to: URL(fileURLWithPath: h.path("profiles/inv.yaml")))

        // The corpus: one clean pull of each profile records every call's answer.
        #expect(try await Self.pull(h, "shop", out: "base").exitCode == 0)
        #expect(try await Self.pull(h, "inv", out: "base-inv").exitCode == 0)
        let recorded = h.server.state.withLockedValue { $0.recorded }
        let calls = recorded.keys.sorted()
        #expect(calls.count == 7, "\(calls)")

        let seed = UInt64(ProcessInfo.processInfo.environment["PULSE_FUZZ_SEED"] ?? "") ?? 2026_12_07
        var rng = SplitMix(state: seed)
        var failures = 0
        for round in 0..<Self.rounds {
            let call = calls[Int.random(in: 0..<calls.count, using: &rng)]
            guard let original = recorded[call] else { continue }
            var body = original
            for _ in 0..<Int.random(in: 1...3, using: &rng) { body = Self.mutate(body, using: &rng) }
            let (status, headers) = call.hasPrefix("GET ") ? Self.reply(using: &rng) : (Int.random(in: 0..<8, using: &rng) == 0 ? 500 : 200, [])
            h.server.state.withLockedValue { $0.faults = [] }
            h.server.script(call, .bytes(status, headers: headers, body: body))
            let previous = Bool.random(using: &rng) ? ["--previous", h.path(call == "GET /inventory/items" ? "base-inv" : "base")] : []
            let out = try await Self.pull(h, call == "GET /inventory/items" ? "inv" : "shop", out: "rounds/r\(round)", previous)
            switch out.exitCode {
            case 0:
                try? FileManager.default.removeItem(atPath: h.path("rounds/r\(round)"))
            case 1:
                failures += 1
                let named = out.stderr.hasPrefix("pulse pull: bigcommerce: GET /v3/") || out.stderr.hasPrefix("pulse pull: aliexpress: aliexpress.")
                #expect(named, "round \(round) (seed \(seed)), \(call) answered \(status) \(headers): \(out.stderr.prefix(400))")
                #expect(!FileManager.default.fileExists(atPath: h.path("rounds/r\(round)")), "a failed pull leaves no snapshot")
            default:
                Issue.record("round \(round) (seed \(seed)), \(call): exit \(out.exitCode): \(out.stderr.prefix(400))")
            }
        }
        #expect(h.entries("rounds").filter { $0.hasPrefix(".") }.isEmpty, "no staging folder is left")
        #expect(failures > 0, "some mutations fail")
    }

    static func pull(_ h: PullHarness, _ profile: String, out: String, _ more: [String] = []) async throws -> CommandOutput {
        let options = try PullRunner.Options.parse(["--profiles", h.path("profiles"), "--profile", profile, "--out", h.path(out)] + more)
        return await PullRunner.run(options, environment: h.environment, clock: h.clock,
                                    backoff: Backoff(base: 0.5, cap: 4, tries: 2, rateLimitedTries: 3), terminal: false)
    }
}
