// swift-tools-version:6.0
import PackageDescription

// One package, two system libraries (libcurl, OpenSSL's libcrypto), no other dependencies.
// Imports go one way: JSON, Hashing, HTTP → Essentials (logging, clocks) → LambdaRuntime, AWSClient
// → OrderPipeline → bootstrap. AWSClient does not import LambdaRuntime.

// How libcurl and libcrypto are linked. Normally: the shared system libraries, found with pkg-config.
// scripts/package builds the Lambda binary with ORDER_PIPELINE_STATIC_LIBS naming a folder that
// scripts/lib/curl_static_libs.py filled: Debian's own libcurl.a, libssl.a, libcrypto.a and libz.a
// are then linked in statically, with stubs for libcurl's optional features this function never
// uses (LDAP, SSH, HTTP/2, …), so the zip carries no libcurl dependency tree and the loader maps
// four shared libraries at cold start instead of thirty-five.
let staticLibraries = Context.environment["ORDER_PIPELINE_STATIC_LIBS"].flatMap { $0.isEmpty ? nil : $0 }
let curlLinking: [LinkerSetting] = staticLibraries.map { folder in
    // Passed to the linker as files, in dependency order, so no shared library can win the search.
    let archives = ["libcurl.a", "libcurl-feature-stubs.a", "libssl.a", "libcrypto.a", "libz.a"]
    return [.unsafeFlags(archives.flatMap { ["-Xlinker", "\(folder)/\($0)"] })]
} ?? [.linkedLibrary("curl")]
let cryptoLinking: [LinkerSetting] = staticLibraries == nil ? [.linkedLibrary("crypto")] : []
// HTTP calls libssl itself (the shared trust store, Sources/HTTP/TrustStore.swift).
let sslLinking: [LinkerSetting] = staticLibraries == nil ? [.linkedLibrary("ssl"), .linkedLibrary("crypto")] : []

let package = Package(
    name: "order-pipeline",
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: staticLibraries == nil ? "libcurl" : nil,
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            path: "Sources/CCrypto",
            pkgConfig: staticLibraries == nil ? "libcrypto" : nil,
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "JSON"),
        .target(name: "Hashing", dependencies: ["CCrypto"], linkerSettings: cryptoLinking),
        .target(name: "HTTP", dependencies: ["CCurl"], linkerSettings: curlLinking + sslLinking),
        .target(name: "Essentials", dependencies: ["JSON"]),
        .target(name: "LambdaRuntime", dependencies: ["Essentials", "HTTP", "JSON"]),
        .target(name: "AWSClient", dependencies: ["Essentials", "HTTP", "Hashing", "JSON"]),
        .target(name: "OrderPipeline", dependencies: ["AWSClient", "Essentials", "Hashing", "JSON", "LambdaRuntime"]),
        .executableTarget(name: "bootstrap", dependencies: ["OrderPipeline", "AWSClient", "Essentials", "LambdaRuntime", "HTTP", "JSON"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON", "TransportDoubles"]),
        .testTarget(name: "TrustStoreTests", dependencies: ["HTTP"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "EssentialsTests", dependencies: ["Essentials", "JSON"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "Essentials", "HTTP", "JSON", "TransportDoubles"]),
        // The libcurl layer against a small HTTP/1.1 server the tests run on 127.0.0.1, and the
        // scripted transport held to the same contract.
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TransportDoubles"]),
        // A scripted HTTPTransport for the unit tests of the code above the transport seam.
        .target(name: "TransportDoubles", dependencies: ["HTTP"], path: "Tests/TransportDoubles"),
        .testTarget(name: "AWSClientTests", dependencies: ["AWSClient", "Essentials", "HTTP", "Hashing", "JSON", "TransportDoubles"], exclude: ["Fixtures"]),
        .testTarget(name: "OrderPipelineTests", dependencies: ["OrderPipeline", "AWSClient", "Essentials", "Hashing", "JSON", "LambdaRuntime", "TransportDoubles"]),
        // The harness both kinds of system test share: processes, the scripts/lib tools, HTTP, waits.
        .target(name: "TestSupport", dependencies: ["HTTP", "JSON"], path: "Tests/Support"),
        // Runs the real bootstrap binary against the Runtime API emulator and moto (scripts/lib).
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "HTTP", "JSON"]),
        // The packaged zip under chroot, scripts/package itself, and the SAM template.
        .testTarget(name: "PackagingTests", dependencies: ["TestSupport", "JSON"]),
    ],
    swiftLanguageModes: [.v6]
)
