import Foundation
import SyncCore

/// The mutations of the mediation workflow, registered for client and server alike.
public enum Mediacion {
    /// Every mutation the domain knows, in the order of the procedure.
    public static let mutaciones: [any Mutation.Type] = [
        // Assignment and other entries (G1, Anexo 1)
        ImportarCuenta.self,
        ProponerMediacion.self,
        RevisarPropuesta.self,
        ExcluirCuenta.self,
        EtiquetarRemediacion.self,
        // Registries and settings
        RegistrarMediador.self,
        RegistrarRepresentante.self,
        CambiarPlazo.self,
        // The borrower's answer and contact data (G3–G4)
        RegistrarAceptacion.self,
        RegistrarNoAceptacion.self,
        MarcarMediacionAceptada.self,
        RegistrarAvisoPrivacidad.self,
        RegistrarDatosContacto.self,
        // Agency (G5, G7)
        AprobarCaso.self,
        NoAprobarCaso.self,
        DistribuirCaso.self,
        RedistribuirCaso.self,
        DesignarRepresentante.self,
        // Scheduling and sessions (G8–G17)
        RegistrarContacto.self,
        RegistrarNoAgendada.self,
        AgendarSesion.self,
        SolicitarConveniosPreliminares.self,
        EntregarConveniosPreliminares.self,
        RegistrarSesionNoCelebrada.self,
        ReagendarSesion.self,
        RegistrarSesionCelebrada.self,
        // Outcome and review (G18–G27)
        RegistrarNegativaFirma.self,
        FirmarConvenio.self,
        RegistrarEncuesta.self,
        EnviarConvenioDR.self,
        SolicitarCambiosConvenio.self,
        AprobarSolucion.self,
        InvitarPrimerPago.self,
        InscribirConvenioCJA.self,
        RegistrarPrimerPago.self,
        RegistrarIncumplimiento.self,
        // Expediente and ANEC (G28–G31, procedure 34–35)
        EntregarExpediente.self,
        SolicitarAclaracionExpediente.self,
        ResponderAclaracionExpediente.self,
        AceptarExpediente.self,
        ValidarPagoDerechos.self,
        DigitalizarExpediente.self,
        EnviarExpedienteANEC.self,
        // Removals and automatic closures (G10, G15, G19)
        RetirarCaso.self,
        CerrarSinRegistro.self,
        CerrarSinSesion.self,
        // The review queue
        ResolverConflicto.self,
    ]

    /// The case-level mutations, each with its workflow event.
    public static var mutacionesDeCaso: [any MutacionDeCaso.Type] {
        mutaciones.compactMap { $0 as? any MutacionDeCaso.Type }
    }

    /// The registry both the device and the server run.
    public static let registry: MutationRegistry = {
        var registry = MutationRegistry()
        for mutacion in mutaciones { registry.register(mutacion) }
        registry.conflictRules = ReglasConflicto.tabla
        registry.replication = Alcances.politica
        return registry
    }()

    /// The collections a replica holds.
    public static let colecciones = [
        Cuenta.collection, DatosContacto.collection, Caso.collection, Sesion.collection, Convenio.collection,
        Mediador.collection, Licencia.collection, Representante.collection, Expediente.collection,
        Propuesta.collection, Historial.collection, Plazos.collection,
    ]
}

extension Set where Element == String {
    static func roles(_ roles: Rol...) -> Set<String> { Set(roles.map(\.rawValue)) }
}

extension RecordWriter {
    /// The account, or the refusal that it does not exist.
    func cuenta(_ numeroCredito: String) throws -> Cuenta {
        try Formato.numeroCredito(numeroCredito)
        guard let cuenta = try read(Cuenta.self, numeroCredito) else { throw Rechazo.cuentaNoExiste() }
        return cuenta
    }
}
