import Foundation
import PulseBench
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseSnapshot
import Testing

/// Explain runs eval's plan: random typed CEL, built from the field table (``ModelTypes``) and the
/// function table (``StandardLibrary``), gives the same results through the planned path (what
/// `eval` runs: typed filters, memos, fast paths), the traced path (what `explain` runs: the same
/// closures under the observe decorator, one row at a time), and for the seed cards the
/// hand-written baseline. Each traced row's trace must also agree with the row's outcome.
@Suite struct PlanPropertyTests {
    /// Builds well-typed expressions over the variables of one row source.
    struct ExpressionGenerator {
        var rng: SeededRandom  // seeded: a failure names a case that replays
        /// `listing.status`: string, … from the field table, for the source's row variables.
        let fields: [(text: String, type: CELType)]

        init(seed: UInt64, variables: [String]) {
            rng = SeededRandom(seed: seed)
            var fields: [(String, CELType)] = []
            for type in ModelTypes.all where variables.contains(type.name) {
                for field in type.fields {
                    switch field.type.unwrapped {
                    case .object, .list(.object): continue
                    default: fields.append(("\(type.name).\(field.name)", field.type))
                    }
                }
            }
            fields.append(("profile.priority_markets", .list(.string)))
            fields.append(("now", .timestamp))
            self.fields = fields
        }

        mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

        static let strings = ["active", "rejected", "auditing", "US", "BR", "", "A", "image_quality", "none"]

