/// The certificates of a PEM bundle, indexed by the DER bytes of their subject name.
///
/// Building it decodes the base64 of each `CERTIFICATE` block and walks the DER just far enough to
/// find the subject; no certificate is parsed as X.509 (public key, extensions) until a chain asks
/// for its issuer (``TrustStore``). For Debian's 139-certificate bundle that is a linear pass over
/// ~200 KB instead of OpenSSL decoding every certificate.
///
/// Names match by their DER bytes. RFC 5280 chains name the issuer with the bytes of the CA's subject,
/// and a name encoded differently only fails to match: the chain is then refused, never trusted.
public struct PEMBundleIndex: Sendable {
    /// One certificate: its DER encoding.
    public struct Entry: Sendable, Equatable {
        /// The whole certificate, DER-encoded.
        public let der: [UInt8]
        /// Where the subject name (tag, length and content) sits in `der`.
        public let subject: Range<Int>
    }

    /// Every certificate block that decoded, in file order.
    public let entries: [Entry]
    /// Blocks whose base64 or DER did not decode (skipped, as OpenSSL would refuse them too).
    public let skippedBlocks: Int
    private let bySubject: [[UInt8]: [Int]]

    /// Indexes a bundle's bytes.
    /// - Parameter pem: The file's contents; text outside `-----BEGIN CERTIFICATE-----` blocks
    ///   (comments, other block types such as `TRUSTED CERTIFICATE` or keys) is ignored.
    public init(pem: [UInt8]) {
        var entries: [Entry] = []
        var skipped = 0
        var bySubject: [[UInt8]: [Int]] = [:]
        pem.withUnsafeBufferPointer { bytes in
            var cursor = 0
            while let body = Self.nextCertificateBody(in: bytes, from: &cursor) {
                guard let der = Base64.decode(bytes[body]), let subject = DERCertificate.subjectRange(der) else {
                    skipped += 1
                    continue
                }
                bySubject[Array(der[subject]), default: []].append(entries.count)
                entries.append(Entry(der: der, subject: subject))
            }
        }
        self.entries = entries
        self.skippedBlocks = skipped
        self.bySubject = bySubject
    }

    /// The certificates whose subject is exactly these DER bytes (more than one for a re-issued or
    /// cross-signed CA).
    public func certificates(subject: [UInt8]) -> [Entry] {
        bySubject[subject]?.map { entries[$0] } ?? []
    }

    private static let begin = Array("-----BEGIN CERTIFICATE-----".utf8)
    private static let end = Array("-----END CERTIFICATE-----".utf8)

    /// The base64 between the next BEGIN/END CERTIFICATE pair at or after `cursor`; moves past it.
    private static func nextCertificateBody(in bytes: UnsafeBufferPointer<UInt8>, from cursor: inout Int) -> Range<Int>? {
        guard let start = find(begin, in: bytes, from: cursor) else { return nil }
        let bodyStart = start + begin.count
        guard let stop = find(end, in: bytes, from: bodyStart) else {
            cursor = bytes.count
            return nil
        }
        cursor = stop + end.count
        return bodyStart..<stop
    }

    private static func find(_ marker: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = marker.first, bytes.count >= marker.count else { return nil }
        var index = start
        let last = bytes.count - marker.count
        while index <= last {
            if bytes[index] == first {
                var matched = 1
                while matched < marker.count, bytes[index + matched] == marker[matched] { matched += 1 }
                if matched == marker.count { return index }
            }
            index += 1
        }
        return nil
    }
}

/// Standard base64 (RFC 4648 §4) as PEM carries it: whitespace between characters is skipped.
enum Base64 {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// Decodes base64 text.
    /// - Returns: The bytes, or `nil` for a character outside the alphabet, or a length that is not
    ///   a whole number of quanta.
    static func decode(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var pending = 0
        var padding = 0
        for character in text {
            switch character {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            case UInt8(ascii: "="):
                padding += 1
                accumulator <<= 6
                pending += 1
            default:
                let value = values[Int(character)]
                guard value != 0xFF, padding == 0 else { return nil }
                accumulator = accumulator << 6 | UInt32(value)
                pending += 1
            }
            if pending == 4 {
                output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                if padding < 2 { output.append(UInt8(truncatingIfNeeded: accumulator >> 8)) }
                if padding < 1 { output.append(UInt8(truncatingIfNeeded: accumulator)) }
                accumulator = 0
                pending = 0
            }
        }
        guard pending == 0, padding <= 2 else { return nil }
        return output
    }
}

/// Just enough DER to find a certificate's subject name (RFC 5280 §4.1).
enum DERCertificate {
    /// Where the subject `Name` (tag, length, content) lies in a DER certificate.
    /// - Returns: `nil` when the bytes are not a certificate's outer structure.
    static func subjectRange(_ der: [UInt8]) -> Range<Int>? {
        // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
        //                 signature, issuer, validity, subject, ... }, ... }
        guard let certificate = element(der, at: 0, tag: 0x30),
              let tbs = element(der, at: certificate.contentStart, tag: 0x30) else { return nil }
        var offset = tbs.contentStart
        if let version = element(der, at: offset, tag: 0xA0) { offset = version.end }
        for tag: UInt8 in [0x02, 0x30, 0x30, 0x30] {  // serialNumber, signature, issuer, validity
            guard let skipped = element(der, at: offset, tag: tag) else { return nil }
            offset = skipped.end
        }
        guard let subject = element(der, at: offset, tag: 0x30), subject.end <= tbs.end else { return nil }
        return offset..<subject.end
    }

    /// The TLV at `offset` when its tag is `tag` and its length fits.
    private static func element(_ der: [UInt8], at offset: Int, tag: UInt8) -> (contentStart: Int, end: Int)? {
        guard offset + 2 <= der.count, der[offset] == tag else { return nil }
        var length = Int(der[offset + 1])
        var contentStart = offset + 2
        if length >= 0x80 {
            let octets = length & 0x7F
            guard octets >= 1, octets <= 4, contentStart + octets <= der.count else { return nil }
            length = 0
            for byte in der[contentStart..<contentStart + octets] { length = length << 8 | Int(byte) }
            contentStart += octets
        }
        guard length <= der.count - contentStart else { return nil }
        return (contentStart, contentStart + length)
    }
}
