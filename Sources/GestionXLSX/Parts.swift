import Foundation

/// The fixed parts of the package and the ones that only list the sheets.
enum Parts {
    static let xmlDeclaration: StaticString = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    static func contentTypes(sheetCount: Int) -> [UInt8] {
        var out = ByteWriter()
        out.append(xmlDeclaration)
        out.append(#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#)
        out.append(#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#)
        out.append(#"<Default Extension="xml" ContentType="application/xml"/>"#)
        out.append(#"<Override PartName="/xl/workbook.xml" "#)
        out.append(#"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#)
        for number in 1...sheetCount {
            out.append(#"<Override PartName="/xl/worksheets/sheet"#)
            out.appendDecimal(number)
            out.append(#".xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#)
        }
        out.append(#"<Override PartName="/xl/styles.xml" "#)
        out.append(#"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#)
        out.append(#"<Override PartName="/docProps/core.xml" "#)
        out.append(#"ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#)
        out.append(#"<Override PartName="/docProps/app.xml" "#)
        out.append(#"ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#)
        out.append("</Types>")
        return out.finish()
    }

    static var packageRelationships: [UInt8] {
        var out = ByteWriter()
        out.append(xmlDeclaration)
        out.append(#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#)
        out.append(#"<Relationship Id="rId1" "#)
        out.append(#"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" "#)
        out.append(#"Target="xl/workbook.xml"/>"#)
        out.append(#"<Relationship Id="rId2" "#)
        out.append(#"Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" "#)
        out.append(#"Target="docProps/core.xml"/>"#)
        out.append(#"<Relationship Id="rId3" "#)
        out.append(#"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" "#)
        out.append(#"Target="docProps/app.xml"/>"#)
        out.append("</Relationships>")
        return out.finish()
    }

    static func coreProperties(title: String?, creator: String, date: Date) -> [UInt8] {
        var out = ByteWriter()
        out.append(xmlDeclaration)
        out.append(#"<cp:coreProperties "#)
        out.append(#"xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#)
        out.append(#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#)
        out.append(#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" "#)
        out.append(#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#)
        if let title {
            out.append("<dc:title>")
            out.appendXMLEscaped(title)
            out.append("</dc:title>")
        }
        out.append("<dc:creator>")
        out.appendXMLEscaped(creator)
        out.append("</dc:creator>")
        for element: StaticString in ["dcterms:created", "dcterms:modified"] {
            out.append("<")
            out.append(element)
            out.append(#" xsi:type="dcterms:W3CDTF">"#)
            out.appendW3CDTF(date)
            out.append("</")
            out.append(element)
            out.append(">")
        }
        out.append("</cp:coreProperties>")
        return out.finish()
    }

    static func appProperties(sheetNames: [String]) -> [UInt8] {
        var out = ByteWriter()
        out.append(xmlDeclaration)
        out.append(#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" "#)
        out.append(#"xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#)
        out.append("<Application>GestionSync</Application>")
        out.append(#"<HeadingPairs><vt:vector size="2" baseType="variant">"#)
        out.append("<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>")
        out.appendDecimal(sheetNames.count)
        out.append("</vt:i4></vt:variant></vt:vector></HeadingPairs>")
        out.append(#"<TitlesOfParts><vt:vector size=""#)
        out.appendDecimal(sheetNames.count)
        out.append(#"" baseType="lpstr">"#)
        for name in sheetNames {
            out.append("<vt:lpstr>")
            out.appendXMLEscaped(name)
            out.append("</vt:lpstr>")
        }
        out.append("</vt:vector></TitlesOfParts>")
        out.append("</Properties>")
        return out.finish()
    }

    static func workbook(sheetNames: [String]) -> [UInt8] {
        var out = ByteWriter()
        out.append(xmlDeclaration)
        out.append(#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#)
        out.append(#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#)
        out.append(#"<bookViews><workbookView activeTab="0"/></bookViews><sheets>"#)
        for (index, name) in sheetNames.enumerated() {
            out.append(#"<sheet name=""#)
            out.appendXMLEscaped(name)
            out.append(#"" sheetId=""#)
            out.appendDecimal(index + 1)
            out.append(#"" r:id="rId"#)
            out.appendDecimal(index + 1)
            out.append(#""/>"#)
        }
        out.append("</sheets></workbook>")
        return out.finish()
    }

    /// Sheets are `rId1`…`rIdN`; the styles come after them.
    static func workbookRelationships(sheetCount: Int) -> [UInt8] {
        var out = ByteWriter()
        out.append(xmlDeclaration)
        out.append(#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#)
        for number in 1...sheetCount {
            out.append(#"<Relationship Id="rId"#)
            out.appendDecimal(number)
            out.append(#"" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" "#)
            out.append(#"Target="worksheets/sheet"#)
            out.appendDecimal(number)
            out.append(#".xml"/>"#)
        }
        out.append(#"<Relationship Id="rId"#)
        out.appendDecimal(sheetCount + 1)
        out.append(#"" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" "#)
        out.append(#"Target="styles.xml"/>"#)
        out.append("</Relationships>")
        return out.finish()
    }
}

extension ByteWriter {
    /// Appends `date` in UTC as `YYYY-MM-DDThh:mm:ssZ`.
    mutating func appendW3CDTF(_ date: Date) {
        let time = LocalTime(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)),
            in: TimeZone(identifier: "UTC")!)
        appendISO(time.day)
        append(UInt8(ascii: "T"))
        appendPadded(time.hour, width: 2)
        append(UInt8(ascii: ":"))
        appendPadded(time.minute, width: 2)
        append(UInt8(ascii: ":"))
        appendPadded(time.second, width: 2)
        append(UInt8(ascii: "Z"))
    }
}
