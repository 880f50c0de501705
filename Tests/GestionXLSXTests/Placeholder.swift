import Testing

@Test func placeholderXLSX() {}
