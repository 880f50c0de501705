import Foundation
import SyncCore

/// G4: the privacy notice (*aviso de privacidad*) was shown to the borrower. Contact data may be
/// recorded from then on. The first time counts.
public struct RegistrarAvisoPrivacidad: Mutation {
    public static let name = "registrarAvisoPrivacidad"
    public static let summary = "The aviso de privacidad was shown to the borrower (G4)."
    public static let allowedRoles: Set<String> = .roles(.asesor, .mediador)
    public static let worksOffline = true

    public var numeroCredito: String

    public init(numeroCredito: String) {
        self.numeroCredito = numeroCredito
    }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        _ = try records.cuenta(numeroCredito)
        var contacto = try records.read(DatosContacto.self, numeroCredito) ?? DatosContacto(numeroCredito: numeroCredito)
        if contacto.avisoPrivacidadMostrado == nil {
            contacto.avisoPrivacidadMostrado = context.occurredAt
            records.write(contacto)
        }
        return .applied
    }
}

/// G4: the borrower's landline, mobile and e-mail. Only after the privacy notice was shown.
/// Fields left out keep their value.
public struct RegistrarDatosContacto: Mutation {
    public static let name = "registrarDatosContacto"
    public static let summary = "Record or correct the borrower's contact data, after the aviso de privacidad (G4)."
    public static let allowedRoles: Set<String> = .roles(.asesor, .mediador)
    public static let worksOffline = true

    public var numeroCredito: String
    public var telefonoFijo: String?
    public var telefonoCelular: String?
    public var correoElectronico: String?

    public init(
        numeroCredito: String, telefonoFijo: String? = nil, telefonoCelular: String? = nil,
        correoElectronico: String? = nil
    ) {
        self.numeroCredito = numeroCredito
        self.telefonoFijo = telefonoFijo
        self.telefonoCelular = telefonoCelular
        self.correoElectronico = correoElectronico
    }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        _ = try records.cuenta(numeroCredito)
        guard telefonoFijo != nil || telefonoCelular != nil || correoElectronico != nil else {
            throw Rechazo.sinDatosDeContacto()
        }
        guard let anterior = try records.read(DatosContacto.self, numeroCredito), anterior.avisoPrivacidadMostrado != nil else {
            throw Rechazo.avisoPrivacidadPendiente()
        }
        var contacto = anterior
        if let telefonoFijo { contacto.telefonoFijo = try Formato.telefono("telefonoFijo", telefonoFijo) }
        if let telefonoCelular { contacto.telefonoCelular = try Formato.telefono("telefonoCelular", telefonoCelular) }
        if let correoElectronico { contacto.correoElectronico = try Formato.correo(correoElectronico) }
        if contacto != anterior { records.write(contacto) }
        return .applied
    }
}
