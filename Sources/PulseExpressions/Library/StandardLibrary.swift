/// The functions and methods expressions may call, one ``FunctionDecl`` each: **the place to add
/// a CEL function**, and the operators, one ``OperatorDecl`` each. The checker types a call from
/// its declaration's overloads, the compiler runs its implementation, the printer writes it in
/// its call style, suggestions and the README's function and operator tables come from here (a
/// test checks the README against them).
///
/// What no overload list says stays in ``Checker``: the joins of `==`, `!=`, `in`, `[]`, `?:` and
/// of lists added; macros (`has`, `all`, …) are the parser's.
public enum StandardLibrary {
    /// Every function, in the order the README lists them.
    public static let functions: [FunctionDecl] = [
        FunctionDecl("size", .either, [[.string], [.anyList]], .int, "the number of code points of a string, or elements of a list",
                     .unary(Functions.size)),
        FunctionDecl("contains", .method, [[.string, .string]], .bool, "whether the string contains the other",
                     .binary(Functions.stringTest("contains") { $1.isEmpty || $0.unicodeScalars.firstRange(of: $1.unicodeScalars) != nil })),
        FunctionDecl("startsWith", .method, [[.string, .string]], .bool, "whether the string starts with the other",
                     .binary(Functions.stringTest("startsWith") { $0.unicodeScalars.starts(with: $1.unicodeScalars) })),
        FunctionDecl("endsWith", .method, [[.string, .string]], .bool, "whether the string ends with the other",
                     .binary(Functions.stringTest("endsWith") { $0.unicodeScalars.reversed().starts(with: $1.unicodeScalars.reversed()) })),
        FunctionDecl("matches", .either, [[.string, .string]], .bool, "whether an RE2 regular expression matches part of the string",
                     .built(Functions.buildMatches), check: Functions.checkPattern),
        FunctionDecl("lowerAscii", .method, [[.string]], .string, "the string with A-Z lowered",
                     .unary { (v) throws(EvalError) in try Functions.mapASCII(v, "lowerAscii", upper: false) }),
        FunctionDecl("upperAscii", .method, [[.string]], .string, "the string with a-z raised",
                     .unary { (v) throws(EvalError) in try Functions.mapASCII(v, "upperAscii", upper: true) }),
        FunctionDecl("timestamp", .function, [[.string], [.timestamp], [.int]], .timestamp,
                     "an RFC 3339 string, or seconds since the epoch, as a timestamp", .unary(Functions.timestamp)),
        FunctionDecl("duration", .function, [[.string], [.duration]], .duration, "a string such as 90s, 1h30m or 1.5h as a duration",
                     .unary(Functions.duration)),
        FunctionDecl("int", .function, [[.int], [.double], [.string], [.timestamp]], .int,
                     "a double truncated, a string parsed, a timestamp's seconds since the epoch", .unary(Functions.toInt)),
        FunctionDecl("double", .function, [[.int], [.double], [.string]], .double, "a number or a numeric string as a double",
                     .unary(Functions.toDouble)),
        FunctionDecl("string", .function, [[.int], [.double], [.string], [.bool], [.timestamp], [.duration]], .string,
                     "a value as CEL prints it", .unary(Functions.toString)),
        FunctionDecl("bool", .function, [[.bool], [.string]], .bool, "true/false (and 1, t, TRUE, … as cel-go) as a bool",
                     .unary(Functions.toBool)),
    ] + CELTimestamp.accessors.map { name in
        let forDurations = Functions.durationPart(name, CELDuration(nanoseconds: 0)) != nil
        let part = accessorParts[name] ?? name
        return FunctionDecl(name, .method, [[.timestamp], [.timestamp, .string]] + (forDurations ? [[.duration]] : []), .int,
                            "a timestamp's \(part) in the profile's time zone (or the zone given)"
                                + (forDurations ? "; a duration in whole \(name.dropFirst(3).lowercased())" : ""),
                            .built(Functions.buildAccessor(name)), check: Functions.checkZone)
    }

