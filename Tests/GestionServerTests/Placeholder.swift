import Testing

@Test func placeholderGestionServerTests() {}
