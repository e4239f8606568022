import ArgumentParser
import PulseReport
import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseSnapshot

/// `pulse explain`: why a row counts, or how the `where` clauses narrow the source.
public enum ExplainRunner {
    /// What `pulse explain` was asked.
    public struct Options: ParsableArguments, Sendable {
        @Argument(help: "The card key.")
        var card: String

        @OptionGroup var inputs: EvaluationInputs

        @OptionGroup var pick: RowAndMoment

        @Option(help: "Output format: text or json.")
        var format: ExprFormat = .text

        public init() {}

        var profile: String { inputs.profile }
        var snapshot: String { inputs.snapshot }
        var cardsDir: String { inputs.folders.cards }
        var profilesDir: String { inputs.folders.profiles }
        var row: String? { pick.row }
        var sku: String? { pick.sku }
        var now: CELTimestamp? { pick.moment.now }
    }

    private static let encoder = ValueJSON(objectTypes: Dictionary(uniqueKeysWithValues: ModelTypes.all.map { ($0.name, $0) }))

    /// Explains. Exit 0, 1 for bad config or data, 2 for bad usage.
    public static func run(_ options: Options) -> CommandOutput {
        let config: LoadedConfig
        switch LoadedConfig.load(cardsDir: options.cardsDir, profilesDir: options.profilesDir, profile: options.profile, command: "pulse explain") {
        case .failure(let f): return f.output
        case .success(let c): config = c
        }
        guard let plan = config.plan else { return CommandFailure.usage("pulse explain: --profile is required").output }
        let profile = plan.profile
        guard let card = config.set.card(options.card) else {
            return CommandFailure.usage("pulse explain: no card '\(options.card)'" + Suggestion.didYouMean(options.card, in: config.set.cards.map(\.key.value))).output
        }
        let now = options.now
        let snapshot: Snapshot
        do { snapshot = try SnapshotLoader.load(folder: options.snapshot) } catch {
            return CommandFailure(message: "pulse explain: the snapshot breaks the format:\n\(error)\n", exitCode: ExitStatus.failure).output
        }
        let settings: CardSettings
        let compiled: CompiledCard
        // The card's plan with the observe decorator: the same closures eval runs, recording each node.
        switch (plan.entry(card.key.value)?.settings ?? CardSettings.resolve(card, profile: profile), CompiledCard.compile(card, observing: true)) {
        case (.success(let s), .success(let c)): (settings, compiled) = (s, c)
        case (.failure(let list), _), (_, .failure(let list)):
            return CommandFailure(message: "pulse explain: \(list.diagnostics.map(\.description).joined(separator: "\n"))", exitCode: ExitStatus.failure).output
        }
        // No data: nothing to explain row by row; say which file is missing (exit 5, as eval).
        let missing = FieldUse.files(for: compiled).intersection(snapshot.missingFiles).sorted().map(\.fileName)
        if !missing.isEmpty {
            let files = missing.joined(separator: ", ")
            let text = options.format == .json
                ? "{\"card\": \(JSONText.quote(card.key.value)), \"state\": \"no_data\", \"no_data\": {\"missing\": [\(missing.map(JSONText.quote).joined(separator: ", "))]}}\n"
                : "\(card.key.value): \(card.title)\nno data: \(files) \(missing.count == 1 ? "is" : "are") missing from \(options.snapshot), and this card reads it; it has no value\n"
            return CommandOutput(stdout: text, exitCode: EvalRunner.noDataExitCode)
        }
        let evaluator = CardEvaluator(profile: profile, snapshot: snapshot, now: now ?? snapshot.takenAt)
        guard let listingID = options.row else {
            let funnel = Explainer.funnel(compiled, settings: settings, evaluator: evaluator)
            return CommandOutput(stdout: options.format == .json ? funnelJSON(card, funnel) : funnelText(card, funnel))
        }
        let listing = snapshot.listing(id: listingID)
        if listing == nil && !snapshot.auditEvents.contains(where: { $0.listingID == listingID }) {
            return CommandFailure.usage("pulse explain: no listing '\(listingID)' in \(options.snapshot)").output
        }
        if let sku = options.sku, let listing, !listing.skus.contains(where: { $0.code == sku }) {
            return CommandFailure.usage("pulse explain: listing '\(listingID)' has no SKU '\(sku)'; it has \(listing.skus.map(\.code).joined(separator: ", "))").output
        }
        return explainRows(card, compiled, settings, evaluator, listingID, options)
    }

