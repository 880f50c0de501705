import Foundation

/// Text as people mean it rather than as they typed it: for matching column names and
/// catalogue values written by hand in a spreadsheet.
public enum TextKey {
    /// Lowercase letters and digits only: no accents, spaces or punctuation.
    ///
    /// ```swift
    /// TextKey.fold("Número de Crédito") == "numerodecredito"
    /// TextKey.fold("numeroCredito") == "numerocredito"
    /// TextKey.fold("susceptible de re-mediación") == "susceptiblederemediacion"
    /// ```
    public static func fold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let properties = scalar.properties
            if properties.generalCategory == .nonspacingMark { continue }
            guard properties.isAlphabetic || properties.numericType != nil else { continue }
            out.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
        }
        return String(out)
    }
}
