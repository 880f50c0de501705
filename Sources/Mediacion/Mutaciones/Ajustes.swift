import Foundation
import SyncCore

/// DOMAIN.md §5: the Gerencia de Mediación y Convenios changes a plazo "after notifying the areas
/// and adjusting the system". The settings sync to devices like records; every deadline computed
/// afterwards (device and server alike) uses the new value. Closures already applied keep the
/// value they used.
public struct CambiarPlazo: MutacionMediacion {
    public static let name = "cambiarPlazo"
    public static let summary = "The Gerencia de Mediación y Convenios changes a deadline setting (plazo)."
    public static let allowedRoles: Set<String> = .roles(.mediacion)
    public static let worksOffline = false
    public static let ficha = Ficha(
        "G9 nota 2, G10, G14",
        precondiciones: ["the value is within the plazo's range", "the plazos stay coherent (closures after their windows)"],
        datos: ["plazo (a setting name)", "dias"]
    )

    public var plazo: NombrePlazo
    public var dias: Int

    public init(plazo: NombrePlazo, dias: Int) {
        self.plazo = plazo
        self.dias = dias
    }

    public func conflictTargets() -> [RecordKey] { [Plazos.key(Plazos.registroID)] }
    public static var conflictCollections: Set<String> { [Plazos.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        let anterior = try records.plazos()
        var plazos = anterior
        plazos[plazo] = dias
        if let incoherencia = plazos.incoherencia() { throw Rechazo.plazoInvalido(incoherencia) }
        let guardado = try records.read(Plazos.self, Plazos.registroID)
        guard plazos != anterior || guardado == nil else { return .applied }
        records.write(plazos)
        var nota = Anotacion()
        nota.detalle = ["plazo": plazo.rawValue, "anterior": String(anterior[plazo]), "nuevo": String(dias)]
        records.anotar(context, accion: Self.name, descripcion: Self.summary, nota)
        return .applied
    }
}
