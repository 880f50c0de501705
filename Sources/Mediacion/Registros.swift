import Foundation
import SyncCore

/// A domain record stored as one JSON document in a collection.
public protocol Registro: Codable, Sendable, Equatable {
    /// The collection name, e.g. `"cuentas"`.
    static var collection: String { get }
    /// The record's id within its collection.
    var id: String { get }
}

extension Registro {
    public static func key(_ id: String) -> RecordKey { RecordKey(collection, id) }
    public var key: RecordKey { Self.key(id) }

    /// The record as a JSON document.
    public var body: JSONObject {
        guard case .object(let object) = try! JSONValueEncoder().encode(self) else {
            preconditionFailure("records encode as objects")
        }
        return object
    }

    /// Decodes a stored document. A document that does not decode is a damaged store, not a
    /// user error.
    public init(body: JSONObject) throws(StoredRecordError) {
        do {
            self = try JSONValueDecoder().decode(Self.self, from: .object(body))
        } catch {
            throw StoredRecordError(collection: Self.collection, reason: error.description)
        }
    }
}

/// A stored record that does not have its type's shape.
public struct StoredRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    public var collection: String
    public var reason: String
    public var description: String { "damaged record in \(collection): \(reason)" }
}

extension RecordWriter {
    /// The record of type `T` with `id`, or `nil`.
    public func read<T: Registro>(_ type: T.Type, _ id: String) throws -> T? {
        guard let body = try record(T.key(id)) else { return nil }
        return try T(body: body)
    }

    /// Creates or replaces `record`, keeping the last-writer-wins stamps of its fields.
    public mutating func write<T: Registro>(_ record: T) {
        var body = record.body
        if let stamps = (try? self.record(record.key))??[FieldStamps.member] { body[FieldStamps.member] = stamps }
        put(record.key, body)
    }
}

/// An account (*cuenta / crédito*) labelled for mediation, loaded by operations.
public struct Cuenta: Registro {
    public static let collection = "cuentas"

    /// The credit number: ten digits, the account's key.
    public var numeroCredito: String
    /// The borrower's name. Personal data: never logged.
    public var acreditado: String
    public var delegacion: String
    /// The despacho / agency the account is assigned to.
    public var despacho: String
    /// Assignment date, a calendar date `YYYY-MM-DD` in Mexico City.
    public var fechaAsignacion: String
    public var segmento: Segmento
    public var etiqueta: Etiqueta
    public var tipoConvenio: TipoConvenio
    /// Breached mediation convenios so far; two exclude the credit for good.
    public var conveniosIncumplidos: Int
    /// User id of the asesor assigned to visit the account, when known.
    public var asesor: String?
    /// Current mediation round: 1 for the first mediation, 2 for a re-mediation.
    public var ronda: Int
    /// The exclusion criterion found for the credit (§6.1), if any: no new round may start.
    public var exclusion: CriterioExclusion?
    /// When the exclusion was recorded.
    public var fechaExclusion: Date?

    public var id: String { numeroCredito }

    public init(
        numeroCredito: String, acreditado: String, delegacion: String, despacho: String, fechaAsignacion: String,
        segmento: Segmento, etiqueta: Etiqueta, tipoConvenio: TipoConvenio, conveniosIncumplidos: Int = 0,
        asesor: String? = nil, ronda: Int = 1, exclusion: CriterioExclusion? = nil, fechaExclusion: Date? = nil
    ) {
        self.numeroCredito = numeroCredito
        self.acreditado = acreditado
        self.delegacion = delegacion
        self.despacho = despacho
        self.fechaAsignacion = fechaAsignacion
        self.segmento = segmento
        self.etiqueta = etiqueta
        self.tipoConvenio = tipoConvenio
        self.conveniosIncumplidos = conveniosIncumplidos
        self.asesor = asesor
        self.ronda = ronda
        self.exclusion = exclusion
        self.fechaExclusion = fechaExclusion
    }

    /// Id of the mediation case of the current round.
    public var casoActual: String { Caso.id(numeroCredito: numeroCredito, ronda: ronda) }
}

/// The borrower's contact data (G4). Recorded only after the privacy notice was shown. The three
/// data fields are last-writer-wins by hybrid clock (`FieldStamps`), so devices that edit the
/// same field offline converge whatever the order their changes arrive in.
public struct DatosContacto: Registro {
    public static let collection = "contactos"

    public var numeroCredito: String
    /// When the *aviso de privacidad* was first shown (the earliest recorded time counts).
    public var avisoPrivacidadMostrado: Date?
    public var telefonoFijo: String?
    public var telefonoCelular: String?
    public var correoElectronico: String?

    public var id: String { numeroCredito }

    public init(numeroCredito: String) {
        self.numeroCredito = numeroCredito
    }

    /// The last-writer-wins fields.
    public static let camposLWW = ["telefonoFijo", "telefonoCelular", "correoElectronico"]
}

