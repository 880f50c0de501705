import CommandLineSupport
import Foundation
import GestionLogging
import GestionServer
import Mediacion
import SyncCore

#if canImport(Glibc)
    import Glibc
#endif

// gestion-server: the GestionSync server and its administration commands.
// Run bare, it serves on 127.0.0.1:8080 with its data in ./gestion-data.

let arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
do {
    status = try ServerCommandLine.run(arguments)
} catch {
    status = exitStatus(for: error, tool: "gestion-server")
}
exit(status)
