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
