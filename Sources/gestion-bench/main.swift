import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// gestion-bench: the benchmark suite of issue 7 (see BENCHMARKS.md). Not part of the tests.
signal(SIGPIPE, SIG_IGN)

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "child-initial-sync" {
    exit(await ChildMode.initialSync(Array(arguments.dropFirst())))
}
let options: BenchOptions
do {
    options = try BenchOptions.parse(arguments)
} catch {
    FileHandle.standardError.write(Data("gestion-bench: \(error)\n\n\(BenchOptions.help)\n".utf8))
    exit(64)
}
if options.help {
    print(BenchOptions.help)
    exit(0)
}
do {
    let bench = try Bench(options: options)
    await bench.run()
    exit(0)
} catch {
    FileHandle.standardError.write(Data("gestion-bench: \(error)\n".utf8))
    exit(1)
}
