import Foundation
import PulseDiagnostics
import PulseYAML

extension ConnectorSources {
    /// Decodes a profile's `sources:` mapping, reporting unknown connectors and keys (with a
    /// suggestion), wrong types, enum values, URLs and literal secrets.
    static func decode(_ node: YAMLNode, reader: NodeReader) -> ConnectorSources {
        // Nothing in this section is quoted back: a line may hold a pasted credential.
        let before = reader.diagnostics.count
        defer { reader.hideSource(from: before) }
        if node.isNull { return .none }
        guard let f = reader.fields(of: node, in: "sources", known: connectorNames, required: []) else { return .none }
        var sources = ConnectorSources.none
        if let pair = f["bigcommerce"] { sources.bigcommerce = decodeBigCommerce(pair.value, reader: reader) }
        if let pair = f["aliexpress"] { sources.aliexpress = decodeAliExpress(pair.value, reader: reader) }
        return sources
    }

    /// A connector's section: its entries by key (unknown keys reported) and empty settings that
    /// know which keys were written. Nil when the node is not a mapping.
    private static func section<S: SourceSettings, K: SourceKey>(_ node: YAMLNode, _ keys: K.Type, reader: NodeReader, context: String,
                                                                 _ make: (SourceLocation) -> S) -> (fields: [String: YAMLPair], settings: S)? {
        let known = K.allCases.map(\.rawValue)
        guard let fields = reader.fields(of: node, in: context, known: known, required: []) else { return nil }
        var settings = make(node.location)
        settings.written = reader.writtenKeys(node, known: known)
        return (fields, settings)
    }

    private static func decodeBigCommerce(_ node: YAMLNode, reader: NodeReader) -> BigCommerceSettings? {
        let context = "sources.bigcommerce"
        guard case (let f, var s)? = section(node, BigCommerceKey.self, reader: reader, context: context, BigCommerceSettings.init) else { return nil }
        s.storeHash = f["store_hash"].flatMap { reader.nonEmptyString($0.value, "\(context).store_hash") }
        if let v = s.storeHash, v.value.contains(where: { !($0.isLetter || $0.isNumber) }) || !v.value.allSatisfy(\.isASCII) {
            reader.error(.invalidValue, "\(context).store_hash must be letters and digits (the part after /stores/ in the API path), not '\(v.value)'", at: v.location)
            s.storeHash = nil
        }
        s.accessToken = f["access_token"].flatMap { reader.secret($0.value, "\(context).access_token") }
        s.stockFrom = f["stock_from"].flatMap { p in reader.choice(p.value, "\(context).stock_from", as: StockSource.self).map { Located($0, at: p.value.location) } }
        if let p = f["locations"] {
            if let items = p.value.sequence {
                s.locations = items.compactMap { item in
                    guard let id = reader.int(item, "each location id of \(context).locations") else { return nil }
                    guard id > 0 else {
                        reader.error(.invalidValue, "location ids are positive, not \(id)", at: item.location)
                        return nil
                    }
                    return Located(id, at: item.location)
                }
            } else {
                reader.error(.wrongType, "\(context).locations must be a list of location ids, such as [1, 2]", at: p.value.location)
            }
        }
        s.apiBase = f["api_base"].flatMap { reader.httpURL($0.value, "\(context).api_base") }
        s.staleAfter = f["stale_after"].flatMap { reader.staleAfter($0.value, "\(context).stale_after") }
        return s
    }

