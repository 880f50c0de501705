import Testing

@Test func placeholderGestionHTTPTests() {}
