import Foundation
import PulseConfig
import PulseExpressions
import PulseSnapshot

/// `pulse pull`: builds one snapshot folder from a profile's sources, all or nothing.
public struct Pull: Sendable {
    /// Which side `--only` refreshes; the other side's files are copied from the previous snapshot.
    public enum Side: String, CaseIterable, Sendable {
        case bigcommerce, aliexpress

        /// The snapshot source whose files this side writes.
        var source: SnapshotSource {
            switch self {
            case .bigcommerce: .bigcommerce
            case .aliexpress: .aliexpress
            }
        }
    }

    public var profile: ResolvedProfile
    /// The folder to write; default `snapshots/<profile>/<taken_at>`.
    public var out: String?
    /// The snapshot to diff against; default the newest beside `out`.
    public var previous: String?
    public var only: Side?
    /// The snapshot's `taken_at`; default the clock's time.
    public var now: CELTimestamp?
    /// Environment variables (for `${NAME}` secrets).
    public var environment: [String: String]
    public var clock: any PullClock
    public var backoff: Backoff
    /// Calls in flight at once per source.
    public var width: Int
    /// Where default outputs go: `<root>/<profile>/<taken_at>`.
    public var snapshotsRoot: String
    /// Told of calls, pages, retries and long waits as they happen (`pulse pull`'s progress line).
    public var observer: (any PullObserver)? = nil
    /// `--keep N`: after the snapshot is written, all but the newest N complete snapshots beside
    /// it are removed (nil: all are kept).
    public var keep: Int? = nil
    /// Snapshot folders `keep` never removes (the one `pulse serve` serves).
    public var protected: [String] = []
    /// `--stock FILE.csv`: BigCommerce's stock from a control-panel product export instead of the
    /// API (`sources.bigcommerce` is then not needed), written into the same snapshot as the
    /// AliExpress pull, all or nothing.
    public var stockCSV: String? = nil

    public init(profile: ResolvedProfile, out: String? = nil, previous: String? = nil, only: Side? = nil, now: CELTimestamp? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment, clock: any PullClock = SystemPullClock(),
                backoff: Backoff = .standard, width: Int = 4, snapshotsRoot: String = "snapshots") {
        self.profile = profile
        self.out = out
        self.previous = previous
        self.only = only
        self.now = now
        self.environment = environment
        self.clock = clock
        self.backoff = backoff
        self.width = width
        self.snapshotsRoot = snapshotsRoot
    }

    /// What a pull wrote.
    public struct Result: Sendable {
        /// The snapshot folder.
        public var folder: String
        public var takenAt: CELTimestamp
        /// Per source: what it did.
        public var sources: [String: SourceStats.Counts]
        /// The previous snapshot used, if any.
        public var previous: String?
        /// What `keep` removed, and what it could not.
        public var retention = SnapshotRetention.Outcome()
    }

