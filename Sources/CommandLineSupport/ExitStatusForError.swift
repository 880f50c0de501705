/// The exit status for an error that ended a command, after telling the user on standard error:
/// 64 for usage errors (with a pointer to `--help`), 1 for everything else.
public func exitStatus(for error: any Error, tool: String) -> Int32 {
    if let usage = error as? UsageError {
        printError("Error: \(usage.message)")
        printError("Run '\(tool) --help' for usage.")
        return ExitStatus.usage
    }
    printError("Error: \(error)")
    return ExitStatus.failure
}
