import Testing

@Test func placeholderGestionSQLiteTests() {}
