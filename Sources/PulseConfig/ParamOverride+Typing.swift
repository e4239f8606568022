import PulseDiagnostics
import PulseYAML

extension ParamOverride {
    /// The override `name: node` under card `card` of a profile, typed as every parameter type.
    init(name: Located<String>, node: YAMLNode, card: String) {
        self.name = name
        var typings: [ParamType: (value: ParamValue?, diagnostics: [Diagnostic])] = [:]
        for type in ParamType.allCases {
            let reader = NodeReader()
            let value = reader.paramValue(node, type: type, "parameter '\(name.value)' of card '\(card)'")
            typings[type] = (value, reader.diagnostics)
        }
        self.typings = typings
    }

    /// The override's value as `type` (its card's declaration), or the diagnostic saying why it is not one.
    public func value(as type: ParamType) -> Result<ParamValue, Diagnostic> {
        let typed = typings[type]
        if let value = typed?.value, typed?.diagnostics.isEmpty == true { return .success(value) }
        return .failure(typed?.diagnostics.first ?? .error(.paramType, "parameter '\(name.value)' must be a \(type.rawValue)", at: name.location))
    }

    /// Every finding of typing it as `type` (what `validate` reports).
    func diagnostics(as type: ParamType) -> [Diagnostic] { typings[type]?.diagnostics ?? [] }
}
