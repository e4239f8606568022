import Foundation

/// One decoded line of a JSON Lines file.
enum DecodedLine<Row: Sendable>: Sendable {
    case blank
    case badJSON(String)
    case row(Row)
}

/// Runs `decode` over the lines of a JSON Lines source on both cores, in batches, and hands
/// each result to `apply` in line order on the calling thread (so that duplicate checks and
/// error reports stay sequential and deterministic).
enum ParallelRows {
    /// Lines per batch: large enough to amortise the hand-off, small enough to stay in cache.
    static let batchLines = 4096
    static let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// Parses one line into a JSON object and decodes it.
    @inline(__always)
    static func decodeLine<Row>(_ bytes: UnsafeBufferPointer<UInt8>, _ fast: (UnsafeBufferPointer<UInt8>) -> Row?,
                                _ decode: ([JSONMember]) -> Row) -> DecodedLine<Row> {
        if let row = fast(bytes) { return .row(row) }
        var blank = true
        for b in bytes where b != 0x20 && b != 0x09 { blank = false; break }
        if blank { return .blank }
        do throws(JSONSyntaxError) {
            let value = try JSONParser.parse(bytes)
            guard case .object(let members) = value else { return .badJSON("each line must be a JSON object, not \(value.kindName)") }
            return .row(decode(members))
        } catch {
            return .badJSON("bad JSON at column \(error.offset + 1): \(error.message)")
        }
    }

    /// Decodes each run of lines (a chunk of the file, no copy) on the workers, then applies the
    /// rows in order.
    static func run<Row: Sendable>(chunks: ((Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void,
                                   fast: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Row?,
                                   decode: @escaping @Sendable ([JSONMember]) -> Row,
                                   apply: @escaping (Int, DecodedLine<Row>) -> Void) throws {
        var spans: [(line: Int, start: Int, end: Int)] = []
        try chunks { firstLine, run in
            spans.removeAll(keepingCapacity: true)
            guard let base = run.baseAddress else { return }
            LineReader.lines(in: run, firstLine: firstLine) { line, bytes in
                let start = bytes.baseAddress.map { $0 - base } ?? 0
                spans.append((line, start, start + bytes.count))
            }
            let count = spans.count
            guard count > 0 else { return }
            let results = UnsafeMutableBufferPointer<DecodedLine<Row>?>.allocate(capacity: count)
            results.initialize(repeating: nil)
            defer {
                results.deinitialize()
                results.deallocate()
            }
            let chunk = (count + workers - 1) / workers
            spans.withUnsafeBufferPointer { lines in
                let source = UnsafeSendable((run, lines))
                let target = UnsafeSendable(results)
                DispatchQueue.concurrentPerform(iterations: min(workers, count)) { worker in
                    let start = worker * chunk, end = min(count, start + chunk)
                    guard start < end else { return }
                    let (bytes, lines) = source.value
                    for i in start..<end {
                        let span = lines[i]
                        target.value[i] = decodeLine(UnsafeBufferPointer(rebasing: bytes[span.start..<span.end]), fast, decode)
                    }
                }
            }
            for i in 0..<count {
                if let result = results[i] { apply(spans[i].line, result) }
            }
        }
    }
}

/// Hands a pointer to worker threads that each touch their own part of it.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
