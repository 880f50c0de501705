import Foundation

import SyncCore

/// Every refusal of the mediation rules, with its stable code and a message a field supervisor
/// understands. Messages never carry personal data (names, phones, e-mails).
public enum Rechazo {
    public static func cuentaNoExiste() -> MutationRejection {
        MutationRejection(
            code: "cuenta_no_existe",
            message: "The account is not in Gestión Móvil: check the credit number or wait for the monthly assignment."
        )
    }

    public static func yaRegistrado(_ estatus: EstatusCaso) -> MutationRejection {
        MutationRejection(
            code: "respuesta_ya_registrada",
            message: "The borrower's answer for this round is already recorded (status “\(estatus.rawValue)”)."
        )
    }

    public static func casoNoExiste() -> MutationRejection {
        MutationRejection(
            code: "caso_no_existe",
            message: "The borrower's answer to mediation is not recorded for this account's round, so there is no case to act on."
        )
    }

    public static func estatusNoPermite(_ estatus: EstatusCaso, accion: String) -> MutationRejection {
        MutationRejection(
            code: "estatus_no_permite",
            message: "A case with status “\(estatus.rawValue)” does not allow \(accion)."
        )
    }

    public static func avisoPrivacidadPendiente() -> MutationRejection {
        MutationRejection(
            code: "aviso_privacidad_pendiente",
            message: "Contact data may only be recorded after the aviso de privacidad was shown to the borrower."
        )
    }

    public static func datoInvalido(_ campo: String, _ explicacion: String) -> MutationRejection {
        MutationRejection(code: "dato_invalido", message: "\(campo): \(explicacion).")
    }

    public static func sinDatosDeContacto() -> MutationRejection {
        MutationRejection(
            code: "dato_invalido",
            message: "Give at least one of telefonoFijo, telefonoCelular or correoElectronico."
        )
    }

    public static func sesionYaAgendada() -> MutationRejection {
        MutationRejection(
            code: "sesion_ya_agendada",
            message: "A session is already scheduled for this case."
        )
    }

    public static func fechaFueraDePlazo(dias: Int, limite: FechaCivil) -> MutationRejection {
        MutationRejection(
            code: "fecha_fuera_de_plazo",
            message: "The session must take place within \(dias) calendar days of the acceptance of mediation "
                + "(the acceptance date is day 1): by \(limite)."
        )
    }

    public static func fechaEnElPasado() -> MutationRejection {
        MutationRejection(
            code: "fecha_en_el_pasado",
            message: "The session date is before the day it was recorded."
        )
    }


    public static func rondaNoVigente(pedida: Int, actual: Int) -> MutationRejection {
        MutationRejection(
            code: "ronda_no_vigente",
            message: "This action is for mediation round \(pedida), but the account is in round \(actual)"
                + (actual > pedida ? " (re-mediation): refresh the account and record it for the current round." : ".")
        )
    }

    public static func cuentaExcluida(_ criterio: CriterioExclusion) -> MutationRejection {
        MutationRejection(
            code: "cuenta_excluida",
            message: "The credit was excluded from mediation (“\(criterio.rawValue)”): no mediation round may start or continue."
        )
    }

    public static func creditoExcluidoPorIncumplimientos() -> MutationRejection {
        MutationRejection(
            code: "credito_excluido",
            message: "A credit with two breached mediation convenios is excluded from mediation for good "
                + "(“\(CriterioExclusion.dosConveniosIncumplidos.rawValue)”)."
        )
    }

    public static func mediadorNoAsignado() -> MutationRejection {
        MutationRejection(
            code: "mediador_no_asignado",
            message: "Only the mediator the agency distributed this case to may act on it (G5–G6)."
        )
    }

    public static func mediadorNoRegistrado() -> MutationRejection {
        MutationRejection(
            code: "mediador_no_registrado",
            message: "The mediator is not in the agency's registry with an app licence number (G5): register it first."
        )
    }

    public static func licenciaDuplicada() -> MutationRejection {
        MutationRejection(
            code: "licencia_duplicada",
            message: "That app licence number is already assigned to another mediator: each licence traces to one mediator (G5)."
        )
    }

    public static func representanteNoRegistrado() -> MutationRejection {
        MutationRejection(
            code: "representante_no_registrado",
            message: "The representative is not registered by the agency (G7): register it first."
        )
    }

    public static func representanteSinPoderes(_ tipo: TipoConvenio) -> MutationRejection {
        MutationRejection(
            code: "representante_sin_poderes",
            message: "A “\(tipo.rawValue)” convenio needs an Infonavit representative with legal representation powers; "
                + "only “Administrativo” convenios may do without (G7)."
        )
    }

