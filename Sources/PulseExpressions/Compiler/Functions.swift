import Foundation

/// The run-time implementations of CEL's operators and functions over ``Value``s.
///
/// Each is named by its ``StandardLibrary`` declaration and picked once, when an expression
/// compiles; it dispatches on the values' cases, which also covers operands the checker could
/// only type as `dyn`.
enum Functions {
    typealias Unary = @Sendable (Value) throws(EvalError) -> Value
    typealias Binary = @Sendable (Value, Value) throws(EvalError) -> Value

    /// `<`, `<=`, `>`, `>=`: whether the order of the operands passes `test`.
    static func compare(_ function: String, _ test: @escaping @Sendable (Int) -> Bool) -> Binary {
        { (a, b) throws(EvalError) in
            guard let order = Value.celCompare(a, b) else { throw EvalError.noOverload(function, [a, b]) }
            return .bool(order.holds(test))
        }
    }

    static func negate(_ v: Value) throws(EvalError) -> Value {
        switch v {
        case .int(let i):
            guard i != .min else { throw EvalError("integer overflow: -(\(i))") }
            return .int(-i)
        case .double(let d): return .double(-d)
        default: throw EvalError.noOverload(Operator.negate, [v])
        }
    }

    static func size(_ v: Value) throws(EvalError) -> Value {
        switch v {
        case .string(let s): return .int(Int64(s.unicodeScalars.count))
        case .list(let l): return .int(Int64(l.count))
        default: throw EvalError.noOverload("size", [v])
        }
    }

    static func mapASCII(_ v: Value, _ function: String, upper: Bool) throws(EvalError) -> Value {
        guard case .string(let s) = v else { throw EvalError.noOverload(function, [v]) }
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for c in s.unicodeScalars {
            if upper, c >= "a", c <= "z", let u = Unicode.Scalar(c.value - 32) { out.unicodeScalars.append(u) }
            else if !upper, c >= "A", c <= "Z", let l = Unicode.Scalar(c.value + 32) { out.unicodeScalars.append(l) }
            else { out.unicodeScalars.append(c) }
        }
        return .string(out)
    }

    /// A conversion function (`int(x)`, `timestamp(x)`, …): a value of its own type as it is,
    /// any other through `convert`, which gives nil for one it has no overload for.
    private static func conversion(_ name: String, _ convert: @escaping @Sendable (Value) throws(EvalError) -> Value?) -> Unary {
        { (v) throws(EvalError) in
            if v.shortTypeName == name { return v }
            guard let converted = try convert(v) else { throw EvalError.noOverload(name, [v]) }
            return converted
        }
    }

    /// `value`, or the error `message` when a conversion could not make one.
    private static func converted<T>(_ value: T?, _ message: @autoclosure () -> String) throws(EvalError) -> T {
        guard let value else { throw EvalError(message()) }
        return value
    }

    /// `timestamp(x)`: an RFC 3339 string, or seconds since the epoch.
    static let timestamp = conversion("timestamp") { (v) throws(EvalError) -> Value? in
        switch v {
        case .int(let seconds): return .timestamp(try converted(CELTimestamp(seconds: seconds), "timestamp(\(seconds)) is outside years 0001-9999"))
        case .string(let s): return .timestamp(try converted(CELTimestamp(parsing: s), "invalid timestamp '\(s)': use RFC 3339 within years 0001-9999"))
        default: return nil
        }
    }

    /// `duration(x)`: a string such as `90s`, `1h30m` or `1.5h`.
    static let duration = conversion("duration") { (v) throws(EvalError) -> Value? in
        guard case .string(let s) = v else { return nil }
        return .duration(try converted(CELDuration(parsing: s), "invalid duration '\(s)': \(durationHint(s))"))
    }

    /// CEL durations stop at hours: days are the most common slip.
    private static func durationHint(_ s: String) -> String {
        if s.hasSuffix("d"), let days = Int64(s.dropLast()) {
            let (hours, overflow) = days.multipliedReportingOverflow(by: 24)
            if !overflow { return "CEL durations have no days: use '\(hours)h'" }
        }
        return "use e.g. 90s, 1h30m, 1.5h"
    }

    /// `int(x)`: doubles truncate toward zero (and must fit, as cel-spec says, strictly inside
    /// the 64-bit range), strings parse, timestamps give seconds since the epoch.
    static let toInt = conversion("int") { (v) throws(EvalError) -> Value? in
        switch v {
        case .double(let d):
            guard d.isFinite, d > -9.223372036854775808e18, d < 9.223372036854775808e18 else { throw EvalError("int(\(d)) is out of the int range") }
            return .int(Int64(d.rounded(.towardZero)))
        case .string(let s): return .int(try converted(Int64(s), "int('\(s.prefix(40))') is not an integer"))
        case .timestamp(let t): return .int(t.seconds)
        default: return nil
        }
    }

    /// `double(x)`: a number or a numeric string (not a hexadecimal one).
    static let toDouble = conversion("double") { (v) throws(EvalError) -> Value? in
        switch v {
        case .int(let i): return .double(Double(i))
        case .string(let s):
            let hex = s.lowercased().hasPrefix("0x") || s.lowercased().hasPrefix("-0x")
            return .double(try converted(hex ? nil : Double(s), "double('\(s.prefix(40))') is not a number"))
        default: return nil
        }
    }

