@testable import AWSClient
import Testing

@Suite("ServiceEndpoint")
struct ServiceEndpointTests {
    @Test("an override keeps its scheme, host and port, and the Host header carries the port", arguments: [
        ("http://127.0.0.1:5000", "http", "127.0.0.1", Optional(5000), "127.0.0.1:5000"),
        ("http://localhost:4566/", "http", "localhost", 4566, "localhost:4566"),
        ("https://dynamodb.eu-west-1.amazonaws.com", "https", "dynamodb.eu-west-1.amazonaws.com", nil, "dynamodb.eu-west-1.amazonaws.com"),
        ("https://vpce-1a2b.s3.us-east-1.vpce.amazonaws.com:8443", "https", "vpce-1a2b.s3.us-east-1.vpce.amazonaws.com", 8443,
         "vpce-1a2b.s3.us-east-1.vpce.amazonaws.com:8443"),
        ("http://[::1]:5000", "http", "[::1]", 5000, "[::1]:5000"),
        ("http://[::1]", "http", "[::1]", nil, "[::1]"),
        ("http://moto", "http", "moto", nil, "moto"),
    ])
    func override(_ url: String, _ scheme: String, _ host: String, _ port: Int?, _ hostHeader: String) throws {
        let endpoint = try #require(ServiceEndpoint.parseOverride(url))
        #expect(endpoint.scheme == scheme)
        #expect(endpoint.host == host)
        #expect(endpoint.port == port)
        #expect(endpoint.hostHeader == hostHeader)
        #expect(endpoint.origin == "\(scheme)://\(hostHeader)")
        #expect(endpoint.isOverride)
    }

    @Test("a scheme's default port is dropped, as libcurl leaves it out of the Host header", arguments: [
        ("http://127.0.0.1:80", "127.0.0.1"), ("https://s3.example.com:443", "s3.example.com"), ("http://localhost:80/", "localhost"),
    ])
    func defaultPortDropped(_ url: String, _ hostHeader: String) throws {
        let endpoint = try #require(ServiceEndpoint.parseOverride(url))
        #expect(endpoint.port == nil)
        #expect(endpoint.hostHeader == hostHeader)
    }

    @Test("the other scheme's default port is kept", arguments: [("http://x:443", 443), ("https://x:80", 80)])
    func otherDefaultPortKept(_ url: String, _ port: Int) {
        #expect(ServiceEndpoint.parseOverride(url)?.port == port)
    }

    @Test("anything but http(s)://host[:port][/] is rejected", arguments: [
        "127.0.0.1:5000", "localhost", "ftp://127.0.0.1", "HTTP://127.0.0.1", "http://", "http:///", "http://:5000", "http://x:",
        "http://x:0", "http://x:65536", "http://x:port", "http://x:-1", "http://x/path", "http://x:5000/bucket", "http://x?a=b",
        "http://user:pass@x", "", " http://x",
    ])
    func rejected(_ url: String) {
        #expect(ServiceEndpoint.parseOverride(url) == nil)
    }

    @Test("ports 1 and 65535 are the bounds")
    func portBounds() {
        #expect(ServiceEndpoint.parseOverride("http://x:1")?.port == 1)
        #expect(ServiceEndpoint.parseOverride("http://x:65535")?.port == 65_535)
    }

    @Test("the public endpoints are https on amazonaws.com, without a port", arguments: [
        (AWSService.dynamoDB, "us-east-1", "dynamodb.us-east-1.amazonaws.com"),
        (.s3, "eu-west-1", "s3.eu-west-1.amazonaws.com"),
        (.dynamoDB, "ap-southeast-2", "dynamodb.ap-southeast-2.amazonaws.com"),
    ])
    func publicEndpoints(_ service: AWSService, _ region: String, _ host: String) {
        let endpoint = ServiceEndpoint.aws(service, region: region)
        #expect(endpoint == ServiceEndpoint(scheme: "https", host: host, port: nil, isOverride: false))
        #expect(endpoint.hostHeader == host)
        #expect(endpoint.origin == "https://\(host)")
    }

    @Test("China regions use amazonaws.com.cn", arguments: [
        (AWSService.dynamoDB, "cn-north-1", "dynamodb.cn-north-1.amazonaws.com.cn"),
        (.s3, "cn-northwest-1", "s3.cn-northwest-1.amazonaws.com.cn"),
    ])
    func chinaRegions(_ service: AWSService, _ region: String, _ host: String) {
        #expect(ServiceEndpoint.aws(service, region: region).host == host)
    }
}
