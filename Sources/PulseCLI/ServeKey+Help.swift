import ArgumentParser
import PulseConfig

extension ServeKey {
    /// The flag's help: the key's own description (the one the README's serve.yaml table shows),
    /// so that the flag and the file key are described once.
    var help: ArgumentHelp {
        ArgumentHelp(doc.prefix(1).uppercased() + doc.dropFirst() + ".", valueName: valueName)
    }

    /// The name of the flag's value in the usage line.
    private var valueName: String {
        switch self {
        case .listen: "address"
        case .cards, .profiles, .snapshots: "dir"
        case .db, .tokens: "file"
        case .pullEvery, .headerTimeout, .idleTimeout: "duration"
        case .notifyWebhook: "url"
        case .maxConnections: "n"
        case .keep: "N"
        }
    }
}
