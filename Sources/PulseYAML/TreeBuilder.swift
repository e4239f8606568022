import CYAML
import Foundation
import PulseDiagnostics

/// Turns libyaml's event stream into a ``YAMLNode`` tree, checking keys, aliases and depth.
///
/// libyaml's parser state and each event are created and freed inside ``run(_:)``; everything
/// kept is copied into Swift values first.
struct TreeBuilder {
    let source: SourceText
    let limits: YAMLLimits
    private(set) var root: YAMLNode?
    private(set) var diagnostics: [Diagnostic] = []

    /// A sequence or mapping being read. A class, so that adding an item changes it in place:
    /// a value type popped, changed and pushed back copies its arrays each time, which made
    /// reading a long flow list or a mapping of many keys quadratic.
    private final class Frame {
        let isMapping: Bool
        let start: SourceLocation
        let anchor: String?
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        var seen: [String: SourceLocation] = [:]
        var size = 1
        var skipValue = false

        init(isMapping: Bool, start: SourceLocation, anchor: String?) {
            self.isMapping = isMapping
            self.start = start
            self.anchor = anchor
        }
    }

    private var stack: [Frame] = []
    private var anchors: [String: YAMLNode] = [:]
    private var documents = 0
    private var documentSize = 0

    init(source: SourceText, limits: YAMLLimits) {
        self.source = source
        self.limits = limits
    }

    private var file: String { source.file }

    mutating func run(_ bytes: [UInt8]) {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            diagnostics.append(.error(.yamlSyntax, "libyaml could not start (out of memory)", at: .startOf(file)))
            return
        }
        defer { yaml_parser_delete(parser) }
        bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else {
                    diagnostics.append(syntaxError(parser.pointee))
                    return
                }
                let keepGoing = handle(event)
                let done = event.type == YAML_STREAM_END_EVENT
                yaml_event_delete(&event)
                if !keepGoing || done { return }
            }
        }
    }

    /// Handles one event; returns false to stop reading.
    private mutating func handle(_ event: yaml_event_t) -> Bool {
        let location = source.location(line: Int(event.start_mark.line), column: Int(event.start_mark.column))
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                diagnostics.append(.error(.yamlMultiDocument,
                    "a file holds one document; move this one (after `---`) into a file of its own",
                    at: location))
                return false
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value = string(data.value, length: data.length)
            let style: ScalarStyle
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let span = SourceSpan(
                source: source,
                start: source.index(line: Int(event.start_mark.line), column: Int(event.start_mark.column)),
                end: source.index(line: Int(event.end_mark.line), column: Int(event.end_mark.column)))
            let scalar = YAMLScalar(value: value, style: style, tag: optionalString(data.tag), span: span)
            let node = YAMLNode(content: .scalar(scalar), location: location, expandedSize: 1)
            return charge(1, at: location) && complete(node, anchor: optionalString(data.anchor))
        case YAML_ALIAS_EVENT:
            let name = optionalString(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                diagnostics.append(.error(.yamlSyntax, "alias *\(name) refers to no anchor &\(name) defined before it", at: location))
                return false
            }
            return charge(target.expandedSize, at: location) && complete(target, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            guard enter(at: location), charge(1, at: location) else { return false }
            stack.append(Frame(isMapping: false, start: location, anchor: optionalString(event.data.sequence_start.anchor)))
        case YAML_MAPPING_START_EVENT:
            guard enter(at: location), charge(1, at: location) else { return false }
            stack.append(Frame(isMapping: true, start: location, anchor: optionalString(event.data.mapping_start.anchor)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return false }
            let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
            return complete(YAMLNode(content: content, location: frame.start, expandedSize: frame.size), anchor: frame.anchor)
        default:
            break
        }
        return true
    }

    private mutating func enter(at location: SourceLocation) -> Bool {
        if stack.count >= limits.maxDepth {
            diagnostics.append(.error(.yamlDepthLimit,
                "nesting is deeper than \(limits.maxDepth) levels", at: location))
            return false
        }
        return true
    }

    /// Attaches a finished node to its parent (or makes it the root).
    /// Counts `nodes` more nodes towards the document's expanded size; false once over the limit.
    private mutating func charge(_ nodes: Int, at location: SourceLocation) -> Bool {
        documentSize = saturatingAdd(documentSize, nodes)
        if documentSize > limits.maxExpandedNodes {
            diagnostics.append(.error(.yamlAliasLimit,
                "the document expands to more than \(limits.maxExpandedNodes) nodes through aliases; refusing to expand it",
                at: location))
            return false
        }
        return true
    }

    private mutating func complete(_ node: YAMLNode, anchor: String?) -> Bool {
        if let anchor { anchors[anchor] = node }
        guard let top = stack.last else {
            root = node
            return true
        }
        top.size = saturatingAdd(top.size, node.expandedSize)
        guard top.isMapping else {
            top.items.append(node)
            return true
        }
        if top.skipValue {
            top.skipValue = false
        } else if let key = top.pendingKey {
            top.pairs.append(YAMLPair(key: key, value: node))
            top.pendingKey = nil
        } else {
            if let scalar = node.scalar {
                if scalar.value == "<<" && scalar.style == .plain {
                    // Reported here; the entry is kept out of the tree so that nothing
                    // downstream mistakes it for an ordinary key.
                    diagnostics.append(.error(.yamlMergeKey,
                        "merge keys (<<) are not supported; write the keys out in this mapping", at: node.location))
                    top.skipValue = true
                    return true
                } else if let first = top.seen[scalar.value] {
                    diagnostics.append(.error(.yamlDuplicateKey,
                        "duplicate key '\(scalar.value)' (first defined at line \(first.line), column \(first.column)); remove one of them",
                        at: node.location))
                } else {
                    top.seen[scalar.value] = node.location
                }
            }
            top.pendingKey = node
        }
        return true
    }

    private func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    private func syntaxError(_ parser: yaml_parser_t) -> Diagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown libyaml error"
        let mark = parser.problem_mark
        let location = source.location(line: Int(mark.line), column: Int(mark.column))
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            let contextMark = parser.context_mark
            message += " \(context)"
            if contextMark.line != mark.line || contextMark.column != mark.column {
                message += " started at line \(contextMark.line + 1), column \(contextMark.column + 1)"
            }
        }
        message += hint(forLine: Int(mark.line), problem: problem)
        return .error(.yamlSyntax, message, at: location)
    }

    /// Advice for the syntax mistakes people make most in these files.
    private func hint(forLine line: Int, problem: String) -> String {
        guard line < source.lineStarts.count else { return "" }
        let start = source.lineStarts[line]
        let end = line + 1 < source.lineStarts.count ? source.lineStarts[line + 1] : source.scalars.count
        var text = ""
        text.unicodeScalars.append(contentsOf: source.scalars[start..<end])
        if problem.contains("tab") || text.hasPrefix("\t") {
            return "; YAML indents with spaces, not tabs"
        }
        if text.range(of: #":\s*[>|]\s*[=<>!]?\s*-?\d"#, options: .regularExpression) != nil {
            return "; a trigger such as > 0 must be quoted: alert: \"> 0\""
        }
        return ""
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