        /// An expression of type `type` (plain: `int`, `string`, …, or `list(string)`).
        mutating func expression(_ type: CELType, depth: Int) -> String {
            let fieldsOfType = fields.filter { $0.type.unwrapped == type }
            if depth <= 0 || chance(30) {
                if !fieldsOfType.isEmpty && chance(70) { return pick(fieldsOfType).text }
                return literal(type)
            }
            switch type {
            case .bool: return condition(depth: depth)
            case .int:
                switch rng.next() % 4 {
                case 0: return "(\(expression(.int, depth: depth - 1)) \(pick(["+", "-", "*", "/", "%"])) \(expression(.int, depth: depth - 1)))"
                case 1: return "-\(expression(.int, depth: depth - 1))"
                case 2: return "(\(condition(depth: depth - 1)) ? \(expression(.int, depth: depth - 1)) : \(expression(.int, depth: depth - 1)))"
                default: return function(returning: .int, depth: depth) ?? literal(.int)
                }
            case .list(.string):
                if chance(50) { return "[\"US\", \"\(pick(Self.strings))\"]" }
                return "\(expression(.list(.string), depth: depth - 1)).filter(m, \(pick(["m == \"US\"", "size(m) > 1", "m in profile.priority_markets"])))"
            default:
                return function(returning: type, depth: depth) ?? literal(type)
            }
        }

        mutating func literal(_ type: CELType) -> String {
            switch type {
            case .int: return "\(Int(rng.next() % 7) - 2)"
            case .double: return pick(["0.5", "1.0", "-2.5"])
            case .string: return "\"\(pick(Self.strings))\""
            case .bool: return pick(["true", "false"])
            case .timestamp: return pick(["now", "timestamp(\"2026-03-01T00:00:00Z\")", "now - duration(\"48h\")"])
            case .duration: return pick(["duration(\"24h\")", "duration(\"90m\")"])
            case .list(.string): return "[\"US\", \"GB\"]"
            default: return "null"
            }
        }

        /// A call of a library function whose result is `type`, arguments generated per one of its overloads.
        mutating func function(returning type: CELType, depth: Int) -> String? {
            let candidates = StandardLibrary.functions.filter { $0.result == type && $0.name != "matches" }
            guard !candidates.isEmpty else { return nil }
            let f = pick(candidates)
            let overload = pick(f.overloads)
            var args: [String] = []
            for parameter in overload {
                guard case .type(let t) = parameter else {
                    args.append(expression(.list(.string), depth: depth - 1))  // any list
                    continue
                }
                switch t {
                case .string where f.name.hasPrefix("get"): args.append("\"UTC\"")  // a zone argument
                case .string where f.name == "timestamp": args.append("\"2026-03-0\(rng.next() % 9 + 1)T00:00:00Z\"")
                case .string where f.name == "duration": args.append(pick(["\"24h\"", "\"1h30m\""]))
                case .string where ["int", "double", "bool"].contains(f.name): args.append(pick(["\"1\"", "\"true\"", "\"x\""]))
                default: args.append(expression(t, depth: depth - 1))
                }
            }
            switch f.style {
            case .method, .either where args.count > 1 || chance(50):
                return "\(args[0]).\(f.name)(\(args.dropFirst().joined(separator: ", ")))"
            default:
                return "\(f.name)(\(args.joined(separator: ", ")))"
            }
        }

        /// A bool expression: comparisons, membership, macros, `has`, and `&&`/`||`/`!` over them.
        mutating func condition(depth: Int) -> String {
            if depth <= 0 { return chance(50) ? literal(.bool) : comparison(depth: 0) }
            switch rng.next() % 8 {
            case 0: return "(\(condition(depth: depth - 1)) && \(condition(depth: depth - 1)))"
            case 1: return "(\(condition(depth: depth - 1)) || \(condition(depth: depth - 1)))"
            case 2: return "!\(condition(depth: depth - 1))"
            case 3: return "(\(expression(.string, depth: depth - 1)) in \(expression(.list(.string), depth: depth - 1)))"
            case 4: return "\(expression(.list(.string), depth: depth - 1)).\(pick(["all", "exists", "exists_one"]))(m, \(pick(["m == \"US\"", "m in profile.priority_markets", "size(m) == 2"])))"
            case 5:
                let nullable = fields.filter { if case .nullable = $0.type { return true } else { return false } }
                if let f = nullable.isEmpty ? nil : pick(nullable) { return chance(50) ? "\(f.text) == null" : "has(\(f.text))" }
                return comparison(depth: depth)
            case 6: return function(returning: .bool, depth: depth) ?? comparison(depth: depth)
            default: return comparison(depth: depth)
            }
        }

        mutating func comparison(depth: Int) -> String {
            let type = pick([CELType.int, .string, .timestamp, .duration, .bool, .double])
            let op = type == .bool ? pick(["==", "!="]) : pick(["==", "!=", "<", "<=", ">", ">="])
            return "(\(expression(type, depth: depth - 1)) \(op) \(expression(type, depth: depth - 1)))"
        }
    }

    /// Hears each row: its outcome, and whether the trace's record of `where` agrees with it.
    final class Recorder: EvaluationObserver {
        let filter: Program?
        var whereID: Int? { filter?.checked.id }
        var counted = 0, filteredOut = 0, errored = 0, disagreements: [String] = []

        init(filter: Program?) { self.filter = filter }

        func observe(_ row: RowContext, _ outcome: RowOutcome, trace: Trace) {
            let recorded = filter.flatMap { trace.result($0.checked.id, of: $0) }
            switch outcome {
            case .filteredOut:
                filteredOut += 1
                if case .success(.bool(false))? = recorded {} else { disagreements.append("filtered out, trace says \(String(describing: recorded))") }
            case .counted:
                counted += 1
                if whereID != nil, case .success(.bool(true))? = recorded {} else if whereID != nil {
                    disagreements.append("counted, trace says \(String(describing: recorded))")
                }
            case .errored(let part, _):
                errored += 1
                if part.field == "where", case .failure? = recorded {} else if part.field == "where" {
                    disagreements.append("where failed, trace says \(String(describing: recorded))")
                }
            }
        }
    }

    @Test(arguments: [("listings", ["listing"]), ("skus", ["listing", "sku", "bc"]), ("audit_events", ["event", "listing"])])
    func randomExpressionsAgreeOnEveryPath(source: String, variables: [String]) throws {
        let base = try Harness.config()
        let profile = try ProfileResolver(profiles: base.profiles).resolve(try #require(base.profile("demo"))).get()
        let snapshot = try SnapshotLoader.load(folder: BatchedEvaluationTests.folder)
        let evaluator = CardEvaluator(profile: profile, snapshot: snapshot, now: snapshot.takenAt)
        let json = ValueJSON()
        var generator = ExpressionGenerator(seed: UInt64(source.utf8.count) &* 7919, variables: variables)
        var compiledCount = 0, rowsCounted = 0, rowsErrored = 0
        for i in 0..<120 {
            let condition = generator.condition(depth: 3)
            let measure = generator.pick(["count", "percent(\(generator.condition(depth: 2)))", "sum(\(generator.expression(.int, depth: 2)))",
                                          "count_distinct(\(generator.expression(.string, depth: 2)))"])
            let groupBy = generator.chance(40) ? generator.expression(.string, depth: 1) : nil
            let column = generator.expression(generator.pick([.string, .int, .bool, .list(.string)]), depth: 2)
            var set = ConfigSet()
            let text = BatchedEvaluationTests.card("p\(i)", from: source, where: condition, measure: measure,
                                                  groupBy: groupBy.map { "'\($0)'" }, rows: ["c": column])
            set.add(file: "cards/p/p\(i).yaml", bytes: Array(text.utf8))
            guard let card = set.cards.first, case .success(let planned) = CompiledCard.compile(card),
                  case .success(let observed) = CompiledCard.compile(card, observing: true) else { continue }
            compiledCount += 1
            let settings = try CardSettings.resolve(card, profile: profile).get()
            let label = "\(source) #\(i): where \(condition); measure \(measure); group_by \(groupBy ?? "-"); column \(column)"
            let eval = evaluator.evaluate(planned, settings: settings)
            let recorder = Recorder(filter: observed.filter?.program)
            let explain = evaluator.evaluate(observed, settings: settings, observer: recorder)
            #expect(eval.value == explain.value, "\(label)")
            #expect(eval.numerator == explain.numerator && eval.denominator == explain.denominator, "\(label)")
            #expect(eval.breakdown?.map(\.label) == explain.breakdown?.map(\.label), "\(label)")
            #expect(eval.rows.count == explain.rows.count, "\(label)")
            #expect(eval.rows.cells.map(json.plain) == explain.rows.cells.map(json.plain), "\(label)")
            #expect(eval.errorCount == explain.errorCount && eval.errorExamples == explain.errorExamples, "\(label)")
            #expect(recorder.disagreements.isEmpty, "\(label): \(recorder.disagreements.prefix(3))")
            // Every row is heard at least once (a counted row whose worklist cell failed, twice).
            #expect(recorder.counted + recorder.filteredOut + recorder.errored >= explain.rowsConsidered, "\(label)")
            rowsCounted += recorder.counted
            rowsErrored += recorder.errored
        }
        // The generator must produce cards that compile, count rows and make some fail, or it tests nothing.
        #expect(compiledCount >= 60, "only \(compiledCount) of 120 generated cards compiled")
        #expect(rowsCounted > 0 && rowsErrored > 0, "counted \(rowsCounted), errored \(rowsErrored)")
    }

    @Test func theSeedCardsAgreeWithTheHandWrittenBaselineOnEveryPath() throws {
        let set = try Harness.config()
        let profile = try ProfileResolver(profiles: set.profiles).resolve(try #require(set.profile("demo"))).get()
        let snapshot = try SnapshotLoader.load(folder: BatchedEvaluationTests.coverageFolder)
        let evaluator = CardEvaluator(profile: profile, snapshot: snapshot, now: snapshot.takenAt)
        let baseline = HandWrittenBaseline.evaluate(snapshot, profile: profile, now: snapshot.takenAt)
        let json = ValueJSON()
        #expect(baseline.count == 5)
        for (key, expected) in baseline {
            let card = try #require(set.card(key))
            let settings = try CardSettings.resolve(card, profile: profile).get()
            let eval = evaluator.evaluate(try CompiledCard.compile(card).get(), settings: settings)
            let observed = try CompiledCard.compile(card, observing: true).get()
            let explain = evaluator.evaluate(observed, settings: settings, observer: Recorder(filter: observed.filter?.program))
            for result in [eval, explain] {
                #expect(result.value == expected.value, "\(key)")
                if let breakdown = expected.breakdown {
                    #expect(Dictionary(uniqueKeysWithValues: (result.breakdown ?? []).map { ($0.label, $0.value ?? -1) }) == breakdown, "\(key)")
                }
                #expect(result.rows.cells.map(json.plain) == expected.cells.map(json.plain), "\(key)")
            }
        }
    }
}
