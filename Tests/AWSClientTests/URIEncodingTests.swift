@testable import AWSClient
import Foundation
import Testing

@Suite("URIEncoding")
struct URIEncodingTests {
    @Test("unreserved characters stay as they are")
    func unreserved() {
        let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        #expect(URIEncoding.encode(unreserved, keepingSlash: false) == unreserved)
        #expect(URIEncoding.encode(unreserved, keepingSlash: true) == unreserved)
    }

    @Test("everything else becomes upper-case %XX of its UTF-8 bytes", arguments: [
        (" ", "%20"), ("+", "%2B"), ("$", "%24"), ("%", "%25"), ("*", "%2A"), ("'", "%27"), ("(", "%28"), (")", "%29"),
        ("!", "%21"), ("@", "%40"), (":", "%3A"), (",", "%2C"), (";", "%3B"), ("=", "%3D"), ("&", "%26"), ("?", "%3F"),
        ("#", "%23"), ("^", "%5E"), ("\u{7F}", "%7F"), ("\n", "%0A"), ("ü", "%C3%BC"), ("€", "%E2%82%AC"), ("ሴ", "%E1%88%B4"),
        ("😀", "%F0%9F%98%80"),
    ])
    func reserved(_ text: String, _ encoded: String) {
        #expect(URIEncoding.encode(text, keepingSlash: false) == encoded)
        #expect(URIEncoding.encode(text, keepingSlash: true) == encoded)
    }

    @Test("a slash is kept only when asked")
    func slash() {
        #expect(URIEncoding.encode("raw/events/a b.json", keepingSlash: true) == "raw/events/a%20b.json")
        #expect(URIEncoding.encode("raw/events/a b.json", keepingSlash: false) == "raw%2Fevents%2Fa%20b.json")
    }

    @Test("S3 documentation and order-key examples encode as S3 expects", arguments: [
        ("test$file.text", "test%24file.text"),
        ("plus+sign.txt", "plus%2Bsign.txt"),
        ("unicode-€-ü.txt", "unicode-%E2%82%AC-%C3%BC.txt"),
        ("paren(1).txt", "paren%281%29.txt"),
        ("tilde~x.txt", "tilde~x.txt"),
    ])
    func keys(_ key: String, _ encoded: String) {
        #expect(URIEncoding.encode(key, keepingSlash: true) == encoded)
    }

    @Test("decode undoes %XX escapes and leaves '+' alone", arguments: [
        ("a%20b", "a b"), ("a+b", "a+b"), ("%2b%2B", "++"), ("%E2%82%AC", "€"), ("plain", "plain"), ("", ""), ("%25", "%"),
    ])
    func decode(_ encoded: String, _ expected: String) {
        #expect(URIEncoding.decode(encoded) == expected)
    }

    @Test("decode rejects malformed escapes and invalid UTF-8", arguments: ["%", "%4", "a%zz", "%g0", "%FF", "%C3", "%E2%82"])
    func decodeRejects(_ encoded: String) {
        #expect(URIEncoding.decode(encoded) == nil)
        #expect(URIEncoding.formDecode(encoded) == nil)
    }

    @Test("form decoding turns '+' into a space before undoing escapes", arguments: [
        ("my+file%281%29.json", "my file(1).json"),
        ("a%2Bb", "a+b"),
        ("raw/events/order+%E2%82%AC.json", "raw/events/order €.json"),
        ("100%25+done", "100% done"),
        ("%2B+", "+ "),
    ])
    func formDecode(_ encoded: String, _ expected: String) {
        #expect(URIEncoding.formDecode(encoded) == expected)
    }

    @Test("decoding what was encoded gives the original text back", arguments: [
        "", "a b+c/d", "€ü😀", "100% sure?", "~-._", "line\nbreak", "order=1&x=2",
    ])
    func roundTrip(_ text: String) {
        #expect(URIEncoding.decode(URIEncoding.encode(text, keepingSlash: false)) == text)
        #expect(URIEncoding.decode(URIEncoding.encode(text, keepingSlash: true)) == text)
    }

    @Test("encoding agrees with Foundation's percent-encoding for the unreserved set")
    func agreesWithFoundation() throws {
        var allowed = CharacterSet()
        allowed.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let samples = ["", "a b+c/d", "€ü😀", "100% sure?", "!*'();:@&=+$,/?#[]", String((0...127).map { Character(Unicode.Scalar(UInt8($0))) })]
        for sample in samples {
            let foundation = try #require(sample.addingPercentEncoding(withAllowedCharacters: allowed))
            #expect(URIEncoding.encode(sample, keepingSlash: false) == foundation)
        }
    }
}