    private static func explainRows(_ card: Card, _ compiled: CompiledCard, _ settings: CardSettings, _ evaluator: CardEvaluator,
                                    _ listingID: String, _ options: Options) -> CommandOutput {
        let rows = Explainer.explainRows(compiled, settings: settings, evaluator: evaluator, listingID: listingID, skuCode: options.sku)
        if options.format == .json { return CommandOutput(stdout: rowsJSON(card, listingID, rows)) }
        var out = "\(card.key.value): \(card.title)\n"
        if rows.isEmpty {
            out += "listing \(listingID) has no rows in this card's source (\(card.from.rawValue)), so it does not count.\n"
            return CommandOutput(stdout: out)
        }
        for row in rows {
            out += "\n\(row.row)\n  \(row.outcome.uppercased()): \(row.summary)\n"
            for clause in row.clauses {
                let indent = String(repeating: "  ", count: clause.depth + 2)
                let name = clause.depth == 0 ? "where: \(clause.text)" : clause.text
                var line = "\(indent)\(name)  ->  \(clause.result)"
                if !clause.reads.isEmpty { line += "   (" + clause.reads.map { "\($0.name) = \($0.value)" }.joined(separator: ", ") + ")" }
                out += line + "\n"
            }
            if let label = row.label { out += "  breakdown label: \(label)\n" }
            if let worklist = row.worklist {
                out += "  worklist row: " + worklist.map { "\($0.column) = \(Explainer.text($0.value, plain: encoder.plain))" }.joined(separator: ", ") + "\n"
            }
        }
        return CommandOutput(stdout: out)
    }

    private static func funnelText(_ card: Card, _ funnel: Explainer.Funnel) -> String {
        var out = "\(card.key.value): \(card.title)\n"
        out += "\(funnel.rows) rows from \(funnel.source)\n"
        let width = min(70, funnel.steps.map(\.clause.count).max() ?? 0)
        for step in funnel.steps {
            let clause = step.clause.count > width ? String(step.clause.prefix(width - 1)) + "…" : step.clause
            out += "  \(clause.padding(toLength: width, withPad: " ", startingAt: 0))  -\(step.removed)  → \(step.left) left\n"
        }
        if funnel.errored > 0 { out += "  \(funnel.errored) rows could not be evaluated and are left out\n" }
        out += "\(funnel.counted) rows pass where; value = \(funnel.measure): \(Explainer.format(funnel.value))\n"
        return out
    }

    private static func funnelJSON(_ card: Card, _ funnel: Explainer.Funnel) -> String {
        let steps = funnel.steps.map { "{\"clause\": \(JSONText.quote($0.clause)), \"removed\": \($0.removed), \"left\": \($0.left)}" }
        return """
            {"card": \(JSONText.quote(card.key.value)), "source": "\(funnel.source)", "rows": \(funnel.rows), \
            "steps": [\(steps.joined(separator: ", "))], "errored": \(funnel.errored), "counted": \(funnel.counted), \
            "measure": \(JSONText.quote(funnel.measure)), "value": \(EvalReport.number(funnel.value))}

            """
    }

    private static func rowsJSON(_ card: Card, _ listingID: String, _ rows: [Explainer.RowExplanation]) -> String {
        let items = rows.map { row -> String in
            let clauses = row.clauses.map { c in
                "{\"text\": \(JSONText.quote(c.text)), \"depth\": \(c.depth), \"result\": \(JSONText.quote(c.result)), \"reads\": {"
                    + c.reads.map { "\(JSONText.quote($0.name)): \(JSONText.quote($0.value))" }.joined(separator: ", ") + "}}"
            }
            let worklist = row.worklist.map { "{" + $0.map { "\(JSONText.quote($0.column)): \(encoder.plain($0.value))" }.joined(separator: ", ") + "}" } ?? "null"
            return "{\"row\": \(JSONText.quote(row.row)), \"outcome\": \"\(row.outcome)\", \"summary\": \(JSONText.quote(row.summary)), "
                + "\"where\": [\(clauses.joined(separator: ", "))], \"label\": \(row.label.map(JSONText.quote) ?? "null"), \"worklist\": \(worklist)}"
        }
        return "{\"card\": \(JSONText.quote(card.key.value)), \"listing\": \(JSONText.quote(listingID)), \"rows\": [\n  "
            + items.joined(separator: ",\n  ") + "\n]}\n"
    }
}
