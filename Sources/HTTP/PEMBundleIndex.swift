#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The certificates of a PEM bundle, indexed by the DER bytes of their subject name.
///
/// Building it decodes the first few hundred bytes of each `CERTIFICATE` block and walks the DER
/// just far enough to find the subject; no certificate is parsed as X.509 (public key, extensions) until a chain asks
/// for its issuer (``TrustStore``). For Debian's 139-certificate bundle that is a linear pass over
/// ~200 KB instead of OpenSSL decoding every certificate.
///
/// Names match by their DER bytes. RFC 5280 chains name the issuer with the bytes of the CA's subject,
/// and a name encoded differently only fails to match: the chain is then refused, never trusted.
public struct PEMBundleIndex: Sendable {
    /// One certificate, still in base64.
    public struct Entry: Sendable, Equatable {
        /// The block's base64 text (line breaks included), a slice of the bundle (not a copy).
        let base64: ArraySlice<UInt8>
        /// Where the subject name (tag, length and content) sits in the DER encoding.
        public let subject: Range<Int>

        /// The whole certificate, DER-encoded (decoded now; `nil` if the text is not base64).
        public var der: [UInt8]? {
            base64.withUnsafeBufferPointer { Base64.decode($0[...]) }
        }
    }

    /// Base64 characters decoded to find a subject: eight 64-character lines, 384 bytes of DER. In
    /// Debian 12's bundle (the Mozilla set) every subject ends within the first 244 bytes; a
    /// certificate whose subject ends later is decoded whole.
    static let prefixCharacters = 8 * 65

    /// Every certificate block that decoded, in file order.
    public let entries: [Entry]
    /// Blocks whose base64 or DER did not decode (skipped, as OpenSSL would refuse them too).
    public let skippedBlocks: Int
    private let bySubject: [SubjectKey: [Int]]

    /// Indexes a bundle's bytes.
    /// - Parameter pem: The file's contents; text outside `-----BEGIN CERTIFICATE-----` blocks
    ///   (comments, other block types such as `TRUSTED CERTIFICATE` or keys) is ignored.
    public init(pem: [UInt8]) {
        var entries: [Entry] = []
        var skipped = 0
        var bySubject: [SubjectKey: [Int]] = [:]
        pem.withUnsafeBufferPointer { bytes in
            var cursor = 0
            while let body = Self.nextCertificateBody(in: bytes, from: &cursor) {
                // The subject comes early in a certificate: decode a prefix to find it, and keep the
                // base64 of the rest for the one certificate a chain may ask for.
                let prefixEnd = body.lowerBound + min(body.count, Self.prefixCharacters)
                var decoded = Base64.decode(bytes[body.lowerBound..<prefixEnd], partial: prefixEnd < body.upperBound)
                var subject = decoded.flatMap(DERCertificate.subjectRange)
                if subject == nil, prefixEnd < body.upperBound {
                    decoded = Base64.decode(bytes[body])
                    subject = decoded.flatMap(DERCertificate.subjectRange)
                }
                guard let decoded, let subject else {
                    skipped += 1
                    continue
                }
                bySubject[SubjectKey(Array(decoded[subject])), default: []].append(entries.count)
                entries.append(Entry(base64: pem[body], subject: subject))
            }
        }
        self.entries = entries
        self.skippedBlocks = skipped
        self.bySubject = bySubject
    }

    /// The certificates whose subject is exactly these DER bytes (more than one for a re-issued or
    /// cross-signed CA).
    public func certificates(subject: [UInt8]) -> [Entry] {
        bySubject[SubjectKey(subject)]?.map { entries[$0] } ?? []
    }

    /// DER bytes of a name, hashed in one pass (`[UInt8]`'s own hashing feeds the hasher byte by byte).
    private struct SubjectKey: Hashable, Sendable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
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
        guard let base = bytes.baseAddress else { return nil }
        var index = start
        // memchr (vectorised in libc) to each candidate first byte, then compare the marker.
        while bytes.count - index >= marker.count,
              let hit = memchr(base + index, Int32(marker[0]), bytes.count - index - marker.count + 1) {
            index = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            if memcmp(base + index, marker, marker.count) == 0 { return index }
            index += 1
        }
        return nil
    }
}

/// Standard base64 (RFC 4648 §4) as PEM carries it: whitespace between characters is skipped.
enum Base64 {
    /// 0–63 for the alphabet, 64 for `=`, 65 for whitespace, 255 for anything else.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        table[Int(UInt8(ascii: "="))] = 64
        for space in " \t\r\n".utf8 { table[Int(space)] = 65 }
        return table
    }()

    /// Decodes base64 text.
    /// - Parameters:
    ///   - text: The characters.
    ///   - partial: The text is a prefix: a trailing incomplete quantum is dropped, not an error.
    /// - Returns: The bytes, or `nil` for a character outside the alphabet, or a length that is not
    ///   a whole number of quanta.
    static func decode(_ text: Slice<UnsafeBufferPointer<UInt8>>, partial: Bool = false) -> [UInt8]? {
        values.withUnsafeBufferPointer { table in
            var valid = true
            let bytes = [UInt8](unsafeUninitializedCapacity: text.count / 4 * 3 + 3) { output, count in
                var written = 0
                var accumulator: UInt32 = 0
                var pending = 0
                var padding = 0
                for character in text {
                    let value = table[Int(character)]
                    if value == 65 { continue }
                    if value == 64 {
                        padding += 1
                    } else if value > 64 || padding > 0 {
                        valid = false
                        break
                    }
                    accumulator = accumulator << 6 | UInt32(value & 63)
                    pending += 1
                    if pending == 4 {
                        output[written] = UInt8(truncatingIfNeeded: accumulator >> 16)
                        output[written + 1] = UInt8(truncatingIfNeeded: accumulator >> 8)
                        output[written + 2] = UInt8(truncatingIfNeeded: accumulator)
                        written += 3
                        accumulator = 0
                        pending = 0
                    }
                }
                if padding > 2 || (pending != 0 && !partial) { valid = false }
                count = valid ? written - min(padding, 2) : 0
            }
            return valid ? bytes : nil
        }
    }
}

/// Just enough DER to find a certificate's subject name (RFC 5280 §4.1).
enum DERCertificate {
    /// Where the subject `Name` (tag, length, content) lies in a DER certificate.
    /// - Returns: `nil` when the bytes are not a certificate's outer structure.
    static func subjectRange(_ der: [UInt8]) -> Range<Int>? {
        // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
        //                 signature, issuer, validity, subject, ... }, ... }
        // The two outer SEQUENCEs may run past `der` when it is a prefix of the certificate.
        guard let certificate = element(der, at: 0, tag: 0x30, mayRunPast: true),
              let tbs = element(der, at: certificate.contentStart, tag: 0x30, mayRunPast: true) else { return nil }
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
    private static func element(_ der: [UInt8], at offset: Int, tag: UInt8, mayRunPast: Bool = false) -> (contentStart: Int, end: Int)? {
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
        guard mayRunPast || length <= der.count - contentStart else { return nil }
        return (contentStart, contentStart + length)
    }
}
