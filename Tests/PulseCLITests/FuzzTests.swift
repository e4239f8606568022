import Foundation
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseSnapshot
import Testing

/// Issue 10: a seeded, bounded mutation fuzzer over the three front ends (YAML -> config, CEL
/// parse/check/eval, snapshot rows). Each test passing means no input it made crashed, hung
/// or trapped the process; each also checks that errors are located. `PULSE_FUZZ_ITERATIONS=N`
/// runs N rounds of each (the default keeps `make test` well under a minute); README "Fuzzing"
/// has the longer run.
@Suite struct FuzzTests {
    static var rounds: Int { Int(ProcessInfo.processInfo.environment["PULSE_FUZZ_ITERATIONS"] ?? "") ?? 400 }

    /// Damage of the kinds that found the crashes: long runs of one operator, many fraction
    /// digits, huge numbers, splices, control bytes, deep brackets.
    static func mutate(_ text: String, corpus: [String], using rng: inout SplitMix64) -> String {
        var scalars = Array(text.unicodeScalars)
        let at = scalars.isEmpty ? 0 : Int.random(in: 0...scalars.count, using: &rng)
        let pieces: [String] = [
            String(repeating: "-", count: Int.random(in: 1...400, using: &rng)),
            String(repeating: "!", count: Int.random(in: 1...400, using: &rng)),
            Array(repeating: "1", count: Int.random(in: 2...400, using: &rng)).joined(separator: "+"),
            String(repeating: "[0]", count: Int.random(in: 1...300, using: &rng)),
            String(repeating: "(", count: Int.random(in: 1...300, using: &rng)),
            ".123456789012345678", "9223372036854775807", "-9223372036854775808", "1e400", "0x1p3", "nan", "\u{0}", "\u{1B}[2J",
            "'(a+)+$'", ".matches('(a')", " && ", " || ", " ? ", " : ", "[1, 2, 3].map(x, [x, x])", ".exists(x, true)", "e\u{301}",
            "timestamp('2026-03-13T06:00:00.1234567890Z')", "duration('15251w')", "duration('9223372036s')",
            "int(1e99)", "int('-9223372036854775808')", "double('1e400')", "string(-0.0)", "bool('t')", "timestamp(253402300799)",
            ".getDayOfYear('+14:00')", ".getHours('Pacific/Kiritimati')", "duration('-9223372036854775808ns').getHours()",
        ]
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: scalars.insert(contentsOf: pieces[Int.random(in: 0..<pieces.count, using: &rng)].unicodeScalars, at: at)
        case 1 where !scalars.isEmpty: scalars.remove(at: Int.random(in: 0..<scalars.count, using: &rng))
        case 2 where !corpus.isEmpty:  // splice another input in
            scalars.insert(contentsOf: corpus[Int.random(in: 0..<corpus.count, using: &rng)].unicodeScalars, at: at)
        case 3 where scalars.count > 1:  // repeat a slice many times
            let start = Int.random(in: 0..<scalars.count, using: &rng)
            let slice = scalars[start..<min(scalars.count, start + Int.random(in: 1...8, using: &rng))]
            scalars.insert(contentsOf: Array(repeating: Array(slice), count: Int.random(in: 2...2000, using: &rng)).flatMap { $0 }, at: at)
        case 4 where !scalars.isEmpty: scalars = Array(scalars.prefix(Int.random(in: 0..<scalars.count, using: &rng)))
        default:
            if !scalars.isEmpty {
                let i = Int.random(in: 0..<scalars.count, using: &rng)
                scalars[i] = Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng))
            }
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    @Test func celFrontEndNeverCrashes() throws {
        var corpus = try ConformanceCase.load().map(\.expr)
        corpus += ["listing.status == 'active' && listing.skus.exists(s, s.stock > 0)", "size(listing.title) > 3 ? 1 : 2",
                   "listing.ship_to.filter(c, !(c in profile.priority_markets)).size()", "now - duration('24h') < listing.created_at"]
        let environment = CardEnvironment.make(source: .listings, params: [("window", .duration), ("skus", .list(.string))])
        var rng = SplitMix64(state: 2026_11_30)
        var compiled = 0
        for _ in 0..<(Self.rounds * 5) {
            var text = corpus[Int.random(in: 0..<corpus.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...3, using: &rng) { text = Self.mutate(text, corpus: corpus, using: &rng) }
            do throws(CompileError) {
                let program = try Compiler.compile(text, environment: environment)
                compiled += 1
                _ = try? program.evaluate(Activation(slotCount: program.slotCount))
            } catch {
                #expect(error.offset >= 0 && error.offset <= text.unicodeScalars.count + 1, "\(error.message) at \(error.offset) in \(text.prefix(200))")
            }
        }
        #expect(compiled > Self.rounds / 2)
    }

    @Test func snapshotFrontEndNeverCrashes() throws {
        let demo = CLI.packageRoot.appendingPathComponent("examples/demo")
        let names = ["listings.jsonl", "stock.jsonl", "audit_events.jsonl", "freight_templates.jsonl", "category_restrictions.jsonl", "snapshot.json"]
        var files: [String: [String]] = [:]
        for name in names {
            // A slice of each file keeps each round cheap.
            files[name] = Array(try String(contentsOf: demo.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").prefix(40).map(String.init))
        }
        let set = try ConfigSet.load(paths: [CLI.packageRoot.appendingPathComponent("cards").path, CLI.packageRoot.appendingPathComponent("profiles").path])
        let profile = try #require(set.profile("demo").flatMap { try? ProfileResolver(profiles: set.profiles).resolve($0).get() })
        var rng = SplitMix64(state: 17)
        var loaded = 0, refused = 0
        let corpus = files.values.flatMap { $0 }
        for _ in 0..<Self.rounds {
            var round = files
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let name = names[Int.random(in: 0..<names.count, using: &rng)]
                var lines = round[name] ?? []
                guard !lines.isEmpty else { continue }
                let i = Int.random(in: 0..<lines.count, using: &rng)
                lines[i] = Self.mutate(lines[i], corpus: corpus, using: &rng)
                if Int.random(in: 0..<10, using: &rng) == 0 { round.removeValue(forKey: name) } else { round[name] = lines }
            }
            var memory: [String: [UInt8]] = [:]
            for (name, lines) in round { memory[name] = Array(lines.joined(separator: "\n").utf8) }
            do {
                let snapshot = try SnapshotLoader.load(files: memory, label: "fuzz")
                loaded += 1
                let results = try Evaluation.run(ProfilePlan(cards: set.cards, profile: profile), snapshot: snapshot, now: snapshot.takenAt).get()
                #expect(results.count == 5)
            } catch let error as SnapshotLoadError {
                refused += 1
                for issue in error.issues {
                    // Located in a file of this round ("fuzz/NAME"), at one of its lines (0: the
                    // file as a whole, such as one that is missing), and said in words.
                    let name = issue.file.hasPrefix("fuzz/") ? String(issue.file.dropFirst("fuzz/".count)) : issue.file
                    #expect(names.contains(name), "\(issue)")
                    let lineCount = memory[name].map { bytes in bytes.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 } } ?? 0
                    #expect((0...lineCount).contains(issue.line), "\(issue): the input has \(lineCount) lines")
                    #expect(!issue.message.trimmingCharacters(in: .whitespaces).isEmpty, "\(issue)")
                }
            }
        }
        #expect(loaded > 0 && refused > 0)
    }

    @Test func yamlAndConfigFrontEndNeverCrashes() throws {
        let shipped = try CLI.shippedConfig()
        let paths = shipped.keys.sorted()
        let corpus = Array(shipped.values)
        var rng = SplitMix64(state: 99)
        for _ in 0..<(Self.rounds / 2) {
            var files = shipped
            let path = paths[Int.random(in: 0..<paths.count, using: &rng)]
            var text = files[path] ?? ""
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                text = Bool.random(using: &rng) ? Mutator.mutate(text, using: &rng) : Self.mutate(text, corpus: corpus, using: &rng)
            }
            files[path] = text
            var set = ConfigSet()
            for p in paths { set.add(file: p, bytes: Array((files[p] ?? "").utf8)) }
            // The full lint, expressions and their cost included, as `pulse validate` runs it.
            for d in Workspace(set: set).diagnostics {
                #expect(files[d.location.file] != nil)
                #expect(d.location.line >= 1 && d.location.column >= 1)
            }
        }
    }
}