    private static func decodeAliExpress(_ node: YAMLNode, reader: NodeReader) -> AliExpressSettings? {
        let context = "sources.aliexpress"
        guard case (let f, var s)? = section(node, AliExpressKey.self, reader: reader, context: context, AliExpressSettings.init) else { return nil }
        s.appKey = f["app_key"].flatMap { reader.nonEmptyString($0.value, "\(context).app_key") }
        s.appSecret = f["app_secret"].flatMap { reader.secret($0.value, "\(context).app_secret") }
        s.session = f["session"].flatMap { reader.secret($0.value, "\(context).session") }
        s.gateway = f["gateway"].flatMap { reader.httpURL($0.value, "\(context).gateway") }
        if let p = f["statuses"], let list = reader.stringList(p.value, "\(context).statuses") {
            var seen = Set<String>()
            s.statuses = list.compactMap { item in
                guard let status = AliExpressStatus(rawValue: item.value) else {
                    let names = AliExpressStatus.allCases.map(\.rawValue)
                    reader.error(.invalidValue, "\(context).statuses: '\(item.value)' is not an AliExpress product status; expected one of \(names.joined(separator: ", "))"
                                 + Suggestion.didYouMean(item.value, in: names), at: item.location)
                    return nil
                }
                guard seen.insert(item.value).inserted else {
                    reader.error(.invalidValue, "\(context).statuses lists '\(item.value)' twice", at: item.location)
                    return nil
                }
                return Located(status, at: item.location)
            }
        }
        s.categoryRestrictions = f["category_restrictions"].flatMap { reader.nonEmptyString($0.value, "\(context).category_restrictions") }
        if let p = f["time_offset"], let text = reader.string(p.value, "\(context).time_offset") {
            if let seconds = UTCOffset.seconds(text.value) {
                s.timeOffset = Located(seconds, at: text.location)
            } else {
                reader.error(.invalidValue, "\(context).time_offset must be a UTC offset such as \"+08:00\" or \"-05:00\", not '\(text.value)'", at: text.location)
            }
        }
        s.staleAfter = f["stale_after"].flatMap { reader.staleAfter($0.value, "\(context).stale_after") }
        return s
    }
}

/// `+08:00`, `-05:30`, `Z` as seconds east of UTC.
public enum UTCOffset {
    /// The offset in seconds, or nil when `text` is not `Z` or `±HH:MM` within ±18 hours.
    public static func seconds(_ text: String) -> Int? {
        if text == "Z" || text == "+00:00" || text == "-00:00" { return 0 }
        let bytes = Array(text.utf8)
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: ":"),
              let h = Int(text.dropFirst(1).prefix(2)), let m = Int(text.suffix(2)), h <= 18, m < 60,
              bytes[1...2].allSatisfy({ $0 >= 48 && $0 <= 57 }), bytes[4...5].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let seconds = h * 3600 + m * 60
        return bytes[0] == UInt8(ascii: "-") ? -seconds : seconds
    }
}

extension NodeReader {
    /// The known keys a mapping writes, counting a misspelt key as the key it is nearest to (so
    /// that a misspelt required key is reported once, as the misspelling).
    func writtenKeys(_ node: YAMLNode, known: [String]) -> Set<String> {
        Set((node.mapping ?? []).compactMap { pair in
            pair.key.scalar.map { known.contains($0.value) ? $0.value : Suggestion.nearest(to: $0.value, in: known) } ?? nil
        })
    }

    /// Marks the diagnostics from index `start` on as not quoting their source line.
    func hideSource(from start: Int) {
        for i in start..<diagnostics.count { diagnostics[i].quotesSource = false }
    }

    /// A secret: only a `${NAME}` reference; a literal value is an error that never repeats it.
    func secret(_ node: YAMLNode, _ what: String) -> SecretReference? {
        guard let text = string(node, what) else { return nil }
        if let name = SecretReference.variableName(in: text.value) { return SecretReference(variable: name, at: text.location) }
        // The message must not contain the value: it may be a real credential.
        error(.secretLiteral, "\(what) is a secret and must be an environment variable reference such as ${\(Self.suggestedVariable(what))}, "
              + "not a literal value (profiles are meant to be committed; set the variable where pulse pull runs)", at: text.location)
        return nil
    }

    private static func suggestedVariable(_ what: String) -> String {
        switch what.split(separator: ".").last.map(String.init) {
        case "access_token": "BC_ACCESS_TOKEN"
        case "app_secret": "AE_APP_SECRET"
        case "session": "AE_SESSION"
        default: "NAME"
        }
    }

    /// An absolute http or https URL with a host and no query.
    func httpURL(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let text = nonEmptyString(node, what) else { return nil }
        guard let url = URL(string: text.value), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil else {
            error(.invalidValue, "\(what) must be an http or https URL such as https://api.example.com, not '\(text.value)'", at: text.location)
            return nil
        }
        return text
    }
}
