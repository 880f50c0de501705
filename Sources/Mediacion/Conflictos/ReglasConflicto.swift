import Foundation
import SyncCore

/// The conflict rules of the mediation service: for every pair of mutations that can touch the
/// same record concurrently, how the server reconciles them (see `docs/conflict-rules.md`).
///
/// Case-level pairs are decided from the workflow itself, with the procedure's particular cases
/// on top:
/// - an automatic closure (day 32, day 91) yields to a timely action recorded offline, which undoes
///   it; operations' removal of a case makes later device actions moot;
/// - a redistribution and an action of the previous mediator go to review;
/// - two actions that are alternative outcomes of the same step (signature and refusal, session
///   held and not held, approval and non-approval…) go to review;
/// - two actions that fit in either order both apply (commutative);
/// - otherwise the earlier stands and the workflow judges the later on the status it left (a
///   second reschedule is refused).
public enum ReglasConflicto {
    public static let tabla: ConflictRuleTable = {
        var tabla = ConflictRuleTable()
        let casos = Mediacion.mutacionesDeCaso.sorted { $0.name < $1.name }
        for (index, a) in casos.enumerated() {
            for b in casos[index...] {
                tabla.add(reglaDeCaso(a, b))
            }
        }
        for regla in reglasDeCuenta + reglasDeRegistros { tabla.add(regla) }
        return tabla
    }()

    // MARK: Cases

    static let cierres: Set<EventoCaso> = [.cierreSinRegistro, .cierreSinSesion]

    /// Events a mediator performs on a case distributed to it.
    static var eventosDelMediador: Set<EventoCaso> {
        Set(Mediacion.mutacionesDeCaso.filter { $0.allowedRoles.contains(Rol.mediador.rawValue) }.map { $0.evento })
    }

    static func reglaDeCaso(_ a: any MutacionDeCaso.Type, _ b: any MutacionDeCaso.Type) -> ConflictRule {
        let (x, y) = (a.evento, b.evento)
        if cierres.contains(x) || cierres.contains(y) {
            if cierres.contains(x) && cierres.contains(y) {
                return ConflictRule(a.name, b.name, .earlierStands, because: "A case is closed automatically once.")
            }
            let accion = cierres.contains(x) ? b : a
            if accion.worksOffline {
                return ConflictRule(
                    a.name, b.name, .supersedes(winner: accion.name),
                    because: "An action recorded in time on a device counts from when it was done: the automatic closure "
                        + "is undone and the history shows both. A late one is refused."
                )
            }
            return ConflictRule(a.name, b.name, .earlierStands, because: "Both are the server's; the later judges the status the earlier left.")
        }
        if x == .retiro || y == .retiro {
            let otra = x == .retiro ? b : a
            if x == y { return ConflictRule(a.name, b.name, .earlierStands, because: "A case is removed once.") }
            return ConflictRule(
                a.name, b.name, .supersedes(winner: RetirarCaso.name),
                because: "Operations removed the case from mediation: \(otra.name) recorded concurrently has no effect."
            )
        }
        if x == .redistribucion || y == .redistribucion {
            let otra = x == .redistribucion ? y : x
            if eventosDelMediador.contains(otra) {
                return ConflictRule(
                    a.name, b.name, .exclusive,
                    because: "The case changed mediator while the previous one, offline, acted on it: a person decides "
                        + "whether the action stands."
                )
            }
        }
        if x == y {
            return ConflictRule(
                a.name, b.name, .earlierStands,
                because: FlujoMediacion.origenes(x).contains { FlujoMediacion.permite(destino($0, x), x) }
                    ? "Recorded twice: both apply, the later on top of the earlier."
                    : "Done once: the later is refused by the workflow (e.g. a second reschedule)."
            )
        }
        if sonAlternativas(x, y) {
            return ConflictRule(
                a.name, b.name, .exclusive,
                because: "Alternative outcomes of the same step (\(x.accion) / \(y.accion)): no rule can say which "
                    + "happened; a person decides."
            )
        }
        if conmutan(x, y) {
            return ConflictRule(a.name, b.name, .commutative, because: "Independent facts about the case: both apply in either order.")
        }
        return ConflictRule(
            a.name, b.name, .earlierStands,
            because: "Steps of the workflow in sequence: the later is judged on the status the earlier left."
        )
    }

    static func destino(_ estatus: EstatusCaso?, _ evento: EventoCaso) -> EstatusCaso? {
        try? FlujoMediacion.siguiente(estatus, evento).get()
    }

