import Foundation

/// A line of a JSON Lines file read the general way (after the fast path gave up).
enum GeneralLine {
    case blank
    case badJSON(String)
    case object([JSONMember])

    /// Parses `bytes` as one JSON object (or a blank line).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> GeneralLine {
        var blank = true
        for b in bytes where b != 0x20 && b != 0x09 { blank = false; break }
        if blank { return .blank }
        do throws(JSONSyntaxError) {
            let value = try JSONParser.parse(bytes)
            guard case .object(let members) = value else { return .badJSON("each line must be a JSON object, not \(value.kindName)") }
            return .object(members)
        } catch {
            return .badJSON("bad JSON at column \(error.offset + 1): \(error.message)")
        }
    }
}

/// What one worker fills from its run of lines; reused (emptied, storage kept) chunk after chunk.
protocol RowBatch: Sendable {
    init()
    /// Forgets the rows, keeping storage.
    mutating func reset()
}

/// Decodes the lines of a JSON Lines source on every core: each worker fills a batch (columns
/// and problems) from a contiguous run of lines, and the batches are applied in line order on
/// the calling thread (so that duplicate checks and error reports stay sequential and
/// deterministic).
enum ParallelRows {
    static let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// Runs `decode` over every line (number, bytes) of every chunk, on the workers, each into
    /// its own batch, then hands the batches to `apply` in order. Applying a chunk's batches
    /// (sequential work: the key index, the copy into the table) overlaps with decoding the
    /// next chunk, into a second set of batches.
    static func run<Batch: RowBatch>(chunks: ((Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void,
                                     decode: @escaping @Sendable (inout Batch, Int, UnsafeBufferPointer<UInt8>) -> Void,
                                     apply: @escaping (inout Batch) -> Void) throws {
        var spans: [(line: Int, start: Int, end: Int)] = []
        let sets = (0..<2).map { _ in
            let batches = UnsafeMutableBufferPointer<Batch>.allocate(capacity: workers)
            for i in 0..<workers { batches.initializeElement(at: i, to: Batch()) }
            return batches
        }
        let applying = DispatchGroup()
        let applier = DispatchQueue(label: "pulse.loader.apply")
        let applyBatch = UnsafeSendable(apply)
        defer {
            applying.wait()
            for batches in sets {
                batches.deinitialize()
                batches.deallocate()
            }
        }
        var chunk = 0
        try chunks { firstLine, run in
            spans.removeAll(keepingCapacity: true)
            guard let base = run.baseAddress else { return }
            LineReader.lines(in: run, firstLine: firstLine) { line, bytes in
                let start = bytes.baseAddress.map { $0 - base } ?? 0
                spans.append((line, start, start + bytes.count))
            }
            let count = spans.count
            guard count > 0 else { return }
            let batches = sets[chunk % 2]
            chunk += 1
            let parts = min(workers, count)
            for i in 0..<parts { batches[i].reset() }
            let share = (count + parts - 1) / parts
            spans.withUnsafeBufferPointer { lines in
                let source = UnsafeSendable((run, lines))
                let target = UnsafeSendable(batches)
                DispatchQueue.concurrentPerform(iterations: parts) { worker in
                    let start = worker * share, end = min(count, start + share)
                    guard start < end else { return }
                    let (bytes, lines) = source.value
                    for i in start..<end {
                        let span = lines[i]
                        decode(&target.value[worker], span.line, UnsafeBufferPointer(rebasing: bytes[span.start..<span.end]))
                    }
                }
            }
            // The previous chunk's apply must be done before this one starts (order) and before
            // its batches are decoded into again (the chunk after this one).
            applying.wait()
            let target = UnsafeSendable(batches)
            applier.async(group: applying) {
                for i in 0..<parts { applyBatch.value(&target.value[i]) }
            }
        }
    }
}

/// Hands a pointer to worker threads that each touch their own part of it.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
