import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The README's five-minute walkthrough works when pasted, as written.
@Suite struct WalkthroughTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theReadmeWalkthroughRunsAsWritten() throws {
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let block = try #require(Self.walkthrough(in: readme))
        // The test has already built the products (maybe under another scratch path): it skips
        // the build line and puts the tested executables first on PATH instead.
        let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "swift build")
        #expect(lines.dropFirst().first?.hasPrefix("export PATH=") == true)
        let script = "set -euo pipefail\n" + lines.dropFirst(2).joined(separator: "\n") + "\n"

        let result = try runProcess(
            URL(fileURLWithPath: "/bin/bash"), ["-c", script],
            environment: [
                "PATH": Products.directory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "PORT": String(try Self.freePort()),
                "GESTION_PASSWORD_ITERATIONS": "",
            ],
            directory: Self.packageRoot
        )
        #expect(result.status == 0, "walkthrough failed:\n\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("No signal: the work stays queued."))
        #expect(result.stdout.contains("Pending:       4"), "the phone queued its four offline actions")
        #expect(result.stdout.contains("Sesión agendada"))
        #expect(result.stdout.hasSuffix("Both replicas agree.\n"))
    }

    /// The fenced block between the walkthrough markers.
    static func walkthrough(in readme: String) -> String? {
        guard let begin = readme.range(of: "<!-- walkthrough:begin -->"),
            let end = readme.range(of: "<!-- walkthrough:end -->", range: begin.upperBound..<readme.endIndex)
        else { return nil }
        let section = readme[begin.upperBound..<end.lowerBound]
        guard let open = section.range(of: "```bash\n"), let close = section.range(of: "\n```", options: .backwards) else {
            return nil
        }
        return String(section[open.upperBound..<close.lowerBound])
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw TestFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
