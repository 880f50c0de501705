// swift-tools-version:6.0
//
// GestionSync: the offline-first sync engine under Gestión Móvil.
//
// The module graph is the architecture (see docs/architecture.md):
//
//   field-device library (Foundation + SQLite only, portable to Apple platforms)
//     GestionLogging ─┐
//     GestionSQLite ──┤ (the only importer of CSQLite)
//     SyncCore ───────┼──► GestionProtocol ──► GestionClient
//     Mediacion ──────┘   (domain: records, workflow, mutations; no I/O)
//
//   server side (may use Glibc, sockets, threads)
//     GestionCrypto, GestionHTTP ──► GestionServer
//
//   executables: gestion-server (server + admin), gestion (device CLI)
//
//   test tooling: GestionSimulation (server and replicas against a simulated network and clock,
//   driven by one seed) and its command gestion-sim (docs/reliability.md); GestionLoad and
//   gestion-load: many devices against the real server process on loopback (reliability.md §8);
//   gestion-bench: each scenario beside its physical baseline (BENCHMARKS.md)
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "GestionSync",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "GestionClient", targets: ["GestionClient"]),
        .library(name: "Mediacion", targets: ["Mediacion"]),
        .executable(name: "gestion-server", targets: ["gestion-server"]),
        .executable(name: "gestion", targets: ["gestion"]),
        .executable(name: "gestion-sim", targets: ["gestion-sim"]),
        .executable(name: "gestion-load", targets: ["gestion-load"]),
        .executable(name: "gestion-bench", targets: ["gestion-bench"]),
    ],
    targets: [
        // MARK: System library
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),

        // MARK: Field-device library
        .target(name: "GestionLogging", swiftSettings: strictSwift),
        .target(name: "GestionSQLite", dependencies: ["CSQLite"], swiftSettings: strictSwift),
        .target(name: "SyncCore", swiftSettings: strictSwift),
        .target(name: "GestionProtocol", dependencies: ["SyncCore"], swiftSettings: strictSwift),
        .target(name: "Mediacion", dependencies: ["SyncCore"], swiftSettings: strictSwift),
        .target(
            name: "GestionClient",
            dependencies: ["SyncCore", "GestionProtocol", "GestionSQLite", "GestionLogging"],
            swiftSettings: strictSwift
        ),

        // MARK: Server side
        .target(
            name: "GestionCrypto",
            // Password hashing runs 600,000 HMAC iterations: keep it optimised in debug builds too,
            // so that `swift run gestion-server` logs people in within a second.
            swiftSettings: strictSwift + [.unsafeFlags(["-O"])]
        ),
        .target(name: "GestionHTTP", dependencies: ["GestionLogging"], swiftSettings: strictSwift),
        .target(name: "GestionXLSX", swiftSettings: strictSwift),
        .target(
            name: "GestionServer",
            dependencies: [
                "SyncCore", "GestionProtocol", "GestionSQLite", "GestionCrypto", "GestionHTTP",
                "GestionLogging",
            ],
            swiftSettings: strictSwift
        ),

        // MARK: Test support (never in a product)
        // A fault-injecting SQLite VFS ("faulty") for crash-safety tests of the replica and the store.
        .target(name: "GestionSQLiteFaults", dependencies: ["CSQLite"], swiftSettings: strictSwift),

        // MARK: Executables
        .target(name: "CommandLineSupport", swiftSettings: strictSwift),
        .executableTarget(
            name: "gestion-server",
            dependencies: [
                "GestionServer", "Mediacion", "CommandLineSupport", "GestionLogging", "SyncCore",
                "GestionProtocol", "GestionXLSX",
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "gestion",
            dependencies: [
                "GestionClient", "Mediacion", "CommandLineSupport", "GestionLogging", "SyncCore",
                "GestionProtocol",
            ],
            swiftSettings: strictSwift
        ),

        // MARK: Deterministic simulation (test tooling, not shipped to devices)
        .target(
            name: "GestionSimulation",
            dependencies: [
                "GestionServer", "GestionClient", "Mediacion", "SyncCore", "GestionProtocol", "GestionSQLite", "GestionLogging",
                "GestionHTTP", "GestionCrypto",
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(name: "gestion-sim", dependencies: ["GestionSimulation"], swiftSettings: strictSwift),

        // MARK: Load (test tooling): many devices against the real server process (docs/reliability.md §8)
        .target(
            name: "GestionLoad",
            dependencies: ["GestionSimulation", "GestionClient", "GestionProtocol", "GestionSQLite", "Mediacion", "SyncCore"],
            swiftSettings: strictSwift
        ),
        .executableTarget(name: "gestion-load", dependencies: ["GestionLoad", "CommandLineSupport"], swiftSettings: strictSwift),

        // MARK: Benchmarks (BENCHMARKS.md; not part of the tests). Plain SQLite through CSQLite is
        // its baseline, so it imports the C library directly.
        .executableTarget(
            name: "gestion-bench",
            dependencies: ["GestionClient", "GestionProtocol", "SyncCore", "Mediacion", "CSQLite"],
            swiftSettings: strictSwift
        ),

        // MARK: Tests
        .target(
            name: "TestFixtures", dependencies: ["GestionServer", "Mediacion", "SyncCore", "GestionHTTP"], path: "Tests/TestFixtures"
        ),
        .testTarget(name: "GestionSQLiteTests", dependencies: ["GestionSQLite"]),
        .testTarget(name: "GestionCryptoTests", dependencies: ["GestionCrypto"]),
        .testTarget(name: "GestionHTTPTests", dependencies: ["GestionHTTP", "GestionLogging", "TestFixtures"]),
        .testTarget(name: "GestionXLSXTests", dependencies: ["GestionXLSX"]),
        .testTarget(name: "CommandLineSupportTests", dependencies: ["CommandLineSupport"]),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore", "GestionProtocol"]),
        .testTarget(name: "MediacionTests", dependencies: ["Mediacion", "SyncCore"]),
        .testTarget(
            name: "GestionServerTests",
            dependencies: [
                "GestionServer", "Mediacion", "SyncCore", "GestionProtocol", "GestionLogging", "GestionHTTP", "GestionSQLite",
                "TestFixtures",
            ]
        ),
        .testTarget(
            name: "GestionClientTests",
            dependencies: [
                "GestionClient", "Mediacion", "SyncCore", "GestionProtocol", "GestionSQLite", "GestionServer", "GestionHTTP",
                "GestionLogging", "TestFixtures",
            ]
        ),
        .testTarget(
            name: "CrashSafetyTests",
            dependencies: [
                "GestionSQLiteFaults", "GestionSQLite", "GestionClient", "GestionServer", "GestionProtocol", "GestionHTTP",
                "GestionLogging", "Mediacion", "SyncCore", "TestFixtures",
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "GestionClient", "GestionServer", "Mediacion", "SyncCore", "GestionProtocol",
                "GestionSQLite", "GestionHTTP", "TestFixtures", "gestion-server", "gestion", "GestionLoad",
                "gestion-load",
            ]
        ),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["GestionSimulation", "GestionServer", "GestionClient", "GestionProtocol", "Mediacion", "SyncCore", "gestion-sim"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