    private static let accessorParts = [
        "getFullYear": "year", "getMonth": "month (0-11)", "getDate": "day of the month (1-31)",
        "getDayOfMonth": "day of the month (0-30)", "getDayOfYear": "day of the year (0-365)",
        "getDayOfWeek": "day of the week (0 is Sunday)", "getHours": "hour (0-23)", "getMinutes": "minute (0-59)",
        "getSeconds": "second (0-59)", "getMilliseconds": "millisecond (0-999)",
    ]

    /// Every operator, in the order the README lists them.
    public static let operators: [OperatorDecl] = [
        OperatorDecl(Operator.and, [([.bool, .bool], .bool)], "and: a false side decides, even when the other is an error",
                     nil, dyn: .perOperand),
        OperatorDecl(Operator.or, [([.bool, .bool], .bool)], "or: a true side decides, even when the other is an error",
                     nil, dyn: .perOperand),
        OperatorDecl(Operator.not, [([.bool], .bool)], "not", nil),
        OperatorDecl(Operator.conditional, joined: "(bool, A, A) → A", "x when c is true, else y; only that side runs", nil),
        OperatorDecl(Operator.equals, joined: "(A, A) → bool", "equality; the types must join (null joins any, int and double do not)",
                     .binary { a, b in .bool(Value.celEquals(a, b)) }),
        OperatorDecl(Operator.notEquals, joined: "(A, A) → bool", "not equal", .binary { a, b in .bool(!Value.celEquals(a, b)) }),
        OperatorDecl(Operator.less, comparable, "less than: numbers by value (int with double), strings by code point, false before true",
                     .binary(Functions.compare(Operator.less) { $0 < 0 })),
        OperatorDecl(Operator.lessOrEqual, comparable, "less than or equal", .binary(Functions.compare(Operator.lessOrEqual) { $0 <= 0 })),
        OperatorDecl(Operator.greater, comparable, "greater than", .binary(Functions.compare(Operator.greater) { $0 > 0 })),
        OperatorDecl(Operator.greaterOrEqual, comparable, "greater than or equal",
                     .binary(Functions.compare(Operator.greaterOrEqual) { $0 >= 0 })),
        OperatorDecl(Operator.add, [([.int, .int], .int), ([.double, .double], .double), ([.string, .string], .string),
                                    ([.timestamp, .duration], .timestamp), ([.duration, .timestamp], .timestamp),
                                    ([.duration, .duration], .duration)],
                     joined: "(list(A), list(A)) → list(A)",
                     "sum (int overflow is an error), strings and lists joined, a timestamp moved by a duration", .binary(Functions.add)),
        OperatorDecl(Operator.subtract, [([.int, .int], .int), ([.double, .double], .double), ([.timestamp, .timestamp], .duration),
                                         ([.timestamp, .duration], .timestamp), ([.duration, .duration], .duration)],
                     "difference (int overflow is an error); two timestamps give the duration between", .binary(Functions.subtract)),
        OperatorDecl(Operator.multiply, [([.int, .int], .int), ([.double, .double], .double)], "product (int overflow is an error)",
                     .binary(Functions.multiply)),
        OperatorDecl(Operator.divide, [([.int, .int], .int), ([.double, .double], .double)],
                     "quotient: ints truncate toward zero, an int divided by zero is an error", .binary(Functions.divide)),
        OperatorDecl(Operator.modulo, [([.int, .int], .int)], "remainder (with the sign of x); modulus by zero is an error",
                     .binary(Functions.modulo)),
        OperatorDecl(Operator.negate, [([.int], .int), ([.double], .double)], "negation (of the least int, an overflow error)",
                     .unary(Functions.negate)),
        OperatorDecl(Operator.in, joined: "(A, list(A)) → bool", "whether the list has an element equal to x", .binary(Functions.isIn)),
        OperatorDecl(Operator.index, joined: "(list(A), int) → A", "the element at i, from 0; out of range is an error",
                     .binary(Functions.index)),
    ]

    /// What `<`, `<=`, `>` and `>=` compare.
    private static let comparable: [([FunctionDecl.Parameter], CELType)] = {
        let pairs: [[FunctionDecl.Parameter]] = [[.int, .int], [.int, .double], [.double, .int], [.double, .double],
                                                 [.string, .string], [.bool, .bool], [.timestamp, .timestamp], [.duration, .duration]]
        return pairs.map { ($0, .bool) }
    }()

