import PulseExpressions
import Testing

/// CEL semantics that matter to cards, as tables: error absorption, overflow, timestamps,
/// null fields, type errors with positions.
@Suite struct SemanticsTests {
    enum Outcome: Equatable {
        case success(String)
        case failure(String)
    }

    private func eval(_ text: String, _ environment: Environment = Environment(), bind: (Activation) -> Void = { _ in }) -> Outcome {
        let program: Program
        do throws(CompileError) { program = try Compiler.compile(text, environment: environment) } catch {
            return .failure("compile@\(error.offset): \(error.message)")
        }
        let activation = Activation(slotCount: program.slotCount)
        bind(activation)
        do throws(EvalError) { return .success(ValueJSON().plain(try program.evaluate(activation))) } catch {
            return .failure("eval: \(error.message)")
        }
    }

    @Test(arguments: [
        ("false && 1/0 == 1", "false"), ("1/0 == 1 && false", "false"),
        ("true || 1/0 == 1", "true"), ("1/0 == 1 || true", "true"),
        ("[1, 2].exists(x, x / 0 == 1 || x == 2)", "true"),
        ("[0, 1].all(x, 1 / x > 5)", "false"),
        ("true ? 1 : 1/0", "1"), ("false ? 1/0 : 2", "2"),
    ])
    func errorsAreAbsorbedWhereCELSaysSo(_ text: String, _ expected: String) {
        #expect(eval(text) == .success(expected))
    }

    @Test(arguments: [
        ("true && 1/0 == 1", "eval: division by zero"),
        ("9223372036854775807 * 2", "eval: integer overflow: 9223372036854775807 * 2"),
        ("-9223372036854775808 / -1", "eval: integer overflow: -9223372036854775808 / -1"),
        ("[1][1]", "eval: index 1 out of range for a list of 1"),
        ("timestamp('2026-02-30T00:00:00Z')", "eval: invalid timestamp '2026-02-30T00:00:00Z': use RFC 3339 within years 0001-9999"),
        ("duration('1d')", "eval: invalid duration '1d': CEL durations have no days: use '24h'"),
    ])
    func runtimeErrors(_ text: String, _ expected: String) {
        #expect(eval(text) == .failure(expected))
    }

    @Test(arguments: [
        ("timestamp('2026-03-17T08:00:00Z') - duration('24h')", "\"2026-03-16T08:00:00Z\""),
        ("timestamp('2026-03-17T08:00:00+02:00')", "\"2026-03-17T06:00:00Z\""),
        ("timestamp('2026-03-17T08:00:00.5Z') - timestamp('2026-03-17T07:00:00Z')", "\"3600.5s\""),
        ("duration('1h30m') > duration('90m')", "false"),
        ("duration('1.5h') == duration('90m')", "true"),
        ("timestamp('2024-02-29T00:00:00Z') < timestamp('2024-03-01T00:00:00Z')", "true"),
    ])
    func timestampsAndDurations(_ text: String, _ expected: String) {
        #expect(eval(text) == .success(expected))
    }

    @Test(arguments: [
        ("1 + 1.0", 2), ("'a' + 1", 4), ("size(1)", 0), ("[1, 2] + 'x'", 7), ("1 == 'a'", 2), ("!'x'", 0),
        ("foo", 0), ("'a'.strip()", 4), ("1 +", 3), ("[1,2].all(1, true)", 10), ("{'a': 1}", 0), ("1u", 0), ("b'x'", 0),
    ])
    func compileErrorsAreLocated(_ text: String, _ offset: Int) {
        guard case .failure(let message) = eval(text) else { Issue.record("\(text) should not compile"); return }
        #expect(message.hasPrefix("compile@\(offset):"), "\(message)")
    }

    // A tiny model to check fields, null handling and did-you-mean.
    final class Item: CELObject {
        var celTypeName: String { "item" }
        let name: String?
        let qty: Int64
        init(_ name: String?, _ qty: Int64) { self.name = name; self.qty = qty }
        func field(_ index: Int) -> Value { index == 0 ? (name.map(Value.string) ?? .null) : .int(qty) }
    }

    private var environment: Environment {
        var env = Environment()
        env.declare(ObjectType(name: "item", fields: [FieldDeclaration("name", .nullable(.string)), FieldDeclaration("qty", .int)]))
        env.declare(variable: "item", type: .object("item"))
        return env
    }

    @Test func fieldsNullsAndHas() {
        let bindNull: (Activation) -> Void = { $0.slots[0] = .object(Item(nil, 3)) }
        let bindNamed: (Activation) -> Void = { $0.slots[0] = .object(Item("tent", 3)) }
        #expect(eval("item.name == null", environment, bind: bindNull) == .success("true"))
        #expect(eval("has(item.name)", environment, bind: bindNull) == .success("false"))
        #expect(eval("has(item.name)", environment, bind: bindNamed) == .success("true"))
        #expect(eval("item.name.startsWith('t')", environment, bind: bindNamed) == .success("true"))
        #expect(eval("item.name.startsWith('t')", environment, bind: bindNull) == .failure("eval: no such overload: startsWith(null_type, string)"))
        #expect(eval("item.name.startsWith('t') || item.qty > 2", environment, bind: bindNull) == .success("true"))
        #expect(eval("item.qty * 2", environment, bind: bindNull) == .success("6"))
    }

    @Test func unknownFieldSuggestsTheNearest() {
        #expect(eval("item.nmae == 'x'", environment) == .failure("compile@5: item has no field 'nmae'; did you mean 'name'?"))
        #expect(eval("iten.qty", environment) == .failure("compile@0: unknown name 'iten'; did you mean 'item'?"))
    }

    @Test func macrosBindTheirVariable() {
        #expect(eval("[1, 2, 3].map(x, x * 10)") == .success("[10, 20, 30]"))
        #expect(eval("[1, 2, 3].map(x, x > 1, x * 10)") == .success("[20, 30]"))
        #expect(eval("[1, 2, 3].filter(x, x % 2 == 1).exists_one(y, y == 3)") == .success("true"))
        #expect(eval("['US', 'BR'].all(m, m in ['US', 'GB', 'BR'])") == .success("true"))
        #expect(eval("'abc'.matches('^a.c$') && !'abc'.matches('^b')") == .success("true"))
        #expect(eval("'MiXeD'.lowerAscii() + 'x'.upperAscii()") == .success("\"mixedX\""))
    }
}
