import Foundation
import GestionServer
import Mediacion
import SyncCore

/// Made-up data and a ready server store, shared by the test targets. No real people.
public enum Fixtures {
    /// PBKDF2 iterations for test users: fast, and only ever used in tests.
    public static let passwordIterations = 1000

    /// The test password of `user` (it must not contain the user name).
    public static func password(_ user: String) -> String { "Prueba-" + String(user.reversed()) + "-2026" }

    /// Credit number `n`: 1000000001, 1000000002...
    public static func credito(_ n: Int) -> String { String(1_000_000_000 + n) }

    /// Made-up account `n`.
    public static func cuenta(_ n: Int) -> Cuenta {
        Cuenta(
            numeroCredito: credito(n), acreditado: "Persona Ficticia \(n)", delegacion: "Delegación Ejemplo",
            despacho: "Agencia Ejemplo", fechaAsignacion: "2026-11-02", segmento: .cobranzaAdministrativa,
            etiqueta: .susceptibleDeMediacion, tipoConvenio: .administrativo
        )
    }

    /// The server's own author for imports.
    public static let sistema = MutationAuthor(userID: "sistema", role: Rol.operacion.rawValue, clientID: "server:gestion-server")

    /// A server store in `directory` with `users` and accounts 1...`accounts`.
    public static func store(in directory: URL, users: [String: Rol], accounts: Int, now: Date = Date()) throws -> SQLiteSyncStore {
        let store = try SQLiteSyncStore(directory: directory)
        for (user, role) in users.sorted(by: { $0.key < $1.key }) {
            try store.addUser(
                NewUser(
                    id: user, role: role.rawValue,
                    passwordHash: Authenticator.hashPassword(password(user), iterations: passwordIterations), createdAt: now,
                    unit: role == .agencia ? "Agencia Ejemplo" : role == .delegacion ? "Delegación Ejemplo" : nil
                )
            )
        }
        if accounts > 0 {
            let report = try store.applyServerMutations(
                try (1...accounts).map { n in
                    ServerMutation(name: ImportarCuenta.name, args: try JSONValueEncoder().encode(ImportarCuenta(cuenta: cuenta(n))).objectValue ?? [:])
                },
                author: sistema, registry: Mediacion.registry, at: now, atomically: true
            )
            precondition(report.committed, "the fixture accounts import")
        }
        return store
    }

    /// A new empty directory under the system's temporary directory.
    public static func temporaryDirectory(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gestionsync-\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