    /// `string(x)`: numbers as CEL prints them (`123`, `123.456`, `-0.0045`), timestamps in
    /// RFC 3339, durations as seconds (`1000000s`).
    static let toString = conversion("string") { (v) throws(EvalError) -> Value? in
        switch v {
        case .int(let i): return .string(String(i))
        case .double(let d):
            if d.isFinite, d.rounded() == d, abs(d) < 1e21, let whole = Int64(exactly: d) { return .string(String(whole)) }
            return .string(d.isNaN ? "NaN" : d.isInfinite ? (d > 0 ? "+Inf" : "-Inf") : "\(d)")
        case .bool(let b): return .string(b ? "true" : "false")
        case .timestamp(let t): return .string(t.description)
        case .duration(let d): return .string(d.description)
        default: return nil
        }
    }

    /// `bool(x)`: the strings cel-go accepts (`1`, `t`, `true`, `TRUE`, `True` and their opposites).
    static let toBool = conversion("bool") { (v) throws(EvalError) -> Value? in
        guard case .string(let s) = v else { return nil }
        if ["1", "t", "true", "TRUE", "True"].contains(s) { return .bool(true) }
        if ["0", "f", "false", "FALSE", "False"].contains(s) { return .bool(false) }
        throw EvalError("bool('\(s.prefix(40))') is not a boolean: use true or false")
    }

    /// A duration accessor: the whole duration in hours, minutes, seconds or milliseconds.
    static func durationPart(_ name: String, _ d: CELDuration) -> Int64? {
        switch name {
        case "getHours": return d.nanoseconds / 3_600_000_000_000
        case "getMinutes": return d.nanoseconds / 60_000_000_000
        case "getSeconds": return d.nanoseconds / 1_000_000_000
        case "getMilliseconds": return d.nanoseconds / 1_000_000
        default: return nil
        }
    }

    /// `x op y` on ints by `operation` (`x.addingReportingOverflow`): an overflow is an error, and
    /// so is a zero `y` where `byZero` says.
    @inline(__always)
    private static func intResult(_ x: Int64, _ symbol: String, _ y: Int64, _ operation: (Int64) -> (partialValue: Int64, overflow: Bool),
                                  byZero: String? = nil) throws(EvalError) -> Value {
        if let byZero, y == 0 { throw EvalError(byZero) }
        let (r, o) = operation(y)
        guard !o else { throw EvalError("integer overflow: \(x) \(symbol) \(y)") }
        return .int(r)
    }

