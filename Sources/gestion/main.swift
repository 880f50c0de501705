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
} catch let error as UsageError {
    printError("Error: \(error.message)")
    printError("Run 'gestion --help' for usage.")
    status = ExitStatus.usage
} catch {
    printError("Error: \(error)")
    status = ExitStatus.failure
}
exit(status)
