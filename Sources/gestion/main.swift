import CommandLineSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// gestion: the device command line for mediators' laptops and scripts. Every command works on
// one replica file given with --replica.

let status: Int32
do {
    status = try await DeviceCommandLine.run(Array(CommandLine.arguments.dropFirst()))
} catch {
    status = exitStatus(for: error, tool: "gestion")
}
exit(status)
