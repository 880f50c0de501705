import Foundation
import SyncCore

/// One entry of the history of a case: who did what, when, on which device (DOMAIN.md §3). Written
/// by every mutation that changes a case, by contact-data edits that overwrote or lost a
/// last-writer-wins value (the value is kept here), and by changes of the plazos. (Every write is
/// also attributed in the server's change log.) Id `<clientID>-<mutationID>` (plus a suffix for a
/// second entry of the same mutation, e.g. `-reapertura`), so the device and the server write the
/// same record for the same action.
public struct Historial: Registro {
    public static let collection = "historial"

    public var id: String
    public var casoId: String?
    public var numeroCredito: String?
    /// The mutation name (or `deshacerCierre` for an undone automatic closure).
    public var accion: String
    /// What the action is, for people.
    public var descripcion: String
    public var usuario: String
    public var rol: String
    /// The client id of the device.
    public var dispositivo: String
    public var mutacion: Int64
    /// When the action counts.
    public var ocurrido: Date
    /// The time the device reported, when the server judged it implausible (see `notaHora`).
    public var horaReportada: Date?
    /// Why the action counts from another time than the device reported.
    public var notaHora: String?
    public var estatusAnterior: EstatusCaso?
    public var estatusNuevo: EstatusCaso?
    /// Facts of the action worth keeping (no personal data except where the action is about it).
    public var detalle: [String: String]?
    /// Last-writer-wins fields this action overwrote: field → the value it replaced.
    public var valoresReemplazados: [String: String]?
    /// Last-writer-wins fields where this action lost to a later write: field → its losing value.
    public var valoresPerdidos: [String: String]?

    /// The id of the entry `context`'s mutation writes (`sufijo` for a second entry).
    public static func id(_ context: MutationContext, sufijo: String? = nil) -> String {
        "\(context.author.clientID)-\(context.mutationID)" + (sufijo.map { "-\($0)" } ?? "")
    }
}

/// What a mutation tells the history besides who, when and where.
struct Anotacion {
    var casoId: String?
    var numeroCredito: String?
    var estatusAnterior: EstatusCaso?
    var estatusNuevo: EstatusCaso?
    var detalle: [String: String] = [:]
    var reemplazados: [String: String] = [:]
    var perdidos: [String: String] = [:]
}

extension RecordWriter {
    /// Writes the history entry of `context`'s mutation `accion`.
    mutating func anotar(
        _ context: MutationContext, accion: String, descripcion: String, _ anotacion: Anotacion, sufijo: String? = nil
    ) {
        let entrada = Historial(
            id: Historial.id(context, sufijo: sufijo), casoId: anotacion.casoId, numeroCredito: anotacion.numeroCredito,
            accion: accion, descripcion: descripcion, usuario: context.author.userID, rol: context.author.role,
            dispositivo: context.author.clientID, mutacion: context.mutationID, ocurrido: context.occurredAt,
            horaReportada: context.timeNote == nil ? nil : context.reportedOccurredAt, notaHora: context.timeNote,
            estatusAnterior: anotacion.estatusAnterior, estatusNuevo: anotacion.estatusNuevo,
            detalle: anotacion.detalle.isEmpty ? nil : anotacion.detalle,
            valoresReemplazados: anotacion.reemplazados.isEmpty ? nil : anotacion.reemplazados,
            valoresPerdidos: anotacion.perdidos.isEmpty ? nil : anotacion.perdidos
        )
        write(entrada)
    }
}
