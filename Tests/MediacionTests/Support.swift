import Foundation
import SyncCore

@testable import Mediacion

/// An in-memory record store that runs mutations like the replica and the server do.
struct MemoryStore: RecordReading {
    var records: [RecordKey: JSONObject] = [:]

    func record(_ key: RecordKey) throws -> JSONObject? { records[key] }

    /// Runs `mutation` as `role`; on success, keeps its changes.
    @discardableResult
    mutating func run(
        _ mutation: some Mutation, as role: Rol, user: String = "u-1", at occurredAt: Date = Fixture.now
    ) throws -> [RecordChange] {
        let arguments = try JSONValueEncoder().encode(mutation).objectValue!
        return try run(name: type(of: mutation).name, arguments: arguments, as: role, user: user, at: occurredAt)
    }

    @discardableResult
    mutating func run(
        name: String, arguments: JSONObject, as role: Rol, user: String = "u-1", at occurredAt: Date = Fixture.now
    ) throws -> [RecordChange] {
        var writer = RecordWriter(base: self)
        let context = MutationContext(
            author: MutationAuthor(userID: user, role: role.rawValue, clientID: "device-1"), mutationID: 1,
            occurredAt: occurredAt, hlc: HybridTimestamp(millis: Int64(occurredAt.timeIntervalSince1970 * 1000)),
            now: occurredAt, authority: .server
        )
        _ = try Mediacion.registry.apply(name: name, arguments: arguments, context: context, to: &writer)
        for change in writer.changes { records[change.key] = change.body }
        return writer.changes
    }

    func read<T: Registro>(_ type: T.Type, _ id: String) throws -> T? {
        guard let body = records[T.key(id)] else { return nil }
        return try T(body: body)
    }
}

enum Fixture {
    /// 2026-11-27 10:00 in Mexico City.
    static let now = RFC3339.date(from: "2026-11-27T10:00:00-06:00")!
    static let credito = "1000000001"

    static func cuenta(_ numero: String = credito) -> Cuenta {
        Cuenta(
            numeroCredito: numero, acreditado: "Persona Ficticia Uno", delegacion: "Delegación Ficticia Norte",
            despacho: "Agencia Ejemplo", fechaAsignacion: "2026-11-02", segmento: .cobranzaAdministrativa,
            etiqueta: .susceptibleDeMediacion, tipoConvenio: .administrativo
        )
    }

    static func storeWithAccount() throws -> MemoryStore {
        var store = MemoryStore()
        try store.run(ImportarCuenta(cuenta: cuenta()), as: .operacion)
        return store
    }
}
