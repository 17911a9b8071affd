import Foundation
import Testing
import TestSupport

/// The README's Managed Instances snippet is valid SAM: applied to template.yaml's function, the SAM
/// transform accepts it and produces the capacity provider configuration Lambda expects.
@Suite("template.yaml with the README's Managed Instances snippet")
struct ManagedInstancesTemplateTests {
    static let startMarker = "<!-- managed-instances-snippet:start -->"
    static let endMarker = "<!-- managed-instances-snippet:end -->"

    /// The YAML between the README's markers, without its code fence.
    static func snippet() throws -> String {
        let readme = try String(contentsOf: Layout.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: startMarker), let end = readme.range(of: endMarker, range: start.upperBound..<readme.endIndex) else {
            throw TestSetupError("README.md has no \(startMarker) … \(endMarker) block")
        }
        let lines = readme[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("```") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("the snippet goes under OrderFunction's Properties and transforms to CapacityProviderConfig")
    func snippetTransforms() throws {
        let snippet = try Self.snippet()
        #expect(snippet.contains("CapacityProviderConfig:"), "\(snippet)")
        let template = try String(contentsOfFile: PackageLayout.template, encoding: .utf8)
        let anchor = "  OrderFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        guard let at = template.range(of: anchor) else { throw TestSetupError("template.yaml has no OrderFunction Properties block") }
        let applied = template.replacingCharacters(in: at, with: anchor + snippet)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mi-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("template.yaml").path
        try applied.write(toFile: path, atomically: true, encoding: .utf8)

        guard let python = PackageLayout.tool("python3") else { throw TestSetupError("python3 is not installed") }
        let run = try ChildProcess.run(python, [Layout.script("sam_transform.py"), path], timeout: .seconds(120))
        if run.status == 2 { throw TestSetupError("aws-sam-translator is not installed: scripts/test installs it\n\(run.standardError)") }
        #expect(run.status == 0, "the SAM transform refused the snippet:\n\(run.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        let function = ((json["Resources"] as? [String: Any])?["OrderFunction"] as? [String: Any])?["Properties"] as? [String: Any]
        let config = (function?["CapacityProviderConfig"] as? [String: Any])?["LambdaManagedInstancesCapacityProviderConfig"] as? [String: Any]
        #expect(config?["CapacityProviderArn"] as? String == "arn:aws:lambda:us-east-1:123456789012:capacity-provider:orders")
        #expect(config?["PerExecutionEnvironmentMaxConcurrency"] as? Int == 16)
        #expect(function?["Runtime"] as? String == "provided.al2023")
    }
}