    /// Runs the pull. On failure nothing is left behind but what was there before.
    public func run() async throws(PullError) -> Result {
        let sources = profile.sources
        guard !sources.isEmpty else {
            throw PullError(.config, "profile '\(profile.name)' has no sources section: add sources.bigcommerce and/or sources.aliexpress (see the README's \"Pulling snapshots\")")
        }
        if let keep, keep < 1 { throw PullError(.config, "--keep must be at least 1 (the snapshot just written), not \(keep)") }
        if stockCSV != nil {
            if only == .aliexpress { throw PullError(.config, "--stock gives BigCommerce's stock; it cannot go with --only aliexpress") }
            if sources.aliexpress == nil {
                throw PullError(.config, "--stock imports BigCommerce stock beside the AliExpress pull, and profile '\(profile.name)' has no sources.aliexpress "
                                + "(for a folder of your own, pulse import bigcommerce-csv FILE --out DIR)")
            }
        }
        if let only {
            let configured = only == .bigcommerce ? sources.bigcommerce != nil || stockCSV != nil : sources.aliexpress != nil
            if !configured { throw PullError(.config, "--only \(only.rawValue): profile '\(profile.name)' has no sources.\(only.rawValue)") }
        }
        var checked = sources
        if stockCSV != nil { checked.bigcommerce = nil }  // the CSV replaces the API: its token is not needed
        try checkSecrets(checked, environment)
        let bigcommerce = try checked.bigcommerce.map { bc throws(PullError) in try BigCommerceCredentials(bc, environment) }
        // The CSV is read and checked before any call, so a bad export costs no API quota.
        let stockRows = try stockCSV.map { path throws(PullError) in try BigCommerceCSVImport.rows(csv: path) }
        let aliexpress = try sources.aliexpress.map { ae throws(PullError) in try AliExpressCredentials(ae, environment) }

        let takenAt = now ?? CELTimestamp(checkedSeconds: clock.nowMilliseconds() / 1000, nanos: 0)
        // A default name another pull already took (the same second) gets the next free suffix.
        let target = out ?? StagingFolder.free("\(snapshotsRoot)/\(profile.name)/\(Self.folderName(takenAt))")
        let parent = URL(fileURLWithPath: target).deletingLastPathComponent().path
        let previousFolder = previous ?? PreviousSnapshot.newest(in: parent, excluding: target)
        let previousSnapshot = try previousFolder.map { f throws(PullError) in try PreviousSnapshot(folder: f) }
        if only != nil && previousSnapshot == nil {
            throw PullError(.config, "--only needs a previous snapshot to copy the other side from; give --previous DIR")
        }

        let staging = try StagingFolder(target: target, suffixIfTaken: out == nil)
        defer { staging.discard() }
        let transport = HTTPTransport()
        var stats: [String: SourceStats.Counts] = [:]
        var outcome: Swift.Result<Void, PullError> = .success(())
        do throws(PullError) {
            if let stockRows {
                let s = SourceStats(source: "bigcommerce", observer: observer)
                let file = try staging.file("stock.jsonl")
                for row in stockRows { try file.append(row) }
                try file.close()
                s.rows("stock.jsonl", file.rows)
                stats["bigcommerce"] = finish(s, since: clock.nowMilliseconds())
            } else if let bigcommerce, only != .aliexpress {
                let s = SourceStats(source: "bigcommerce", observer: observer)
                let started = clock.nowMilliseconds()
                let file = try staging.file("stock.jsonl")
                let client = BigCommerceClient(apiBase: bigcommerce.apiBase, storeHash: bigcommerce.storeHash, token: bigcommerce.token,
                                               calls: CallContext(transport: transport, clock: clock, backoff: backoff, stats: s))
                try await BigCommercePull(client: client, stockFrom: bigcommerce.stockFrom, width: width).pull(into: file)
                try file.close()
                s.rows("stock.jsonl", file.rows)
                stats["bigcommerce"] = finish(s, since: started)
            } else if only == .aliexpress, sources.bigcommerce != nil, let previousSnapshot {
                try copy("stock.jsonl", from: previousSnapshot.folder, to: staging, required: true)
            }
            if let aliexpress, only != .bigcommerce {
                let s = SourceStats(source: "aliexpress", observer: observer)
                let started = clock.nowMilliseconds()
                let listings = try staging.file("listings.jsonl")
                let templates = try staging.file("freight_templates.jsonl")
                // Audit events come from comparing with a previous snapshot: without one the file is
                // empty (not an event for every listing that is not active), and the header's
                // audit_events_since says events are counted from this pull on.
                let events = try staging.file("audit_events.jsonl")
                let client = AliExpressClient(gateway: aliexpress.gateway, appKey: aliexpress.appKey, secret: aliexpress.secret,
                                              session: aliexpress.session,
                                              calls: CallContext(transport: transport, clock: clock, backoff: backoff, stats: s))
                let pull = AliExpressPull(client: client, statuses: aliexpress.statuses, timeOffset: aliexpress.timeOffset,
                                          takenAt: takenAt, previous: previousSnapshot, width: width)
                let result = try await pull.pull(listings: listings, templates: templates, events: previousSnapshot == nil ? nil : events)
                for file in [listings, templates, events] { try file.close() }
                s.rows("listings.jsonl", listings.rows)
                s.rows("freight_templates.jsonl", templates.rows)
                s.rows("audit_events.jsonl", events.rows)
                s.rows("details_reused", result.reusedDetails)
                try writeRestrictions(aliexpress.categoryRestrictions, to: staging, stats: s)
                stats["aliexpress"] = finish(s, since: started)
            } else if only == .bigcommerce, sources.aliexpress != nil, let previousSnapshot {
                for name in ["listings.jsonl", "freight_templates.jsonl", "audit_events.jsonl", "category_restrictions.jsonl"] {
                    try copy(name, from: previousSnapshot.folder, to: staging, required: name == "listings.jsonl")
                }
            }
            // Events start at this pull when there is nothing to compare with; later pulls keep the mark.
            let eventsSince: CELTimestamp?
            if sources.aliexpress == nil { eventsSince = nil } else if let previousSnapshot { eventsSince = previousSnapshot.eventsSinceForNext } else { eventsSince = takenAt }
            try writeHeader(takenAt: takenAt, sourceTimes: sourceTimes(takenAt: takenAt, previous: previousSnapshot), stats: stats,
                            previous: previousSnapshot?.folder, eventsSince: eventsSince, to: staging)
            try staging.commit()
        } catch {
            outcome = .failure(error)
        }
        await transport.shutdown()
        try outcome.get()
        var result = Result(folder: staging.target, takenAt: takenAt, sources: stats, previous: previousSnapshot?.folder)
        if let keep {
            result.retention = SnapshotRetention.keepNewest(keep, in: URL(fileURLWithPath: staging.target).deletingLastPathComponent().path,
                                                            protected: protected + [staging.target])
        }
        return result
    }