    public static func representanteNoDesignado() -> MutationRejection {
        MutationRejection(
            code: "representante_no_designado",
            message: "No Infonavit representative is designated for this case: the agency designates one before the convenio "
                + "is signed (G7, guideline 6)."
        )
    }

    public static func mediadorNoCertificado() -> MutationRejection {
        MutationRejection(
            code: "mediador_no_certificado",
            message: "A “Ratificado” convenio needs a mediator certified by a CJA or equivalent authority (§6.2)."
        )
    }

    public static func mediadorNoNotario() -> MutationRejection {
        MutationRejection(
            code: "mediador_no_notario",
            message: "A “Notarial” convenio is celebrated by a notario público who provides mediation (§6.2)."
        )
    }

    public static func tipoConvenioDistinto(esperado: TipoConvenio) -> MutationRejection {
        MutationRejection(
            code: "tipo_convenio_distinto",
            message: "The convenio type decided at assignment for this account is “\(esperado.rawValue)” (guideline 2)."
        )
    }

    public static func convenioIncompleto(_ faltan: [String]) -> MutationRejection {
        MutationRejection(
            code: "convenio_incompleto",
            message: "A signed convenio needs its type (\(TipoConvenio.catalogueList)) and the solution applied (G20); "
                + "missing: \(faltan.joined(separator: ", "))."
        )
    }

    public static func firmasIncompletas(_ faltan: [String]) -> MutationRejection {
        MutationRejection(
            code: "firmas_incompletas",
            message: "The convenio must be signed by the borrower, the Infonavit representative and the mediator "
                + "(guideline 6); missing: \(faltan.joined(separator: ", "))."
        )
    }

    public static func originalesInsuficientes() -> MutationRejection {
        MutationRejection(
            code: "originales_insuficientes",
            message: "The convenio is signed in at least three originals (G20)."
        )
    }

    public static func reagendaUnica() -> MutationRejection {
        MutationRejection(
            code: "reagenda_unica",
            message: "The session was already rescheduled once; it may be rescheduled only once (G14)."
        )
    }

    public static func antesDePlazo(_ accion: String, primerDia: Int, dia: Int) -> MutationRejection {
        MutationRejection(
            code: "antes_de_plazo",
            message: "\(accion) is recorded from day \(primerDia) after the acceptance on (G9: the mediator keeps trying to "
                + "schedule until then); this action counts on day \(dia)."
        )
    }

    public static func fueraDePlazo(_ accion: String, ultimoDia: Int, dia: Int) -> MutationRejection {
        MutationRejection(
            code: "fuera_de_plazo",
            message: "\(accion) must be recorded by day \(ultimoDia) after the acceptance; this action counts on day \(dia)."
        )
    }

    public static func sesionAunNoOcurre() -> MutationRejection {
        MutationRejection(
            code: "sesion_aun_no_ocurre",
            message: "The session's date has not come yet: its outcome is recorded on or after that day."
        )
    }

    public static func verificacionIncompleta(_ faltan: [String]) -> MutationRejection {
        MutationRejection(
            code: "verificacion_incompleta",
            message: "A session held must cover the safeguards of guideline 5; missing: \(faltan.joined(separator: "; "))."
        )
    }

    public static func cierrePrematuro(_ regla: ReglaCierre, dia: Int, fechaCierre: FechaCivil, hoy: Int) -> MutationRejection {
        MutationRejection(
            code: "cierre_prematuro",
            message: "The automatic closure “\(regla.rawValue)” applies from day \(dia) after the acceptance "
                + "(\(fechaCierre)); today is day \(hoy)."
        )
    }

    public static func cerradoAutomaticamente(_ cierre: CierreAutomatico, evento: EventoCaso, dia: Int, fecha: FechaCivil)
        -> MutationRejection
    {
        let porque =
            switch cierre.regla {
            case .sinRegistro: "no session was scheduled and no “Sesión no agendada” was recorded"
            case .sinSesion: "no session was held and no new date was recorded"
            }
        return MutationRejection(
            code: "caso_cerrado_automaticamente",
            message: "The case was closed automatically on day \(cierre.dia) after the acceptance because \(porque) by "
                + "\(cierre.ultimoDiaPermitido). This action (\(evento.accion)) counts on \(fecha) (day \(dia)), "
                + "which does not undo the closure: only an action allowed before the closure and done by "
                + "\(cierre.ultimoDiaPermitido) does."
        )
    }

    public static func soloTipos(_ tipos: [TipoConvenio], accion: String) -> MutationRejection {
        MutationRejection(
            code: "no_aplica_al_tipo_de_convenio",
            message: "\(accion) applies only to \(tipos.map { "“\($0.rawValue)”" }.joined(separator: " and ")) convenios."
        )
    }

