import PulseBench
import Foundation
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseSnapshot

/// `pulse bench`: times each phase of an evaluation (median of several runs) and compares the
/// generic evaluator with the hand-written baseline.
public enum BenchRunner {
    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Peak resident memory of this process so far, in MB (from /proc/self/status).
    static func peakMemoryMB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kb / 1024
    }

    public static func run(snapshot folder: String, profile: String, profilesDir: String, cardsDir: String, runs: Int) -> CommandOutput {
        let config: LoadedConfig
        switch LoadedConfig.load(cardsDir: cardsDir, profilesDir: profilesDir, profile: profile, command: "pulse bench") {
        case .failure(let f): return f.output
        case .success(let c): config = c
        }
        guard let plan = config.plan else { return CommandFailure.usage("pulse bench: --profile is required").output }
        let resolved = plan.profile
        let fields = plan.fieldsRead() ?? .all
        var loadTimes: [Double] = []
        var snapshot: Snapshot?
        for _ in 0..<runs {
            snapshot = nil
            do {
                var loaded: Snapshot?
                let t = try time { loaded = try SnapshotLoader.load(folder: folder, fields: fields) }
                loadTimes.append(t)
                snapshot = loaded
            } catch {
                return CommandFailure(message: "pulse bench: \(error)", exitCode: ExitStatus.failure).output
            }
        }
        guard let snapshot else { return CommandFailure.usage("pulse bench: --runs must be 1 or more").output }
        let now = snapshot.takenAt
        var compileTimes: [Double] = []
        var compiled: [(CompiledCard, CardSettings)] = []
        for _ in 0..<runs {
            compileTimes.append(time {
                compiled = config.set.cards.compactMap { card in
                    guard let c = try? CompiledCard.compile(card).get(), let s = try? CardSettings.resolve(card, profile: resolved).get() else { return nil }
                    return (c, s)
                }
            })
        }
        let evaluator = CardEvaluator(profile: resolved, snapshot: snapshot, now: now)
        var perCard: [(String, Double)] = []
        var results: [String: CardResult] = [:]
        for (card, settings) in compiled.sorted(by: { $0.0.card.key.value < $1.0.card.key.value }) {
            var times: [Double] = []
            for _ in 0..<runs { times.append(time { results[card.card.key.value] = evaluator.evaluate(card, settings: settings) }) }
            perCard.append((card.card.key.value, median(times)))
        }
        var baselineTimes: [Double] = []
        var baseline: [String: HandWrittenBaseline.CardOutput] = [:]
        for _ in 0..<runs { baselineTimes.append(time { baseline = HandWrittenBaseline.evaluate(snapshot, profile: resolved, now: now) }) }
        let generic = perCard.map(\.1).reduce(0, +)
        let hand = median(baselineTimes)
        let differences = HandWrittenBaseline.differences(results, baseline)
        let same = differences.isEmpty
        var out = "snapshot \(folder): \(snapshot.listings.count) listings, \(snapshot.skuRowCount) SKUs, \(snapshot.auditEvents.count) events\n"
        out += "median of \(runs) run\(runs == 1 ? "" : "s"), seconds\n"
        out += "  load                 \(String(format: "%.3f", median(loadTimes)))\n"
        for (table, seconds) in snapshot.loadTimes {
            out += "    \(table.padding(toLength: 19, withPad: " ", startingAt: 0)) \(String(format: "%.3f", seconds))   (last run)\n"
        }
        out += "  compile (all cards)  \(String(format: "%.5f", median(compileTimes)))\n"
        for (key, t) in perCard { out += "  eval \(key.padding(toLength: 32, withPad: " ", startingAt: 0)) \(String(format: "%.4f", t))\n" }
        out += "  eval, all cards      \(String(format: "%.4f", generic))\n"
        out += "  hand-written five    \(String(format: "%.4f", hand))   (generic / hand-written = \(String(format: "%.2f", hand > 0 ? generic / hand : 0))x)\n"
        out += "  same results as the hand-written baseline (values, breakdowns, worklists): \(same ? "yes" : "NO")\n"
        for difference in differences { out += "    \(difference)\n" }
        out += "  snapshot tables      \(snapshot.byteCount >> 20) MB (listings \(snapshot.listingTable.byteCount >> 20), stock \(snapshot.stockTable.byteCount >> 20), events \(snapshot.eventTable.byteCount >> 20))\n"
        if let mb = peakMemoryMB() { out += "  peak memory          \(Int(mb)) MB\n" }
        return CommandOutput(stdout: out, exitCode: same ? 0 : 1)
    }
}
