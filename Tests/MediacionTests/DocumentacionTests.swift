import Foundation
import Testing

@testable import Mediacion

@Suite struct DocumentacionTests {
    static let archivo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/workflow.md")

    /// docs/workflow.md is generated from the code; this test fails when they drift apart.
    /// Regenerate with `GESTION_WRITE_DOCS=1 swift test --filter DocumentacionTests`.
    @Test func workflowDocumentMatchesTheCode() throws {
        let generado = Mediacion.documentacion()
        if ProcessInfo.processInfo.environment["GESTION_WRITE_DOCS"] == "1" {
            try generado.write(to: Self.archivo, atomically: true, encoding: .utf8)
        }
        let actual = (try? String(contentsOf: Self.archivo, encoding: .utf8)) ?? ""
        guard actual != generado else { return }
        let a = actual.components(separatedBy: "\n")
        let g = generado.components(separatedBy: "\n")
        let linea = (0..<min(a.count, g.count)).first { a[$0] != g[$0] } ?? min(a.count, g.count)
        Issue.record(
            """
            docs/workflow.md differs from Mediacion.documentacion() at line \(linea + 1):
              file:      \(linea < a.count ? a[linea] : "<end of file>")
              generated: \(linea < g.count ? g[linea] : "<end of text>")
            Regenerate it with: GESTION_WRITE_DOCS=1 swift test --filter DocumentacionTests
            """
        )
    }

    @Test func theDocumentCoversEveryMutationStatusAndPlazo() {
        let texto = Mediacion.documentacion()
        for tipo in Mediacion.mutaciones { #expect(texto.contains("| `\(tipo.name)` |"), "\(tipo.name)") }
        for estatus in EstatusCaso.allCases { #expect(texto.contains("state \"\(estatus.rawValue)\" as \(estatus)")) }
        for plazo in NombrePlazo.allCases { #expect(texto.contains("| `\(plazo.rawValue)` | \(plazo.predeterminado) |")) }
        #expect(texto.contains("```mermaid\nstateDiagram-v2"))
        #expect(texto.contains("[*] --> enMediacion: registrarAceptacion"))
        #expect(texto.contains("distribuido --> retiradoAutomaticamente: cerrarSinRegistro"))
    }

    @Test func everyMutationIsDocumented() {
        for tipo in Mediacion.mutaciones {
            #expect(tipo is any MutacionMediacion.Type, "\(tipo.name) has no Ficha")
        }
    }
}
