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
            let line = rawLine.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                nested = false
                guard let close = line.firstIndex(of: "]") else { current = nil; continue }
                let name = line[line.index(after: line.startIndex)..<close].trimmingSpaces()
                current = String(name)
                if sections[String(name)] == nil { sections[String(name)] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            if isIndented && nested { continue }
            let key = line[..<equals].trimmingSpaces().lowercased()
            let value = line[line.index(after: equals)...].trimmingSpaces()
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

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return slice
    }
}