    /// `20260318T080000Z`: the default folder name of a snapshot taken at `t`.
    public static func folderName(_ t: CELTimestamp) -> String {
        t.description.filter { $0 != "-" && $0 != ":" }
    }

    private func finish(_ stats: SourceStats, since started: Int64) -> SourceStats.Counts {
        var counts = stats.counts
        counts.waitedSeconds = (counts.waitedSeconds * 1000).rounded() / 1000
        counts.seconds = Double(max(0, clock.nowMilliseconds() - started)) / 1000
        return counts
    }

    private func copy(_ name: String, from folder: String, to staging: StagingFolder, required: Bool) throws(PullError) {
        guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
            if required { throw PullError(.config, "--only: the previous snapshot \(folder) has no \(name) to copy") }
            return
        }
        let file = try staging.file(name)
        try file.appendRaw(Array(data))
        try file.close()
    }

    /// `category_restrictions.jsonl`: the rows of the profile's file (each checked to be a JSON
    /// object), or an empty file (no restriction known).
    private func writeRestrictions(_ path: String?, to staging: StagingFolder, stats: SourceStats) throws(PullError) {
        let file = try staging.file("category_restrictions.jsonl")
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PullError(.config, "sources.aliexpress.category_restrictions: cannot read \(path)")
            }
            var line = 0
            for row in Array(data).split(separator: 0x0A, omittingEmptySubsequences: false) {
                line += 1
                if row.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }) { continue }
                var bytes = Array(row)
                if line == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
                guard case .success(.object) = JSONParser.parseResponse(bytes) else {
                    throw PullError(.config, "\(path):\(line): not a JSON object (rows are {\"category_id\": ..., \"countries\": [...]})")
                }
                try file.append(bytes + [0x0A])
            }
        }
        try file.close()
        stats.rows("category_restrictions.jsonl", file.rows)
    }

    /// The time of each side the profile configures: this pull's for a side it pulls; for a side
    /// `--only` carries over, the previous snapshot's time for that side.
    private func sourceTimes(takenAt: CELTimestamp, previous: PreviousSnapshot?) -> [(SnapshotSource, CELTimestamp)] {
        let configured = Side.allCases.filter { side in
            switch side {
            case .bigcommerce: profile.sources.bigcommerce != nil || stockCSV != nil
            case .aliexpress: profile.sources.aliexpress != nil
            }
        }
        return configured.sorted { $0.source < $1.source }.map { side in
            let pulled = only == nil || only == side
            return (side.source, pulled ? takenAt : previous?.takenAt(of: side.source) ?? takenAt)
        }
    }

    private func writeHeader(takenAt: CELTimestamp, sourceTimes: [(SnapshotSource, CELTimestamp)], stats: [String: SourceStats.Counts],
                             previous: String?, eventsSince: CELTimestamp?, to staging: StagingFolder) throws(PullError) {
        var pulled = JSONObjectText()
        for (name, counts) in stats.sorted(by: { $0.key < $1.key }) {
            var s = JSONObjectText()
            s.int("calls", Int64(counts.calls))
            s.int("retries", Int64(counts.retries))
            s.int("pages", Int64(counts.pages))
            s.raw("seconds", Array(String(counts.seconds).utf8))
            s.raw("waited_seconds", Array(String(counts.waitedSeconds).utf8))
            var rows = JSONObjectText()
            for (file, n) in counts.rows.sorted(by: { $0.key < $1.key }) { rows.int(file, Int64(n)) }
            s.raw("rows", rows.text())
            var calls = JSONObjectText()
            for (call, n) in counts.callsByName.sorted(by: { $0.key < $1.key }) { calls.int(call, Int64(n)) }
            s.raw("calls_by_name", calls.text())
            pulled.raw(name, s.text())
        }
        var header = JSONObjectText()
        header.int("format", 1)
        header.string("store", profile.name)
        header.string("taken_at", takenAt.description)
        header.string("profile", profile.name)
        if let previous { header.string("previous", URL(fileURLWithPath: previous).lastPathComponent) }
        if let eventsSince { header.string("audit_events_since", eventsSince.description) }
        var sources = JSONObjectText()
        for (source, time) in sourceTimes {
            var entry = JSONObjectText()
            entry.string("taken_at", time.description)
            sources.raw(source.rawValue, entry.text())
        }
        header.raw("sources", sources.text())
        header.raw("pulled", pulled.text())
        let file = try staging.file("snapshot.json")
        try file.appendRaw(header.text() + [0x0A])
        try file.close()
    }
}

