import Foundation
import SyncCore
import Testing

@testable import Mediacion

@Suite struct ReglasConflictoTests {
    @Test func everyPairThatCanMeetOnARecordHasARule() {
        let missing = ReglasConflicto.tabla.uncoveredPairs(in: Mediacion.registry)
        #expect(missing.isEmpty, "pairs without a conflict rule: \(missing.map { "\($0.0) / \($0.1)" })")
        #expect(ReglasConflicto.tabla.unknownNames(in: Mediacion.registry).isEmpty)
    }

    @Test func everyMutationThatActsOnARecordDeclaresItsCollections() {
        for definition in Mediacion.registry.definitions.values {
            #expect(!definition.conflictCollections.isEmpty, "\(definition.name) names no record to judge")
        }
    }

    @Test(arguments: [
        // DOMAIN.md §8 and the procedure's particular cases.
        (FirmarConvenio.name, RegistrarNegativaFirma.name, ConflictKind.exclusive),
        (RegistrarSesionCelebrada.name, RegistrarSesionNoCelebrada.name, .exclusive),
        (AprobarCaso.name, NoAprobarCaso.name, .exclusive),
        (RegistrarAceptacion.name, RegistrarNoAceptacion.name, .exclusive),
        (ReagendarSesion.name, ReagendarSesion.name, .earlierStands),
        (CerrarSinRegistro.name, AgendarSesion.name, .supersedes(winner: AgendarSesion.name)),
        (CerrarSinSesion.name, RegistrarSesionCelebrada.name, .supersedes(winner: RegistrarSesionCelebrada.name)),
        (RedistribuirCaso.name, RegistrarSesionCelebrada.name, .exclusive),
        (RedistribuirCaso.name, AgendarSesion.name, .exclusive),
        (ExcluirCuenta.name, RegistrarAceptacion.name, .supersedes(winner: ExcluirCuenta.name)),
        (RetirarCaso.name, RegistrarContacto.name, .supersedes(winner: RetirarCaso.name)),
        (RegistrarDatosContacto.name, RegistrarDatosContacto.name, .lastWriterWins),
        (RegistrarEncuesta.name, InscribirConvenioCJA.name, .commutative),
    ])
    func theProceduresCasesHaveTheirRule(a: String, b: String, kind: ConflictKind) throws {
        let rule = try #require(ReglasConflicto.tabla.rule(a, b))
        #expect(rule.kind == kind)
        #expect(!rule.reason.isEmpty)
    }

    @Test func theDocumentedTableIsTheCodesTable() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("docs/conflict-rules.md")
        let generated = DocumentacionConflictos.markdown()
        if ProcessInfo.processInfo.environment["GESTION_WRITE_DOCS"] == "1" {
            try generated.write(to: path, atomically: true, encoding: .utf8)
        }
        let written = try String(contentsOf: path, encoding: .utf8)
        #expect(
            written == generated,
            "docs/conflict-rules.md differs from the table in code: regenerate with GESTION_WRITE_DOCS=1 swift test --filter ReglasConflictoTests"
        )
    }
}
