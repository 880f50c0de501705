import Foundation
import SyncCore

/// A signed convenio de mediación (G20). Id: the case's id (one convenio per round).
public struct Convenio: Registro {
    public static let collection = "convenios"

    public var id: String { casoId }
    public var casoId: String
    public var numeroCredito: String
    /// The session at whose end it was signed.
    public var sesionId: String
    public var tipo: TipoConvenio
    /// When it was signed (the time the mediator recorded it, at the end of the session).
    public var fechaFirma: Date
    /// The solution or product applied (as offered in the Módulo de Gestión).
    public var solucion: String
    /// The amount of the (single) first payment.
    public var montoPago: Double
    /// The last day the first payment counts.
    public var fechaLimitePrimerPago: FechaCivil
    /// The payment factor (*factor de pago*), needed by ALS.
    public var factorPago: Double
    public var firmadoPorAcreditado: Bool
    public var firmadoPorRepresentante: Bool
    public var firmadoPorMediador: Bool
    /// Originals signed: at least three (borrower, Infonavit, mediator).
    public var originales: Int
    /// Whether the borrower signed the receipt of an original.
    public var acuseRecibo: Bool
    public var mediador: String
    /// Key of the representative who signed.
    public var representante: String
}

/// A mediator of the agency (G5): the app licence number traces each account to its mediator.
/// Id: the mediator's user id.
public struct Mediador: Registro {
    public static let collection = "mediadores"

    public var id: String { usuario }
    /// The mediator's user id in Gestión Móvil.
    public var usuario: String
    /// Personal data: never logged.
    public var nombre: String
    /// The Gestión Móvil app licence assigned to the mediator (unique).
    public var numeroLicencia: String
    /// Whether it holds a certificate of a CJA or equivalent authority (needed for *Ratificado*).
    public var certificado: Bool
    public var numeroCertificado: String?
    /// Whether it is a notario público who provides mediation (needed for *Notarial*).
    public var notario: Bool
    /// User id of the agency user who registered it.
    public var agencia: String
    public var registrado: Date
}

/// The index that keeps app licence numbers unique: id the licence number.
public struct Licencia: Registro {
    public static let collection = "licencias"

    public var id: String { numeroLicencia }
    public var numeroLicencia: String
    public var mediador: String
}

/// An Infonavit representative for the sessions (G7). Id: a key the agency chooses.
public struct Representante: Registro {
    public static let collection = "representantes"

    public var id: String { clave }
    public var clave: String
    /// Personal data: never logged.
    public var nombre: String
    public var telefono: String?
    public var correoElectronico: String?
    /// Whether it holds legal representation powers: required except for *Administrativo* convenios.
    public var poderesLegales: Bool
    /// The instrument granting the powers (e.g. a notarial deed number).
    public var instrumentoPoderes: String?
    public var agencia: String
    public var registrado: Date
}

/// The documents of a case's expediente (G28–G30). Id: the case's id.
public struct Expediente: Registro {
    public static let collection = "expedientes"

    public var id: String { casoId }
    public var casoId: String
    public var numeroCredito: String
    /// Which checklist applies: with a signed convenio, or without.
    public var conConvenioFirmado: Bool
    public var documentos: [DocumentoExpediente]
    /// Each delivery to the DR (the first, then each answer to a clarification).
    public var entregas: [Date]
    public var aclaraciones: [AclaracionExpediente]
    public var aceptado: Date?
    public var digitalizado: Date?
}

/// A clarification the DR asked for (G30) and its answer.
public struct AclaracionExpediente: Codable, Sendable, Equatable {
    public var motivo: String
    public var solicitada: Date
    public var respondida: Date?
}

/// A proposal to mediate a credit that was not labelled (Anexo 1 A). Id: the credit number.
public struct Propuesta: Registro {
    public static let collection = "propuestas"

    public var id: String { numeroCredito }
    public var numeroCredito: String
    public var delegacion: String
    public var solicitante: Solicitante
    public var estado: EstadoPropuesta
    public var presentada: Date
    public var presentadaPor: String
    public var revisada: Date?
    public var revisadaPor: String?
    /// Why it is not susceptible (A3).
    public var criterioExclusion: CriterioExclusion?
}
