import PulseDiagnostics

extension ParamOverride {
    /// The override's value typed as `type`, or the diagnostics saying why it is not one.
    public func value(as type: ParamType, card: String) -> Result<ParamValue, Diagnostic> {
        let reader = NodeReader()
        let value = reader.paramValue(node, type: type, "parameter '\(name.value)' of card '\(card)'")
        if let value, reader.diagnostics.isEmpty { return .success(value) }
        return .failure(reader.diagnostics.first
            ?? .error(.paramType, "parameter '\(name.value)' must be a \(type.rawValue)", at: node.location))
    }
}