/// BigCommerce settings with the secret read from the environment.
struct BigCommerceCredentials {
    var storeHash: String
    var token: String
    var apiBase: String
    var stockFrom: BigCommercePull.StockSourceChoice

    init(_ s: BigCommerceSettings, _ environment: [String: String]) throws(PullError) {
        guard let hash = s.storeHash?.value else { throw PullError(.config, "sources.bigcommerce needs store_hash (\(s.location))") }
        storeHash = hash
        token = try secret(s.accessToken, "sources.bigcommerce.access_token", environment)
        apiBase = s.apiBase?.value ?? "https://api.bigcommerce.com"
        switch s.stockFrom?.value ?? .catalog {
        case .catalog: stockFrom = .catalog
        case .inventory: stockFrom = .inventory(locations: s.locations.map { Set($0.map { Int64($0.value) }) })
        }
    }
}

/// AliExpress settings with the secrets read from the environment.
struct AliExpressCredentials {
    var appKey: String
    var secret: String
    var session: String
    var gateway: String
    var statuses: [AliExpressStatus]
    var categoryRestrictions: String?
    var timeOffset: Int

    init(_ s: AliExpressSettings, _ environment: [String: String]) throws(PullError) {
        guard let key = s.appKey?.value else { throw PullError(.config, "sources.aliexpress needs app_key (\(s.location))") }
        appKey = key
        secret = try PulseConnectors.secret(s.appSecret, "sources.aliexpress.app_secret", environment)
        session = try PulseConnectors.secret(s.session, "sources.aliexpress.session", environment)
        gateway = s.gateway?.value ?? "https://api-sg.aliexpress.com"
        statuses = s.statuses?.map(\.value) ?? AliExpressStatus.allCases
        timeOffset = s.timeOffset?.value ?? 8 * 3600
        categoryRestrictions = s.categoryRestrictions.map { p in
            p.value.hasPrefix("/") ? p.value : URL(fileURLWithPath: p.location.file).deletingLastPathComponent().appendingPathComponent(p.value).path
        }
    }
}

/// Every `${NAME}` of the profile's sources that is not set or is empty, in one config error
/// (so that a merchant fixes them all in one run, not one a run).
func checkSecrets(_ sources: ConnectorSources, _ environment: [String: String]) throws(PullError) {
    var references: [(String, SecretReference?)] = []
    if let bc = sources.bigcommerce { references.append(("sources.bigcommerce.access_token", bc.accessToken)) }
    if let ae = sources.aliexpress {
        references += [("sources.aliexpress.app_secret", ae.appSecret), ("sources.aliexpress.session", ae.session)]
    }
    let problems = references.compactMap { key, reference -> String? in
        guard let reference else { return nil }  // the per-source check names a key the profile lacks
        switch environment[reference.variable] {
        case nil: return "\(key) reads the environment variable \(reference.variable), which is not set (\(reference.location))"
        case ""?: return "\(key) reads the environment variable \(reference.variable), which is empty (\(reference.location))"
        default: return nil
        }
    }
    guard !problems.isEmpty else { return }
    if problems.count == 1 { throw PullError(.config, problems[0]) }
    throw PullError(.config, "\(problems.count) environment variables the profile reads are not usable:\n  " + problems.joined(separator: "\n  "))
}

/// The value of a `${NAME}` secret; a config error naming the variable when it is unset or empty.
func secret(_ reference: SecretReference?, _ key: String, _ environment: [String: String]) throws(PullError) -> String {
    guard let reference else { throw PullError(.config, "\(key) is not set in the profile") }
    guard let value = environment[reference.variable], !value.isEmpty else {
        let what = environment[reference.variable] == nil ? "not set" : "empty"
        throw PullError(.config, "\(key) reads the environment variable \(reference.variable), which is \(what) (\(reference.location))")
    }
    return value
}