    public static func inscripcionCJAPendiente() -> MutationRejection {
        MutationRejection(
            code: "inscripcion_cja_pendiente",
            message: "A “Ratificado” convenio is inscribed at the CJA (G27) before its expediente is delivered."
        )
    }

    public static func yaRegistrada(_ que: String) -> MutationRejection {
        MutationRejection(code: "ya_registrado", message: "\(que) is already recorded for this case.")
    }

    public static func documentosFaltantes(_ faltan: [DocumentoExpediente]) -> MutationRejection {
        MutationRejection(
            code: "documentos_faltantes",
            message: "The expediente lacks: " + faltan.map { "“\($0.rawValue)”" }.joined(separator: "; ") + " (G28)."
        )
    }

    public static func sinSesionCelebrada() -> MutationRejection {
        MutationRejection(
            code: "sin_sesion_celebrada",
            message: "No session was held in this case, so there is no expediente of the service to deliver (G28)."
        )
    }

    public static func derechosPendientes() -> MutationRejection {
        MutationRejection(
            code: "derechos_pendientes",
            message: "The CJA or notary fees are validated (G31) before the expediente is digitized for the ANEC."
        )
    }

    public static func primerPagoFueraDePlazo(_ limite: FechaCivil) -> MutationRejection {
        MutationRejection(
            code: "primer_pago_fuera_de_plazo",
            message: "The first payment counts only by the convenio's deadline (\(limite)); a later payment does not put "
                + "the convenio in force: record the breach instead."
        )
    }

    public static func primerPagoIncompleto() -> MutationRejection {
        MutationRejection(
            code: "primer_pago_incompleto",
            message: "The first payment is a single payment of the full amount set in the convenio (G20)."
        )
    }

    public static func sinSolicitud() -> MutationRejection {
        MutationRejection(
            code: "sin_solicitud",
            message: "The mediator has not requested the preliminary convenios for this case (G12)."
        )
    }

    public static func propuestaNoExiste() -> MutationRejection {
        MutationRejection(code: "propuesta_no_existe", message: "There is no mediation proposal for this credit (Anexo 1 A).")
    }

    public static func propuestaYaRevisada(_ estado: EstadoPropuesta) -> MutationRejection {
        MutationRejection(
            code: "propuesta_ya_revisada",
            message: "The proposal for this credit was already reviewed (“\(estado.rawValue)”)."
        )
    }

    public static func cuentaYaEtiquetada() -> MutationRejection {
        MutationRejection(
            code: "cuenta_ya_etiquetada",
            message: "The credit is already labelled for mediation: no proposal is needed (Anexo 1 A applies to unlabelled credits)."
        )
    }

    public static func entradaNoPermite() -> MutationRejection {
        MutationRejection(
            code: "entrada_no_permite",
            message: "The agency marks mediation as accepted only for accounts of the Recuperación Especializada segment "
                + "(Anexo 1 B) or proposed and found susceptible (Anexo 1 A); other accounts are asked by the asesor (G3)."
        )
    }

    public static func remediacionNoPermite(_ estatus: EstatusCaso?) -> MutationRejection {
        MutationRejection(
            code: "remediacion_no_permite",
            message: "A new round (re-mediation) starts only after the current round ended"
                + (estatus.map { "; its case has status “\($0.rawValue)”." } ?? "; the current round has no case yet.")
        )
    }

    public static func plazoInvalido(_ explicacion: String) -> MutationRejection {
        MutationRejection(code: "plazo_invalido", message: "The plazo cannot be set: \(explicacion).")
    }
}

/// Checks of the formats the institution uses.
enum Formato {
    /// A credit number: exactly ten digits.
    static func numeroCredito(_ value: String) throws(MutationRejection) {
        guard value.utf8.count == 10, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw Rechazo.datoInvalido("numeroCredito", "a credit number has exactly 10 digits")
        }
    }

    /// A Mexican phone number: ten digits (spaces and dashes allowed and removed).
    static func telefono(_ campo: String, _ value: String) throws(MutationRejection) -> String {
        let digits = value.filter { $0 != " " && $0 != "-" }
        guard digits.utf8.count == 10, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw Rechazo.datoInvalido(campo, "a phone number has 10 digits")
        }
        return digits
    }

    /// An e-mail address: one @, a local part, a domain with a dot, no spaces, at most 254 characters.
    static func correo(_ value: String) throws(MutationRejection) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !trimmed.contains(where: \.isWhitespace)
        else {
            throw Rechazo.datoInvalido("correoElectronico", "not a valid e-mail address")
        }
        return trimmed
    }
}
