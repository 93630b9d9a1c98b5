package io.hunnypot.testsupport;

import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class TestDatabaseTest {
  @Test
  void givesDistinctDatabases() {
    assertThat(TestDatabase.newDatabaseUrl()).isNotEqualTo(TestDatabase.newDatabaseUrl());
  }
}
