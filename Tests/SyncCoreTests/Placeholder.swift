import Testing

@Test func placeholderSyncCoreTests() {}
