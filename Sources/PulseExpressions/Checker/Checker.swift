import PulseDiagnostics

/// Type-checks a parsed expression against an ``Environment``: unknown names and fields (with
/// the nearest known one), calls without an overload, and macro misuse are errors.
public struct Checker {
    private var environment: Environment
    private var scopes: [[String: Environment.Variable]] = []
    /// Slots used, including those of macro variables.
    public private(set) var slotCount: Int

    /// A checker over `environment`.
    public init(environment: Environment) {
        self.environment = environment
        self.slotCount = environment.slotCount
    }

    /// Checks `expr`, resolving names and computing types.
    ///
    /// - Throws: ``CheckError`` at the first type error.
    public mutating func check(_ expr: Expr) throws(CheckError) -> CheckedExpr {
        func node(_ kind: CheckedExpr.Kind, _ type: CELType) -> CheckedExpr {
            CheckedExpr(kind: kind, type: type, offset: expr.offset, id: expr.id)
        }
        switch expr.kind {
        case .int(let v): return node(.literal(.int(v)), .int)
        case .double(let v): return node(.literal(.double(v)), .double)
        case .string(let v): return node(.literal(.string(v)), .string)
        case .bool(let v): return node(.literal(.bool(v)), .bool)
        case .null: return node(.literal(.null), .null)
        case .list(let elements):
            let checked = try elements.map { (e) throws(CheckError) in try check(e) }
            var elementType: CELType? = nil
            for element in checked {
                guard let current = elementType else { elementType = element.type; continue }
                elementType = CELType.join(current, element.type) ?? .dyn
            }
            return node(.list(checked), .list(elementType ?? .dyn))
        case .identifier(let name):
            if let variable = lookup(name) {
                return node(.variable(name: name, slot: variable.slot), variable.type)
            }
            if let why = environment.unavailable[name] {
                throw CheckError(offset: expr.offset, message: "unknown name '\(name)': \(why)")
            }
            let known = scopes.flatMap(\.keys) + environment.variables.keys
            throw CheckError(offset: expr.offset, message: "unknown name '\(name)'" + (Suggestion.nearest(to: name, in: Array(known)).map { "; did you mean '\($0)'?" }
                ?? (known.isEmpty ? "; this expression has no variables" : "; known names: " + known.sorted().joined(separator: ", "))))
        case .select(let operandExpr, let field, let testOnly):
            let operand = try check(operandExpr)
            return try select(operand, field, testOnly: testOnly, expr: expr)
        case .call(let function, let target, let arguments):
            var checked: [CheckedExpr] = []
            if let target { checked.append(try check(target)) }
            for argument in arguments { checked.append(try check(argument)) }
            let type = try callType(function, method: target != nil, checked, offset: expr.offset)
            return node(.call(function: function, arguments: checked), type)
        case .comprehension(let kind, let variable, let rangeExpr, let predicateExpr, let transformExpr):
            let range = try check(rangeExpr)
            let elementType: CELType
            switch range.type.unwrapped {
            case .list(let e): elementType = e
            case .dyn: elementType = .dyn
            default:
                throw CheckError(offset: rangeExpr.offset, message: "\(kind.rawValue)() runs over a list, not \(range.type)")
            }
            let slot = slotCount
            slotCount += 1
            scopes.append([variable: Environment.Variable(type: elementType, slot: slot)])
            defer { scopes.removeLast() }
            let predicate = try predicateExpr.map { (e) throws(CheckError) in try check(e) }
            if let predicate, !isBoolLike(predicate.type) {
                throw CheckError(offset: predicate.offset, message: "the condition of \(kind.rawValue)() must be a bool, not \(predicate.type)")
            }
            let transform = try transformExpr.map { (e) throws(CheckError) in try check(e) }
            let type: CELType
            switch kind {
            case .all, .exists, .existsOne: type = .bool
            case .filter: type = .list(elementType)
            case .map: type = .list(transform?.type ?? .dyn)
            }
            return node(.comprehension(kind: kind, variable: variable, slot: slot, range: range, predicate: predicate, transform: transform), type)
        }
    }

    private func lookup(_ name: String) -> Environment.Variable? {
        for scope in scopes.reversed() {
            if let v = scope[name] { return v }
        }
        return environment.variables[name]
    }

