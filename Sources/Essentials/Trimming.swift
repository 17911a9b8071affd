extension StringProtocol {
    /// The text without leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF), compared
    /// as Unicode scalars: for settings and config files. Event data is trimmed by bytes in the
    /// JSON layer instead.
    public func trimmingASCIIWhitespace() -> Substring {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isASCIIWhitespace }) else { return Substring() }
        let last = scalars.lastIndex(where: { !$0.isASCIIWhitespace }) ?? first
        return Substring(scalars[first...last])
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIIWhitespace: Bool {
        switch value {
        case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: true
        default: false
        }
    }
}