    /// Both legal from some status, to different statuses, and neither legal after the other.
    static func sonAlternativas(_ x: EventoCaso, _ y: EventoCaso) -> Bool {
        for origen in FlujoMediacion.origenes(x) where FlujoMediacion.permite(origen, y) {
            let trasX = destino(origen, x)
            let trasY = destino(origen, y)
            if trasX != trasY, !FlujoMediacion.permite(trasX, y), !FlujoMediacion.permite(trasY, x) { return true }
        }
        return false
    }

    /// Wherever both are legal, each stays legal after the other, to the same status.
    static func conmutan(_ x: EventoCaso, _ y: EventoCaso) -> Bool {
        let comunes = FlujoMediacion.origenes(x).filter { FlujoMediacion.permite($0, y) }
        guard !comunes.isEmpty else { return false }
        return comunes.allSatisfy { origen in
            let xy = destino(origen, x).flatMap { destino($0, y) }
            let yx = destino(origen, y).flatMap { destino($0, x) }
            return xy != nil && xy == yx
        }
    }

    // MARK: Accounts and registries

    static var respuestas: [any MutacionDeCaso.Type] { Mediacion.mutacionesDeCaso.filter { $0.evento.abreCaso } }

    static var reglasDeCuenta: [ConflictRule] {
        var reglas: [ConflictRule] = []
        for respuesta in respuestas {
            reglas.append(
                ConflictRule(
                    ExcluirCuenta.name, respuesta.name, .supersedes(winner: ExcluirCuenta.name),
                    because: "An account excluded from mediation takes no answer: the later answer has no effect."
                )
            )
            reglas.append(
                ConflictRule(
                    ImportarCuenta.name, respuesta.name, .commutative,
                    because: "The monthly assignment's data and the borrower's answer are independent."
                )
            )
            reglas.append(
                ConflictRule(
                    EtiquetarRemediacion.name, respuesta.name, .earlierStands,
                    because: "A new round opens with the label: an answer is judged against the round it names."
                )
            )
        }
        let cuenta = [ImportarCuenta.name, ExcluirCuenta.name, EtiquetarRemediacion.name, RegistrarIncumplimiento.name]
        for (index, a) in cuenta.enumerated() {
            for b in cuenta[index...] where !(a == RegistrarIncumplimiento.name && b == RegistrarIncumplimiento.name) {
                reglas.append(
                    ConflictRule(
                        a, b, .earlierStands,
                        because: "Operations' changes to the account apply in order; the later sees what the earlier did."
                    )
                )
            }
        }
        return reglas
    }

    static var reglasDeRegistros: [ConflictRule] {
        [
            ConflictRule(
                RegistrarDatosContacto.name, RegistrarDatosContacto.name, .lastWriterWins,
                because: "Each contact field keeps the value written last by hybrid clock; the losing value stays in the history."
            ),
            ConflictRule(
                RegistrarAvisoPrivacidad.name, RegistrarAvisoPrivacidad.name, .commutative,
                because: "The earliest time the privacy notice was shown is kept."
            ),
            ConflictRule(
                RegistrarAvisoPrivacidad.name, RegistrarDatosContacto.name, .commutative,
                because: "The notice's time and the contact data are independent fields."
            ),
            ConflictRule(ProponerMediacion.name, ProponerMediacion.name, .earlierStands, because: "A credit is proposed once."),
            ConflictRule(
                ProponerMediacion.name, RevisarPropuesta.name, .earlierStands,
                because: "A proposal is reviewed as it stands when the review arrives."
            ),
            ConflictRule(RevisarPropuesta.name, RevisarPropuesta.name, .earlierStands, because: "A proposal is reviewed once."),
            ConflictRule(
                RegistrarMediador.name, RegistrarMediador.name, .earlierStands,
                because: "A licence number belongs to one mediator: the later registration is judged against the earlier."
            ),
            ConflictRule(
                RegistrarRepresentante.name, RegistrarRepresentante.name, .earlierStands,
                because: "The later registration of a representative replaces the earlier."
            ),
            ConflictRule(
                CambiarPlazo.name, CambiarPlazo.name, .earlierStands,
                because: "Settings change in the order the Gerencia's changes arrive; each is in the audit trail."
            ),
            ConflictRule(
                ResolverConflicto.name, ResolverConflicto.name, .earlierStands,
                because: "A conflict is resolved once: the later resolution is refused."
            ),
        ]
    }
}
