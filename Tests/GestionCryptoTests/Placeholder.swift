import Testing

@Test func placeholderGestionCryptoTests() {}
