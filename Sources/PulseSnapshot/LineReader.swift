import Foundation

/// Reads a file line by line in fixed-size chunks, so that a large JSON Lines or CSV file is
/// never held in memory whole.
enum LineReader {
    static let chunkSize = 4 << 20

    /// Calls `body` with each line's number (1-based) and bytes (without the line break).
    ///
    /// - Throws: what `body` throws, or a `CocoaError` when the file cannot be read.
    static func forEachLine(path: String, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var lineNumber = 0
        while true {
            let chunk = try handle.read(upToCount: chunkSize) ?? Data()
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var consumed = 0
            try pending.withUnsafeBufferPointer { buffer in
                var start = 0
                var i = 0
                let count = buffer.count
                while i < count {
                    if buffer[i] == 0x0A {
                        lineNumber += 1
                        var end = i
                        if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                        try body(lineNumber, UnsafeBufferPointer(rebasing: buffer[start..<end]))
                        start = i + 1
                    }
                    i += 1
                }
                consumed = start
            }
            pending.removeFirst(consumed)
        }
        if !pending.isEmpty {
            lineNumber += 1
            if pending.last == 0x0D { pending.removeLast() }
            try pending.withUnsafeBufferPointer { try body(lineNumber, $0) }
        }
    }

    /// Calls `body` with each line of `bytes`, as ``forEachLine(path:_:)`` does for a file.
    static func forEachLine(bytes: [UInt8], _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            var lineNumber = 0
            for i in 0..<buffer.count where buffer[i] == 0x0A {
                lineNumber += 1
                var end = i
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                try body(lineNumber, UnsafeBufferPointer(rebasing: buffer[start..<end]))
                start = i + 1
            }
            if start < buffer.count {
                var end = buffer.count
                if buffer[end - 1] == 0x0D { end -= 1 }
                try body(lineNumber + 1, UnsafeBufferPointer(rebasing: buffer[start..<end]))
            }
        }
    }
}