    private func select(_ operand: CheckedExpr, _ field: String, testOnly: Bool, expr: Expr) throws(CheckError) -> CheckedExpr {
        let resultType: CELType
        var index: Int?
        switch operand.type.unwrapped {
        case .object(let typeName):
            guard let type = environment.objectTypes[typeName] else {
                throw CheckError(offset: expr.offset, message: "unknown type \(typeName)")
            }
            guard let i = type.index(of: field) else {
                throw CheckError(offset: expr.offset, message: "\(typeName) has no field '\(field)'"
                    + (Suggestion.nearest(to: field, in: type.fields.map(\.name)).map { "; did you mean '\($0)'?" }
                       ?? "; its fields are " + type.fields.map(\.name).joined(separator: ", ")))
            }
            index = i
            resultType = type.fields[i].type
        case .dyn:
            resultType = .dyn
        default:
            throw CheckError(offset: expr.offset, message: "\(operand.type) has no fields (selecting '\(field)')")
        }
        return CheckedExpr(kind: .field(operand: operand, name: field, index: index, testOnly: testOnly),
                           type: testOnly ? .bool : resultType, offset: expr.offset, id: expr.id)
    }

    private func isBoolLike(_ t: CELType) -> Bool { t.unwrapped == .bool || t == .dyn }

    /// The result type of a call, or the error that it has no overload.
    private func callType(_ function: String, method: Bool, _ args: [CheckedExpr], offset: Int) throws(CheckError) -> CELType {
        let types = args.map(\.type)
        let plain = types.map(\.unwrapped)
        func noOverload() -> CheckError {
            let shown = Operator.display(function)
            let isOperator = shown != function
            return CheckError(offset: offset, message: "no matching overload for \(isOperator ? "'\(shown)'" : "\(function)()") applied to (\(types.map(\.description).joined(separator: ", ")))"
                + hint(function, plain))
        }
        // What the standard library's overloads cannot say: joins of the operands' types.
        switch function {
        case Operator.conditional:
            guard isBoolLike(types[0]) else {
                throw CheckError(offset: args[0].offset, message: "the condition of ?: must be a bool, not \(types[0])")
            }
            guard let joined = CELType.join(types[1], types[2]) else { throw noOverload() }
            return joined
        case Operator.equals, Operator.notEquals:
            guard CELType.join(types[0], types[1]) != nil else { throw noOverload() }
            return .bool
        case Operator.add where plain.allSatisfy(\.isList):
            guard let joined = CELType.join(plain[0], plain[1]) else { throw noOverload() }
            return joined
        case Operator.in:
            switch plain[1] {
            case .dyn: return .bool
            case .list(let element):
                guard CELType.join(types[0], element) != nil || element == .dyn || plain[0] == .dyn else { throw noOverload() }
                return .bool
            default: throw noOverload()
            }
        case Operator.index:
            switch plain[0] {
            case .dyn: return .dyn
            case .list(let element):
                guard plain[1] == .int || plain[1] == .dyn else { throw noOverload() }
                return element
            default: throw noOverload()
            }
        default:
            break
        }
        // Every other operator: its declaration's overloads.
        if let declared = StandardLibrary.lookupOperator(function) {
            guard let result = declared.result(plain) else { throw noOverload() }
            return result
        }
        // A function: its declaration in the standard library says what it accepts.
        guard let declared = StandardLibrary.lookup(function) else {
            throw CheckError(offset: offset, message: "unknown function '\(function)'"
                + (Suggestion.nearest(to: function, in: StandardLibrary.names).map { suggestion(method: $0, called: method, args) } ?? ""))
        }
        guard declared.accepts(plain, asMethod: method) else { throw noOverload() }
        try declared.check?(args)
        return declared.result
    }

    /// String functions called only as methods (`s.lowerAscii()`), never as `lowerAscii(s)`.
    static let methodOnly = Set(StandardLibrary.functions.filter(\.isStringMethod).map(\.name))

    /// "did you mean ..." for a misspelt function, in the form it must be called in.
    private func suggestion(method named: String, called asMethod: Bool, _ args: [CheckedExpr]) -> String {
        guard Checker.methodOnly.contains(named), !asMethod, let first = args.first else { return "; did you mean '\(named)'?" }
        let rest = args.dropFirst().map(ExpressionPrinter.text).joined(separator: ", ")
        return "; did you mean the method \(ExpressionPrinter.text(first)).\(named)(\(rest))?"
    }

    private func hint(_ function: String, _ types: [CELType]) -> String {
        if Checker.methodOnly.contains(function) {
            return "; \(function) is a method: write it after its string, as s.\(function)(\(function == "lowerAscii" || function == "upperAscii" ? "" : "x"))"
        }
        if types.count == 2, Set(types) == [.int, .double] {
            return "; CEL does not mix int and double: write the int as a double (e.g. 1.0)"
        }
        if function == Operator.add, types.contains(.string), types.contains(where: { $0 != .string }) {
            return "; + joins two strings or two lists"
        }
        return ""
    }
}
