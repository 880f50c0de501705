import Testing

@Test func placeholderMediacionTests() {}
