import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file in fixed-size chunks of whole lines, so that a large JSON Lines or CSV file is
/// never held in memory whole and lines are never copied one by one.
enum LineReader {
    static let chunkSize = 4 << 20

    /// Opens `path` for reading only if it is a regular file: a FIFO or device would block or
    /// never end, a folder is not data, and a symbolic link loop is named as one.
    static func openRegularFile(_ path: String) throws(FileReadError) -> Int32 {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw FileReadError(errno: code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileReadError(message: "not a regular file (\(FileReadError.kind(info.st_mode))); a snapshot file must be a plain file")
        }
        // Reads of a regular file do not block; clear the flag anyway for plain semantics.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// Calls `body` with runs of whole lines: the number of the run's first line and its bytes
    /// (each line ends with `\n`, except perhaps the file's last).
    ///
    /// - Throws: what `body` throws, or a `CocoaError` when the file cannot be read.
    static func forEachChunk(path: String, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let fd = try openRegularFile(path)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var filled = 0
        var nextLine = 1
        while true {
            if filled == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }  // a very long line
            let n = buffer.withUnsafeMutableBufferPointer { b -> Int in
                guard let base = b.baseAddress else { return -1 }
                return read(fd, base + filled, b.count - filled)
            }
            if n < 0 { throw FileReadError(errno: errno) }
            if n == 0 { break }
            filled += n
            // Deliver everything up to the last line break; keep the partial line.
            let cut = buffer.withUnsafeBufferPointer { b -> Int in
                var i = filled
                while i > 0 { if b[i - 1] == 0x0A { return i }; i -= 1 }
                return 0
            }
            guard cut > 0 else { continue }
            try buffer.withUnsafeBufferPointer { b in
                let run = UnsafeBufferPointer(rebasing: b[0..<cut])
                try body(nextLine, run)
                nextLine += count(newlinesIn: run)
            }
            // The partial line moves to the front (copied out first, so the buffer stays unshared).
            let partial = Array(buffer[cut..<filled])
            buffer.replaceSubrange(0..<partial.count, with: partial)
            filled -= cut
        }
        if filled > 0 {
            try buffer.withUnsafeBufferPointer { b in try body(nextLine, UnsafeBufferPointer(rebasing: b[0..<filled])) }
        }
    }

    /// Calls `body` with runs of whole lines of the file at `path`, mapped into memory rather than
    /// copied: each run ends with `\n` (except perhaps the file's last) and is about
    /// ``chunkSize`` long. Once `body` returns, the run's pages are handed back (so a large file
    /// never stays resident). Falls back to reading when the file cannot be mapped.
    ///
    /// - Throws: what `body` throws, or a `CocoaError` when the file cannot be read.
    static func forEachMappedRun(path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let fd = try openRegularFile(path)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileReadError(errno: errno) }
        guard info.st_size > 0 else { return }
        guard let file = MappedFile(fd: fd, size: Int(info.st_size)) else {
            return try forEachChunk(path: path) { _, run in try body(run) }
        }
        // The mapping outlives every run handed to `body`: they are all handed out inside `read`.
        try file.read { bytes in
            let size = bytes.count
            var start = 0
            while start < size {
                var end = min(size, start + chunkSize)
                if end < size {
                    // Cut after the last line break in the run, or after the first one beyond it (a very long line).
                    var back = end
                    while back > start && bytes[back - 1] != 0x0A { back -= 1 }
                    end = back > start ? back : bytes.firstIndex(of: 0x0A, from: end).map { $0 + 1 } ?? size
                }
                try body(bytes.slice(start..<end))
                file.release(start..<end)
                start = end
            }
        }
    }

    /// Calls `body` with each line of a run (number, bytes without the line break or a final `\r`).
    @inline(__always)
    static func lines(in run: UnsafeBufferPointer<UInt8>, firstLine: Int, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let bytes = ByteRun(run)
        var start = 0
        var line = firstLine
        while start < bytes.count {
            let end = bytes.firstIndex(of: 0x0A, from: start) ?? bytes.count
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            try body(line, bytes.slice(start..<stop))
            line += 1
            start = end + 1
        }
    }

    static func count(newlinesIn run: UnsafeBufferPointer<UInt8>) -> Int { ByteRun(run).occurrences(of: 0x0A) }

    /// Calls `body` with each line's number (1-based) and bytes (without the line break).
    static func forEachLine(path: String, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try forEachChunk(path: path) { first, run in try lines(in: run, firstLine: first, body) }
    }

    /// Calls `body` with each line of `bytes`, as ``forEachLine(path:_:)`` does for a file.
    static func forEachLine(bytes: [UInt8], _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { try lines(in: $0, firstLine: 1, body) }
    }
}

/// Why a snapshot file could not be read, in words.
struct FileReadError: Error, CustomStringConvertible {
    let description: String

    init(message: String) {
        description = message
    }

    init(errno code: Int32) {
        switch code {
        case ENOENT: description = "no such file (or a symbolic link to nothing)"
        case ELOOP: description = "a loop of symbolic links"
        case EACCES, EPERM: description = "permission denied"
        case EISDIR: description = "a folder, not a file"
        default: description = String(cString: strerror(code))
        }
    }

    /// The kind of a file that is not a regular one, from its mode.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a plain file"
        }
    }
}
