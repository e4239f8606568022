import PulseConfig
import PulseDiagnostics
import PulseExpressions

/// A card's effective settings for one merchant: the card's own, with the profile's overrides.
public struct CardSettings: Sendable {
    /// When the card alerts (nil when it has no alert or the profile switched it off).
    public var alert: AlertRule?
    /// Param values in the card's declaration order.
    public var params: [Value]
    /// The effective param values as written (`12h`), in declaration order.
    public var paramValues: [ParamValue] = []
    /// Where each effective param value came from, in declaration order: nil for the card's
    /// default, else the `file:line` of the profile (or parent profile) that set it.
    public var paramSources: [String?] = []
    /// The card's `window` label with the profile applied: `RT`, a duration, or for
    /// `window: params.NAME` the effective value of that param.
    public var window: String = ""
    /// Who sees the card.
    public var roles: [String]
    /// Whether it runs.
    public var enabled: Bool

    /// Resolves `card`'s settings under `profile`.
    public static func resolve(_ card: Card, profile: ResolvedProfile) -> Result<CardSettings, DiagnosticList> {
        let overrides = profile.cards[card.key.value]
        var diagnostics: [Diagnostic] = []
        var values: [Value] = []
        var chosenValues: [ParamValue] = []
        var sources: [String?] = []
        for declaration in card.params {
            var chosen = declaration.defaultValue
            var source: String?
            if let override = overrides?.params[declaration.name.value] {
                switch override.value(as: declaration.type) {
                case .success(let v): chosen = v; source = "\(override.name.location.file):\(override.name.location.line)"
                case .failure(let d): diagnostics.append(d)
                }
            }
            chosenValues.append(chosen)
            sources.append(source)
            if case .duration(let d) = chosen, CELDuration(seconds: Int64(d.seconds)) == nil {
                diagnostics.append(.error(.paramType, "parameter '\(declaration.name.value)' of card '\(card.key.value)' is too long a duration (\(d))",
                                          at: declaration.name.location))
            }
            values.append(ParamsObject.value(chosen))
        }
        for name in overrides?.params.keys.sorted() ?? [] where card.param(named: name) == nil {
            if let override = overrides?.params[name] {
                diagnostics.append(.error(.unknownParam, "card '\(card.key.value)' has no parameter '\(name)'", at: override.name.location))
            }
        }
        guard diagnostics.isEmpty else { return .failure(DiagnosticList(diagnostics)) }
        var alert = card.alert
        switch overrides?.alert {
        case .rule(let rule)?: alert = rule
        case .off?: alert = nil
        case nil: break
        }
        let roles = overrides?.roles?.map(\.value) ?? card.roles?.map(\.value) ?? profile.roles
        var settings = CardSettings(alert: alert, params: values, roles: roles, enabled: overrides?.enabled?.value ?? true)
        settings.paramValues = chosenValues
        settings.paramSources = sources
        settings.window = card.window.description
        if case .param(let name) = card.window, let index = card.params.firstIndex(where: { $0.name.value == name }) {
            settings.window = chosenValues[index].description
        }
        return .success(settings)
    }
}
