import Foundation
import Testing

/// Runs the built `pulse` binary and makes scratch folders, for tests of the real command line.
enum CLI {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `pulse` binary that `swift build` / `swift test` put next to the test bundle.
    static var binary: URL {
        get throws {
            let candidates = [
                Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pulse"),
                packageRoot.appendingPathComponent(".build/debug/pulse"),
            ]
            for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) { return url }
            throw CLIError(message: "no pulse binary at \(candidates.map(\.path)); run `swift build` first")
        }
    }

    struct CLIError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    struct Result {
        let stdout: String
        let stderr: String
        let status: Int32
    }

    /// Runs `pulse ARGS` in `directory`. An `eval` without `--now` is run as of its snapshot's
    /// `taken_at` (the fixtures are months old, and judged by the wall clock every one would be
    /// stale; freshness has tests of its own, which pass `--now` or `fresh: false`).
    static func run(_ arguments: [String], in directory: URL, fresh: Bool = true, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = try binary
        process.arguments = fresh ? asOfSnapshot(arguments, in: directory) : arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
                      status: process.terminationStatus)
    }

    /// `arguments` with `--now` set to the snapshot's `taken_at` for an `eval` that gives none
    /// (unchanged when the snapshot has no readable `taken_at`: the command reports that).
    static func asOfSnapshot(_ arguments: [String], in directory: URL) -> [String] {
        guard arguments.first == "eval", !arguments.contains("--now"), let i = arguments.firstIndex(of: "--snapshot"), i + 1 < arguments.count else {
            return arguments
        }
        let folder = arguments[i + 1].hasPrefix("/") ? URL(fileURLWithPath: arguments[i + 1]) : directory.appendingPathComponent(arguments[i + 1])
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("snapshot.json")),
              let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let takenAt = header["taken_at"] as? String else {
            return arguments
        }
        return arguments + ["--now", takenAt]
    }

    /// A new empty folder holding `files` (relative path -> text).
    static func scratch(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-test-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    /// The shipped cards and profiles, by path relative to the package root.
    static func shippedConfig() throws -> [String: String] {
        var files: [String: String] = [:]
        for folder in ["cards", "profiles"] {
            let base = packageRoot.appendingPathComponent(folder)
            guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { continue }
            while let relative = enumerator.nextObject() as? String {
                guard relative.hasSuffix(".yaml") else { continue }
                files["\(folder)/\(relative)"] = try String(contentsOf: base.appendingPathComponent(relative), encoding: .utf8)
            }
        }
        return files
    }
}
