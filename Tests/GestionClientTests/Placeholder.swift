import Testing

@Test func placeholderGestionClientTests() {}
