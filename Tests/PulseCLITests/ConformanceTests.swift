import Foundation
import PulseCLI
import PulseExpressions
import Testing

/// cel-spec's own conformance tests inside Pulse's subset (shared/cel-spec/cases.json, copied
/// into Conformance/ with its licence): every one must give the same value or an error through
/// `pulse expr EXPR --format json`.
struct ConformanceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let expr: String
    /// The expected `{"type", "value"}` as JSON text, or nil when an error is expected.
    let expect: String?
    var testDescription: String { name }

    static func load(_ name: String = "cases") throws -> [ConformanceCase] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Conformance") else {
            throw CLI.CLIError(message: "Conformance/\(name).json is missing from the test bundle")
        }
        let data = try Data(contentsOf: url)
        guard let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw CLI.CLIError(message: "cases.json is not a list of objects")
        }
        return try entries.map { entry in
            guard let name = entry["name"] as? String, let expr = entry["expr"] as? String else {
                throw CLI.CLIError(message: "a case without name or expr")
            }
            var expect: String?
            if let e = entry["expect"] {
                expect = String(decoding: try JSONSerialization.data(withJSONObject: e, options: [.fragmentsAllowed]), as: UTF8.self)
            }
            return ConformanceCase(name: name, expr: expr, expect: expect)
        }
    }
}

/// Compares JSON values as CEL values: numbers by value, strings by Unicode scalars.
enum JSONCompare {
    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil), (is NSNull, is NSNull): return true
        case (let x as String, let y as String): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (let x as NSNumber, let y as NSNumber):
            // Integers compare exactly (their text); doubles by value.
            return x.stringValue == y.stringValue || x.doubleValue == y.doubleValue
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (let x as [String: Any], let y as [String: Any]):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0], y[$0]) }
        default: return false
        }
    }
}

@Suite struct ConformanceTests {
    static let cases: [ConformanceCase] = (try? ConformanceCase.load()) ?? []

    @Test func allCasesAreLoaded() {
        #expect(Self.cases.count == 456)
    }

    /// cel-spec's cases for conversions, timestamp and duration accessors and `matches`
    /// (shared/cel-spec/cases-extended.json, from the same commit as the others).
    static let extendedCases: [ConformanceCase] = (try? ConformanceCase.load("cases-extended")) ?? []

    @Test func allExtendedCasesAreLoaded() {
        #expect(Self.extendedCases.count == 93)
    }

    @Test(arguments: extendedCases)
    func extendedCaseGivesTheSameValueOrError(_ c: ConformanceCase) throws {
        try caseGivesTheSameValueOrError(c)
    }

    @Test(arguments: cases)
    func caseGivesTheSameValueOrError(_ c: ConformanceCase) throws {
        let output = ExprRunner.run(c.expr, format: .json)
        let actual = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        if let expect = c.expect {
            let expected = try JSONSerialization.jsonObject(with: Data(expect.utf8)) as? [String: Any]
            #expect(output.exitCode == 0, "\(c.expr) -> \(output.stdout)")
            #expect(JSONCompare.same(actual?["type"], expected?["type"]), "\(c.expr): type \(output.stdout) vs \(expect)")
            #expect(JSONCompare.same(actual?["value"], expected?["value"]), "\(c.expr): value \(output.stdout) vs \(expect)")
        } else {
            #expect(output.exitCode == 1, "\(c.expr) should be an error, got \(output.stdout)")
            #expect(actual?["error"] is String)
        }
    }

    /// Conditions also compile to closures returning Bool; on every bool-typed case they must
    /// agree with the Value closures, value for value and error for error.
    static let conditionCases = cases.filter { (try? Compiler.compile($0.expr, environment: Environment()))?.type == .bool }

    @Test func manyCasesAreConditions() {
        #expect(Self.conditionCases.count > 200)
    }

    @Test(arguments: conditionCases)
    func conditionClosureAgrees(_ c: ConformanceCase) throws {
        let program = try Compiler.compile(c.expr, environment: Environment())
        let activation = Activation(slotCount: program.slotCount)
        let value: Value? = try? program.evaluate(activation)
        let condition: Bool? = try? program.conditionClosure(activation)
        if case .bool(let b)? = value {
            #expect(condition == b, "\(c.expr)")
        } else {
            #expect(condition == nil, "\(c.expr): the Value path errs, the Bool path gave \(String(describing: condition))")
        }
    }

    @Test func throughTheBinary() throws {
        let result = try CLI.run(["expr", "[1, 2, 3].exists_one(x, x > 2)", "--format", "json"], in: CLI.packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout == "{\"value\": true, \"type\": \"bool\"}\n")
        let error = try CLI.run(["expr", "15 / 0", "--format", "json"], in: CLI.packageRoot)
        #expect(error.status == 1)
        #expect(error.stdout == "{\"error\": \"division by zero\", \"kind\": \"eval\"}\n")
    }
}
