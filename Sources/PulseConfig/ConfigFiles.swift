import Foundation
import PulseDiagnostics

/// A problem that stops a command before it can check anything: a path that does not exist or
/// a file that cannot be read. (Problems inside files are diagnostics, not errors.)
public struct ConfigAccessError: Error, Sendable, CustomStringConvertible {
    /// The path concerned.
    public var path: String
    /// What went wrong.
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}

/// Finds the YAML files under the paths a user names.
public enum ConfigFiles {
    /// The folders test files live in: `card-tests/`, and `tests/` as it was named before 0.25
    /// (on a case-insensitive file system `tests/` is also a Swift package's `Tests/`).
    public static let testFolders = ["card-tests", "tests"]

    /// Where `pulse test` looks without paths: the first of ``testFolders`` that exists under
    /// `root` (`card-tests` when neither does).
    public static func defaultTestFolder(in root: String = ".") -> String {
        let found = testFolders.first { FileManager.default.fileExists(atPath: root == "." ? $0 : root + "/" + $0) }
        return found ?? testFolders[0]
    }

    /// The `.yaml` and `.yml` files at or under `paths`, each folder searched recursively, in a
    /// stable order (sorted within each path), without duplicates.
    ///
    /// - Throws: ``ConfigAccessError`` for a path that does not exist.
    public static func yamlFiles(under paths: [String]) throws -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ConfigAccessError(path: path, reason: "no such file or folder")
            }
            var found: [String] = []
            if isDirectory.boolValue {
                guard let enumerator = fm.enumerator(atPath: path) else {
                    throw ConfigAccessError(path: path, reason: "cannot list this folder")
                }
                while let relative = enumerator.nextObject() as? String {
                    // Hidden folders and files (.build, .git, .github, .pulse) are never config.
                    if (relative as NSString).lastPathComponent.hasPrefix(".") {
                        enumerator.skipDescendants()
                        continue
                    }
                    if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                        found.append(join(path, relative))
                    }
                }
                found.sort()
            } else {
                found = [path]
            }
            for file in found where seen.insert(standardized(file)).inserted {
                out.append(file)
            }
        }
        return out
    }

    /// Reads a file's bytes.
    ///
    /// - Throws: ``ConfigAccessError`` when it cannot be read.
    public static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw ConfigAccessError(path: path, reason: !exists ? "no such file" : isDirectory.boolValue ? "is a folder, not a file" : "cannot read this file (permissions?)")
        }
        return [UInt8](data)
    }

    static func join(_ folder: String, _ relative: String) -> String {
        folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
    }

    private static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The file's name without folder and extension.
    /// Whether `path` lies under a folder named `folder` (at any depth).
    public static func isUnder(_ path: String, folder: String) -> Bool {
        path.split(separator: "/").dropLast().contains { $0 == folder }
    }

    public static func stem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".yaml") { return String(name.dropLast(5)) }
        if name.hasSuffix(".yml") { return String(name.dropLast(4)) }
        return name
    }
}
