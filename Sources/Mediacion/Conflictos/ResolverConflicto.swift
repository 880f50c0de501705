import Foundation
import SyncCore

/// A person resolves a conflict of the review queue: keeps the action in place, applies the held
/// one instead, or sets the values of the disputed record. The agency and the Gerencia de
/// Mediación y Convenios may (DOMAIN.md §2).
public struct ResolverConflicto: MutacionMediacion {
    public static let name = "resolverConflicto"
    public static let summary = "Resolve a conflict of the review queue: keep, replace or merge, with a reason."
    public static let allowedRoles: Set<String> = .roles(.agencia, .mediacion)
    public static let worksOffline = true
    public static let ficha = Ficha(
        "Review queue",
        precondiciones: ["the conflict is open", "a reason of a few words"],
        datos: ["conflicto (the conflict's id)", "eleccion: keep, replace or merge", "motivo", "fusion (for merge: the values)"]
    )

    public var conflicto: String
    public var eleccion: ConflictChoice
    public var motivo: String
    public var fusion: JSONObject?

    public init(conflicto: String, eleccion: ConflictChoice, motivo: String, fusion: JSONObject? = nil) {
        self.conflicto = conflicto
        self.eleccion = eleccion
        self.motivo = motivo
        self.fusion = fusion
    }

    public func conflictTargets() -> [RecordKey] { [RecordKey(ConflictRecord.collection, conflicto)] }
    public static var conflictCollections: Set<String> { [ConflictRecord.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        try ConflictResolver.resolve(
            id: conflicto, choice: eleccion, reason: motivo, merge: fusion, context: context, records: &records,
            registry: Mediacion.registry, validate: Self.validar, preserve: { $0.collection == Historial.collection }
        )
    }

    /// A merged record must still be a valid record of its kind.
    static func validar(_ key: RecordKey, _ body: JSONObject) throws {
        do {
            switch key.collection {
            case Caso.collection: _ = try Caso(body: body)
            case DatosContacto.collection: _ = try DatosContacto(body: body)
            case Cuenta.collection: _ = try Cuenta(body: body)
            default:
                throw MutationRejection(
                    code: "merge_not_supported", message: "Records of this kind cannot be merged by hand; keep or replace."
                )
            }
        } catch let error as StoredRecordError {
            throw MutationRejection(code: "merge_invalid", message: "The merged values are not valid: \(error.reason).")
        }
    }
}