    static func add(_ a: Value, _ b: Value) throws(EvalError) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)): return try intResult(x, "+", y, x.addingReportingOverflow)
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.list(let x), .list(let y)): return .list(x + y)
        case (.timestamp(let t), .duration(let d)), (.duration(let d), .timestamp(let t)):
            guard let r = t.adding(d) else { throw EvalError("timestamp out of range: \(t) + \(d)") }
            return .timestamp(r)
        case (.duration(let x), .duration(let y)):
            guard let r = CELDuration.adding(x, y) else { throw EvalError("duration out of range: \(x) + \(y)") }
            return .duration(r)
        default: throw EvalError.noOverload(Operator.add, [a, b])
        }
    }

    static func subtract(_ a: Value, _ b: Value) throws(EvalError) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)): return try intResult(x, "-", y, x.subtractingReportingOverflow)
        case (.double(let x), .double(let y)): return .double(x - y)
        case (.timestamp(let x), .timestamp(let y)):
            guard let r = x.subtracting(y) else { throw EvalError("duration out of range: \(x) - \(y)") }
            return .duration(r)
        case (.timestamp(let t), .duration(let d)):
            guard let negated = d.negated, let r = t.adding(negated) else { throw EvalError("timestamp out of range: \(t) - \(d)") }
            return .timestamp(r)
        case (.duration(let x), .duration(let y)):
            guard let negated = y.negated, let r = CELDuration.adding(x, negated) else { throw EvalError("duration out of range: \(x) - \(y)") }
            return .duration(r)
        default: throw EvalError.noOverload(Operator.subtract, [a, b])
        }
    }

    static func multiply(_ a: Value, _ b: Value) throws(EvalError) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)): return try intResult(x, "*", y, x.multipliedReportingOverflow(by:))
        case (.double(let x), .double(let y)): return .double(x * y)
        default: throw EvalError.noOverload(Operator.multiply, [a, b])
        }
    }

    static func divide(_ a: Value, _ b: Value) throws(EvalError) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)): return try intResult(x, "/", y, x.dividedReportingOverflow(by:), byZero: "division by zero")
        case (.double(let x), .double(let y)): return .double(x / y)
        default: throw EvalError.noOverload(Operator.divide, [a, b])
        }
    }

    static func modulo(_ a: Value, _ b: Value) throws(EvalError) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)): return try intResult(x, "%", y, x.remainderReportingOverflow(dividingBy:), byZero: "modulus by zero")
        default: throw EvalError.noOverload(Operator.modulo, [a, b])
        }
    }

    static func isIn(_ a: Value, _ b: Value) throws(EvalError) -> Value {
        guard case .list(let items) = b else { throw EvalError.noOverload(Operator.in, [a, b]) }
        for item in items where Value.celEquals(a, item) { return .bool(true) }
        return .bool(false)
    }

    static func index(_ a: Value, _ b: Value) throws(EvalError) -> Value {
        switch (a, b) {
        case (.list(let items), .int(let i)):
            guard i >= 0, i < items.count else { throw EvalError("index \(i) out of range for a list of \(items.count)") }
            return items[Int(i)]
        case (.list(let items), .double(let d)):
            guard let i = Int(exactly: d), i >= 0, i < items.count else { throw EvalError("invalid list index \(d)") }
            return items[i]
        default: throw EvalError.noOverload(Operator.index, [a, b])
        }
    }

    static func stringTest(_ function: String, _ test: @escaping @Sendable (String, String) -> Bool) -> Binary {
        { (a, b) throws(EvalError) in
            guard case .string(let x) = a, case .string(let y) = b else { throw EvalError.noOverload(function, [a, b]) }
            return .bool(test(x, y))
        }
    }

    static func matches(_ a: Value, _ b: Value) throws(EvalError) -> Value {
        guard case .string(let s) = a, case .string(let pattern) = b else { throw EvalError.noOverload("matches", [a, b]) }
        do throws(RegularExpressionError) { return .bool(try RegularExpression(pattern).matches(s)) } catch {
            throw EvalError("invalid regular expression '\(pattern.prefix(80))': \(error.message)")
        }
    }

    /// `matches`: a literal pattern is compiled once, here; any other per call.
    static func buildMatches(_ arguments: [CheckedExpr], _ build: (CheckedExpr) -> Evaluator, _ offset: Int) -> Evaluator {
        let target = build(arguments[0])
        if case .literal(.string(let pattern)) = arguments[1].kind, let regex = try? RegularExpression(pattern) {
            return { (activation) throws(EvalError) in
                guard case .string(let s) = try target(activation) else { throw EvalError("matches() needs a string", offset: offset) }
                return .bool(regex.matches(s))
            }
        }
        let pattern = build(arguments[1])
        return { (activation) throws(EvalError) in
            let x = try target(activation)
            let y = try pattern(activation)
            do throws(EvalError) { return try matches(x, y) } catch { throw error.at(offset) }
        }
    }

    /// A pattern written as a literal is compiled at check time: what RE2 refuses never reaches a run.
    static func checkPattern(_ arguments: [CheckedExpr]) throws(CheckError) {
        guard arguments.count == 2, case .literal(.string(let pattern)) = arguments[1].kind else { return }
        do throws(RegularExpressionError) { _ = try RegularExpression(pattern) } catch {
            throw CheckError(offset: arguments[1].offset, message: "invalid regular expression (RE2 syntax): \(error.message)")
        }
    }

    /// A zone written as a literal must be one.
    static func checkZone(_ arguments: [CheckedExpr]) throws(CheckError) {
        if arguments.count == 2, case .literal(.string(let zone)) = arguments[1].kind, CELTimeZone(zone) == nil {
            throw CheckError(offset: arguments[1].offset, message: "'\(zone)' is not a time zone: use an IANA name (Europe/London) or an offset (+01:00)")
        }
    }

    /// A timestamp or duration accessor: `t.getHours()` in the activation's zone (the profile's),
    /// `t.getHours('Europe/London')` in the one named (a literal name looked up once).
    static func buildAccessor(_ function: String) -> @Sendable ([CheckedExpr], (CheckedExpr) -> Evaluator, Int) -> Evaluator {
        { arguments, build, offset in
            let target = build(arguments[0])
            var dynamicZone: Evaluator?
            var literalZone: CELTimeZone?
            if arguments.count == 2 {
                if case .literal(.string(let name)) = arguments[1].kind, let z = CELTimeZone(name) { literalZone = z } else { dynamicZone = build(arguments[1]) }
            }
            let zone = dynamicZone, fixedZone = literalZone, argumentCount = arguments.count
            return { (activation) throws(EvalError) in
                switch try target(activation) {
                case .timestamp(let t):
                    var chosen = fixedZone ?? activation.timeZone
                    if let zone {
                        guard case .string(let name) = try zone(activation), let z = CELTimeZone(name) else {
                            throw EvalError("\(function)() needs a time zone name (Europe/London) or offset (+01:00)", offset: offset)
                        }
                        chosen = z
                    }
                    guard let part = t.component(function, in: chosen) else { throw EvalError("no such overload: \(function)", offset: offset) }
                    return .int(part)
                case .duration(let d) where argumentCount == 1:
                    guard let part = durationPart(function, d) else {
                        throw EvalError("\(function)() is not defined for durations; use getHours, getMinutes, getSeconds or getMilliseconds", offset: offset)
                    }
                    return .int(part)
                case let other:
                    throw EvalError("no such overload: \(function) on \(other.typeName)", offset: offset)
                }
            }
        }
    }
}
