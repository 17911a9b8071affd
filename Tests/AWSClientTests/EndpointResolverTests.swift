@testable import AWSClient
import Testing

@Suite("EndpointResolver")
struct EndpointResolverTests {
    static let moto = ServiceEndpoint(scheme: "http", host: "127.0.0.1", port: 5000, isOverride: true)
    static let localstack = ServiceEndpoint(scheme: "http", host: "localhost", port: 4566, isOverride: true)

    @Test("without overrides each service gets its public AWS endpoint")
    func publicEndpoints() throws {
        let resolver = EndpointResolver(region: "eu-west-1", globalOverride: nil, serviceOverrides: [:])
        #expect(try resolver.endpoint(for: .dynamoDB) == .aws(.dynamoDB, region: "eu-west-1"))
        #expect(try resolver.endpoint(for: .s3) == .aws(.s3, region: "eu-west-1"))
        #expect(try !resolver.endpoint(for: .s3).isOverride)
    }

    @Test("AWS_ENDPOINT_URL sends every service to the override")
    func globalOverride() throws {
        let resolver = EndpointResolver(region: "eu-west-1", globalOverride: "http://127.0.0.1:5000", serviceOverrides: [:])
        for service in AWSService.allCases {
            #expect(try resolver.endpoint(for: service) == Self.moto)
        }
    }

    @Test("a service override beats the global one, which beats the public endpoint")
    func precedence() throws {
        let resolver = EndpointResolver(region: "eu-west-1", globalOverride: "http://127.0.0.1:5000",
                                        serviceOverrides: [.s3: "http://localhost:4566"])
        #expect(try resolver.endpoint(for: .s3) == Self.localstack)
        #expect(try resolver.endpoint(for: .dynamoDB) == Self.moto)

        let serviceOnly = EndpointResolver(region: "eu-west-1", globalOverride: nil, serviceOverrides: [.dynamoDB: "http://127.0.0.1:5000"])
        #expect(try serviceOnly.endpoint(for: .dynamoDB) == Self.moto)
        #expect(try serviceOnly.endpoint(for: .s3) == .aws(.s3, region: "eu-west-1"))
    }

    @Test("empty overrides count as unset")
    func emptyOverrides() throws {
        let resolver = EndpointResolver(region: "us-east-1", globalOverride: "", serviceOverrides: [.s3: "", .dynamoDB: ""])
        #expect(try resolver.endpoint(for: .s3) == .aws(.s3, region: "us-east-1"))
        let fallsThrough = EndpointResolver(region: "us-east-1", globalOverride: "http://127.0.0.1:5000", serviceOverrides: [.s3: ""])
        #expect(try fallsThrough.endpoint(for: .s3) == Self.moto)
    }

    @Test("an invalid service override is rejected naming its own variable", arguments: [
        (AWSService.s3, "AWS_ENDPOINT_URL_S3"), (.dynamoDB, "AWS_ENDPOINT_URL_DYNAMODB"),
    ])
    func invalidServiceOverride(_ service: AWSService, _ variable: String) {
        let resolver = EndpointResolver(region: "us-east-1", globalOverride: "http://127.0.0.1:5000", serviceOverrides: [service: "localhost:4566"])
        #expect(throws: EndpointResolver.InvalidOverride(variable: variable, value: "localhost:4566")) {
            try resolver.endpoint(for: service)
        }
    }

    @Test("an invalid global override is rejected naming AWS_ENDPOINT_URL, unless a service override hides it")
    func invalidGlobalOverride() throws {
        let resolver = EndpointResolver(region: "us-east-1", globalOverride: "moto:5000", serviceOverrides: [.s3: "http://localhost:4566"])
        #expect(throws: EndpointResolver.InvalidOverride(variable: "AWS_ENDPOINT_URL", value: "moto:5000")) {
            try resolver.endpoint(for: .dynamoDB)
        }
        #expect(try resolver.endpoint(for: .s3) == Self.localstack)
    }

    @Test("the override variables are named as the AWS SDKs read them", arguments: [
        (AWSService.dynamoDB, "AWS_ENDPOINT_URL_DYNAMODB", "dynamodb", "DynamoDB"), (.s3, "AWS_ENDPOINT_URL_S3", "s3", "S3"),
    ])
    func variableNames(_ service: AWSService, _ variable: String, _ signingName: String, _ displayName: String) {
        #expect(service.endpointVariable == variable)
        #expect(service.signingName == signingName)
        #expect(service.displayName == displayName)
    }
}