    /// The declaration of the operator `name` (``Operator/add``, …).
    static func lookupOperator(_ name: String) -> OperatorDecl? { operatorsByName[name] }

    private static let operatorsByName = Dictionary(operators.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// What runs for the function or operator `name`: nil for the operators the compiler builds
    /// itself (`&&`, `||`, `!`, `?:`: their operands run conditionally).
    static func implementation(of name: String) -> FunctionDecl.Implementation? {
        lookup(name)?.implementation ?? lookupOperator(name)?.implementation
    }

    /// The README's operator table: one row per operator.
    public static var readmeOperatorTable: String {
        var out = "| operator | takes → gives | what it does |\n|---|---|---|\n"
        for o in operators {
            // Overloads of one result type (the comparisons') share it: `(int, int), (double, double) → bool`.
            let results = Set(o.overloads.map(\.result))
            let typed = results.count == 1 ? [o.overloads.map(\.arguments).joined(separator: ", ") + " → \(o.overloads[0].result)"]
                : o.overloads.map(\.description)
            let takes = (typed + [o.joined].compactMap { $0 }).joined(separator: ", ")
            // A | inside a cell, even in code, must be escaped.
            let usage = String(o.usage.flatMap { $0 == "|" ? ["\\", "|"] : [$0] })
            out += "| `\(usage)` | \(takes) | \(o.summary) |\n"
        }
        return out
    }

    /// The macros, expanded by the parser.
    public static let macros = ["has", "all", "exists", "exists_one", "filter", "map"]

    /// Every function and macro name, for suggestions.
    public static let names = functions.map(\.name) + macros

    /// The declaration of `name`.
    static func lookup(_ name: String) -> FunctionDecl? { byName[name] }

    private static let byName = Dictionary(functions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The README's function table: one row per function.
    public static var readmeTable: String {
        var out = "| function | called as | takes | gives | what it does |\n|---|---|---|---|---|\n"
        for f in functions {
            let arity = f.overloads.map(\.count).max() ?? 1
            let function = "`\(f.name)(" + ["x", "x, y"][min(arity, 2) - 1] + ")`"
            let method = "`x.\(f.name)(" + (arity > 1 ? "y" : "") + ")`"
            let call = f.style == .function ? function : f.style == .method ? method : function + " or " + method
            let takes = f.overloads.map { "(" + $0.map(\.description).joined(separator: ", ") + ")" }.joined(separator: " ")
            out += "| `\(f.name)` | \(call) | \(takes) | \(f.result) | \(f.summary) |\n"
        }
        return out
    }
}

/// One function of the ``StandardLibrary``.
public struct FunctionDecl: Sendable {
    /// How a function is called.
    public enum CallStyle: Sendable {
        /// `f(x)`.
        case function
        /// `x.f()`: the receiver is the first argument.
        case method
        /// Either form.
        case either
    }

    /// An argument type an overload accepts (`dyn` arguments are accepted by every overload).
    public enum Parameter: Sendable, CustomStringConvertible {
        case type(CELType)
        /// A list of any element type.
        case anyList

        static let string = Parameter.type(.string), int = Parameter.type(.int), double = Parameter.type(.double)
        static let bool = Parameter.type(.bool), timestamp = Parameter.type(.timestamp), duration = Parameter.type(.duration)

        func accepts(_ t: CELType) -> Bool {
            if t == .dyn { return true }
            switch self {
            case .type(let expected): return t == expected
            case .anyList: return t.isList
            }
        }

        public var description: String {
            switch self {
            case .type(let t): return "\(t)"
            case .anyList: return "list"
            }
        }
    }

    /// What runs.
    enum Implementation: Sendable {
        /// One argument (the receiver of a method).
        case unary(Functions.Unary)
        /// Two arguments.
        case binary(Functions.Binary)
        /// Built from the argument nodes, for work done once per expression (a literal pattern
        /// compiled once, a literal zone looked up once).
        case built(@Sendable (_ arguments: [CheckedExpr], _ build: (CheckedExpr) -> Evaluator, _ offset: Int) -> Evaluator)
    }

    /// The name.
    public let name: String
    /// How it is called.
    public let style: CallStyle
    /// The argument types it accepts (receiver first), one list per overload.
    public let overloads: [[Parameter]]
    /// The result type.
    public let result: CELType
    /// What it does, one line (the README's table).
    public let summary: String
    let implementation: Implementation
    /// Checks beyond types (a literal pattern RE2 refuses, an unknown zone name).
    let check: (@Sendable ([CheckedExpr]) throws(CheckError) -> Void)?

    init(_ name: String, _ style: CallStyle, _ overloads: [[Parameter]], _ result: CELType, _ summary: String,
         _ implementation: Implementation, check: (@Sendable ([CheckedExpr]) throws(CheckError) -> Void)? = nil) {
        self.name = name
        self.style = style
        self.overloads = overloads
        self.result = result
        self.summary = summary
        self.implementation = implementation
        self.check = check
    }

    /// Whether a call `asMethod` (or not) with arguments of `types` has an overload.
    func accepts(_ types: [CELType], asMethod: Bool) -> Bool {
        switch style {
        case .function where asMethod, .method where !asMethod: return false
        default: break
        }
        return overloads.contains { parameters in
            parameters.count == types.count && zip(parameters, types).allSatisfy { $0.accepts($1) }
        }
    }

    /// Whether it is only ever a method of a string (`s.lowerAscii()`), for the "is a method" hint.
    var isStringMethod: Bool {
        guard style == .method, case .type(.string)? = overloads.first?.first else { return false }
        return true
    }
}

/// One operator of the ``StandardLibrary``: its overloads, which the checker types it by, and
/// its implementation.
public struct OperatorDecl: Sendable {
    /// One overload: argument types and the result.
    public struct Overload: Sendable, CustomStringConvertible {
        /// The argument types, left to right.
        public let parameters: [FunctionDecl.Parameter]
        /// The result type.
        public let result: CELType

        func accepts(_ types: [CELType]) -> Bool {
            parameters.count == types.count && zip(parameters, types).allSatisfy { $0.accepts($1) }
        }

        /// `(int, int)`.
        var arguments: String { "(" + parameters.map(\.description).joined(separator: ", ") + ")" }

        /// `(int, int) → int`.
        public var description: String { "\(arguments) → \(result)" }
    }

    /// How an operand typed `dyn` (known only at run time) is checked.
    public enum DynOperand: Sendable {
        /// Any `dyn` operand lets the call through, whatever the other: the result is `bool`
        /// when every overload gives one, else `dyn` (arithmetic, comparisons).
        case anyOperand
        /// A `dyn` operand stands for any one argument type, the others must fit (`&&`, `||`).
        case perOperand
    }

    /// The name, as CEL spells it (``Operator/add``).
    public let name: String
    /// The overloads the checker looks up.
    public let overloads: [Overload]
    /// A signature the checker works out itself from joins (`==`, `in`, lists added), shown in
    /// the README with the overloads.
    public let joined: String?
    /// What it does, one line (the README's table).
    public let summary: String
    /// What runs; nil when the compiler builds it itself (`&&`, `||`, `!`, `?:`).
    let implementation: FunctionDecl.Implementation?
    /// How `dyn` operands type.
    public let dyn: DynOperand

    init(_ name: String, _ overloads: [([FunctionDecl.Parameter], CELType)] = [], joined: String? = nil, _ summary: String,
         _ implementation: FunctionDecl.Implementation?, dyn: DynOperand = .anyOperand) {
        self.name = name
        self.overloads = overloads.map { Overload(parameters: $0.0, result: $0.1) }
        self.joined = joined
        self.summary = summary
        self.implementation = implementation
        self.dyn = dyn
    }

    /// The result type of the operator applied to operands of `types` (unwrapped), nil when no
    /// overload takes them.
    func result(_ types: [CELType]) -> CELType? {
        if dyn == .anyOperand, types.contains(.dyn) {
            return overloads.allSatisfy { $0.result == .bool } ? .bool : .dyn
        }
        return overloads.first { $0.accepts(types) }?.result
    }

    /// How it is written, with operands x, y (c, i).
    public var usage: String {
        let symbol = Operator.display(name)
        switch name {
        case Operator.conditional: return "c ? x : y"
        case Operator.index: return "x[i]"
        case Operator.not, Operator.negate: return "\(symbol)x"
        default: return "x \(symbol) y"
        }
    }
}
