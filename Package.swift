// swift-tools-version:6.0
import PackageDescription

// One package, two system libraries (libcurl, OpenSSL's libcrypto), no other dependencies.
// Imports go one way: HTTP → LambdaRuntime → AWSClient → OrderPipeline → bootstrap.
let package = Package(
    name: "order-pipeline",
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            path: "Sources/CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "JSON"),
        .target(name: "Hashing", dependencies: ["CCrypto"]),
        .target(name: "HTTP", dependencies: ["CCurl"]),
        .target(name: "LambdaRuntime", dependencies: ["HTTP", "JSON"]),
        .target(name: "AWSClient", dependencies: ["HTTP", "Hashing", "JSON", "LambdaRuntime"]),
        .target(name: "OrderPipeline", dependencies: ["AWSClient", "Hashing", "JSON", "LambdaRuntime"]),
        .executableTarget(name: "bootstrap", dependencies: ["OrderPipeline", "AWSClient", "LambdaRuntime", "HTTP", "JSON"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "JSON"]),
        .testTarget(name: "AWSClientTests", dependencies: ["AWSClient", "Hashing", "JSON"], exclude: ["Fixtures"]),
        .testTarget(name: "OrderPipelineTests", dependencies: ["OrderPipeline", "AWSClient", "JSON"]),
        // Runs the real bootstrap binary against the Runtime API emulator and moto (scripts/lib).
        .testTarget(name: "EndToEndTests", dependencies: ["HTTP", "JSON"]),
        // The packaged zip under chroot, scripts/package itself, and the SAM template.
        .testTarget(name: "PackagingTests"),
    ],
    swiftLanguageModes: [.v6]
)
