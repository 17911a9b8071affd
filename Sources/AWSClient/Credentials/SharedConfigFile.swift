import Essentials

/// The INI files the AWS CLI and SDKs share: `~/.aws/credentials` (sections `[name]`) and
/// `~/.aws/config` (sections `[default]` and `[profile name]`).
public struct SharedConfigFile: Sendable, Equatable {
    /// Section name (as written between brackets, trimmed) to its keys and values.
    public private(set) var sections: [String: [String: String]] = [:]

    /// Parses the text of a file. Comment lines start with `#` or `;`; indented lines continue a
    /// nested setting (e.g. `s3 =` blocks) and are skipped; keys are lower-cased.
    /// - Parameter text: The file's contents.
    public init(parsing text: String) {
        var current: String?
        var nested = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let isIndented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.trimmingASCIIWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                nested = false
                guard let close = line.firstIndex(of: "]") else { current = nil; continue }
                let name = line[line.index(after: line.startIndex)..<close].trimmingASCIIWhitespace()
                current = String(name)
                if sections[String(name)] == nil { sections[String(name)] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            if isIndented && nested { continue }
            let key = line[..<equals].trimmingASCIIWhitespace().lowercased()
            let value = line[line.index(after: equals)...].trimmingASCIIWhitespace()
            nested = value.isEmpty  // `s3 =` opens a block of indented sub-settings
            if !nested { sections[section, default: [:]][key] = String(value) }
        }
    }

    /// The settings of a profile in the credentials file (`[name]`).
    public func credentialsProfile(_ name: String) -> [String: String]? {
        sections[name]
    }

    /// The settings of a profile in the config file (`[default]`, `[profile name]`).
    public func configProfile(_ name: String) -> [String: String]? {
        name == "default" ? (sections["default"] ?? sections["profile default"]) : sections["profile \(name)"]
    }
}
