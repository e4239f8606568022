import PulseExpressions
import Testing

/// Issue 10: expressions that used to overflow the stack or trap end in a located error or a
/// right value.
@Suite struct HostileExpressionTests {
    private func compileError(_ text: String) -> String? {
        do throws(CompileError) {
            _ = try Compiler.compile(text, environment: Environment())
            return nil
        } catch {
            return error.message
        }
    }

    private func value(_ text: String) -> String? {
        guard let program = try? Compiler.compile(text, environment: Environment()) else { return nil }
        return try? ValueJSON().plain(program.evaluate(Activation(slotCount: program.slotCount)))
    }

    @Test(arguments: [
        Array(repeating: "1", count: 24_000).joined(separator: "+"),
        Array(repeating: "true", count: 24_000).joined(separator: " && "),
        Array(repeating: "1", count: 24_000).joined(separator: " == "),
        "[1]" + String(repeating: "[0]", count: 24_000),
        String(repeating: "-", count: 24_000) + "1",
        String(repeating: "!", count: 24_000) + "true",
        String(repeating: "-", count: 24_000) + "x",
        String(repeating: "(", count: 24_000) + "1" + String(repeating: ")", count: 24_000),
        Array(repeating: "[1]", count: 24_000).joined(separator: " + "),
        "x" + String(repeating: ".y", count: 24_000),
    ])
    func longChainsAreRefusedNotACrash(_ text: String) {
        let message = compileError(text)
        #expect(message?.contains("deeper than 250 levels") == true || message?.contains("longer than") == true, "\(message ?? "compiled")")
    }

    @Test func anExpressionLongerThanTheLimitIsRefused() {
        let text = "1 + " + String(repeating: " ", count: Parser.maxLength) + "1"
        #expect(compileError(text) == "expression is longer than \(Parser.maxLength) characters")
    }

    @Test func chainsUpToTheLimitStillWork() {
        #expect(value(Array(repeating: "1", count: 200).joined(separator: "+")) == "200")
        #expect(value(String(repeating: "!", count: 200) + "true") == "true")
        #expect(value("[" + Array(repeating: "1", count: 10_000).joined(separator: ", ") + "].size()") == "10000")
    }

    @Test(arguments: [
        ("timestamp('2026-03-13T06:00:00.1234567890Z')", "\"2026-03-13T06:00:00.123456789Z\""),
        ("timestamp('2026-03-13T06:00:00." + String(repeating: "9", count: 5_000) + "Z')", "\"2026-03-13T06:00:00.999999999Z\""),
    ])
    func manyFractionalDigitsAreReadNotATrap(_ text: String, _ expected: String) {
        #expect(value(text) == expected)
    }

    @Test func parsingTenFractionalDigitsDropsTheTenth() {
        #expect(CELTimestamp(parsing: "2026-03-13T06:00:00.1234567890Z")?.nanos == 123_456_789)
        #expect(CELTimestamp(parsing: "2026-03-13T06:00:00.1234567890123Z")?.description == "2026-03-13T06:00:00.123456789Z")
    }
}

/// Issue 10: `matches` is RE2: linear time, RE2's syntax, and never "false" for "gave up".
@Suite struct RegularExpressionTests {
    enum Outcome: Equatable {
        case success(Bool)
        case failure(String)
    }

    private func run(_ text: String, bind value: String) -> Outcome {
        var environment = Environment()
        let slot = environment.declare(variable: "s", type: .string)
        let program: Program
        do throws(CompileError) { program = try Compiler.compile(text, environment: environment) } catch { return .failure(error.message) }
        let activation = Activation(slotCount: program.slotCount)
        activation.slots[slot] = .string(value)
        do throws(EvalError) {
            guard case .bool(let b) = try program.evaluate(activation) else { return .failure("not a bool") }
            return .success(b)
        } catch { return .failure(error.message) }
    }

    @Test func catastrophicBacktrackingPatternsAreLinear() {
        // Backtracking engines take seconds (minutes past 30 a's); RE2 answers at once.
        #expect(run("s.matches('(a+)+$')", bind: String(repeating: "a", count: 10_000) + "!") == .success(false))
        #expect(run("s.matches('(a+)+!$')", bind: String(repeating: "a", count: 10_000) + "!") == .success(true))
        #expect(run("s.matches('^(a+)+$')", bind: String(repeating: "a", count: 10_000) + "!") == .success(false))
    }

    @Test func aTwoMegabyteTextGetsTheRightAnswer() {
        let text = String(repeating: "ab", count: 1 << 20) + "c"
        #expect(run("s.matches('^(a|b)*c$')", bind: text) == .success(true))
        #expect(run("s.matches('^(a|b)*d$')", bind: text) == .success(false))
    }

    @Test(arguments: [
        ("s.matches('(abc)\\\\1')", "invalid regular expression (RE2 syntax): invalid escape sequence: \\1"),
        ("s.matches('(a')", "invalid regular expression (RE2 syntax): missing ): (a"),
        ("s.matches('a(?=b)')", "invalid regular expression (RE2 syntax): invalid perl operator: (?="),
    ])
    func whatRE2RefusesIsACheckError(_ text: String, _ message: String) {
        #expect(run(text, bind: "x") == .failure(message))
    }

    @Test func aPatternBuiltAtRunTimeThatRE2RefusesIsARowError() {
        #expect(run("s.matches(s)", bind: "(a") == .failure("invalid regular expression '(a': missing ): (a"))
        #expect(run("s.matches(s + '|x')", bind: "ab") == .success(true))
    }

    @Test func unicodeIsMatchedByCodePoint() {
        #expect(run("s.matches('^.$')", bind: "é") == .success(true))
        #expect(run("s.matches('^.$')", bind: "e\u{301}") == .success(false))
    }
}

@Suite struct ReadableDurationTests {
    @Test(arguments: [
        (Int64(309_600) * 1_000_000_000, "3d 14h"), (Int64(2710) * 1_000_000_000, "45m 10s"), (Int64(1_500_000_000), "1.5s"), (Int64(0), "0s"),
        (Int64(-7200) * 1_000_000_000, "-2h"), (Int64.min, "-106751d 23h 47m 16.854775808s"),
    ] as [(Int64, String)])
    func readable(_ nanoseconds: Int64, _ text: String) {
        #expect(CELDuration(nanoseconds: nanoseconds).readable == text)
    }
}
