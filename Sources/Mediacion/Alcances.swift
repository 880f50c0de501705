import Foundation
import SyncCore

/// Who sees what (DOMAIN.md §2): everything about one account — the account, its contact data,
/// its cases, sessions, convenio, expediente, history and conflicts — forms one partition, seen by
/// the asesor assigned to the account (every asesor while none is), the mediator its current case
/// is distributed to, its delegación and its despacho (the agency). Operations, the Gerencia de
/// Mediación y Convenios and administrators see everything.
public enum Alcances {
    public static let politica = ReplicationPolicy(
        partition: { key, body in particion(key, body) },
        definesAudience: { $0 == Cuenta.collection || $0 == Caso.collection },
        audience: { particion, records in try audiencia(particion, records) },
        userTags: { etiquetas($0) },
        isVisibleOutsidePartitions: { coleccion, rol in visibleFueraDeParticion(coleccion, rol) }
    )

    /// The account a record belongs to, or `nil` for the registries and the settings.
    static func particion(_ key: RecordKey, _ body: JSONObject) -> String? {
        switch key.collection {
        case Cuenta.collection, DatosContacto.collection, Propuesta.collection:
            return key.id
        case Caso.collection, Sesion.collection, Convenio.collection, Expediente.collection:
            return key.id.split(separator: "-").first.map(String.init)
        case Historial.collection:
            return body["numeroCredito"]?.stringValue
        case ConflictRecord.collection:
            return body["targets"]?[0]?.stringValue.flatMap(ConflictRecord.key(fromTarget:)).flatMap { particion($0, [:]) }
        default:
            return nil
        }
    }

    /// The tags that see an account's partition, from the account and its current case.
    static func audiencia(_ credito: String, _ records: any RecordReading) throws -> Set<String> {
        guard let body = try records.record(Cuenta.key(credito)) else { return [] }
        let cuenta = try Cuenta(body: body)
        var tags: Set<String> = [
            "delegacion:\(cuenta.delegacion)", "despacho:\(cuenta.despacho)", "asesor:\(cuenta.asesor ?? "*")",
        ]
        if let caso = try records.record(Caso.key(cuenta.casoActual)), let mediador = caso["mediador"]?.stringValue {
            tags.insert("mediador:\(mediador)")
        }
        return tags
    }

    /// The tags of a user: what partitions it sees.
    static func etiquetas(_ usuario: UserProfile) -> Set<String> {
        switch Rol(rawValue: usuario.role) {
        case .asesor: ["asesor:\(usuario.id)", "asesor:*"]
        case .mediador: ["mediador:\(usuario.id)"]
        case .delegacion: usuario.unit.map { ["delegacion:\($0)"] } ?? []
        case .agencia: usuario.unit.map { ["despacho:\($0)"] } ?? []
        case .operacion, .mediacion: [ReplicationPolicy.everything]
        case nil: usuario.role == "admin" ? [ReplicationPolicy.everything] : []
        }
    }

    /// Registries and settings: the settings reach every device; the registries of mediators and
    /// representatives everyone but the asesores.
    static func visibleFueraDeParticion(_ coleccion: String, _ rol: String) -> Bool {
        switch coleccion {
        case Plazos.collection: true
        case Mediador.collection, Licencia.collection, Representante.collection: rol != Rol.asesor.rawValue
        case ConflictRecord.collection: rol == Rol.agencia.rawValue || rol == Rol.mediacion.rawValue
        default: false
        }
    }

    /// Roles whose users belong to an organisation unit, and which unit it is.
    public static func unidadRequerida(_ rol: String) -> String? {
        switch Rol(rawValue: rol) {
        case .delegacion: "the delegación, as the monthly assignment writes it"
        case .agencia: "the despacho (agency), as the monthly assignment writes it"
        default: nil
        }
    }
}
