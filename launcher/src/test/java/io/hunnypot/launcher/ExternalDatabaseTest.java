package io.hunnypot.launcher;

import io.hunnypot.testsupport.SmtpClient;
import io.hunnypot.testsupport.TestDatabase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

class ExternalDatabaseTest {

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("with db.url set, the node stores its sightings there and starts no embedded PostgreSQL")
  void externalDatabaseByUrl() throws Exception {
    String url = TestDatabase.newDatabaseUrl();
    var config = TestNodes.config(dataDir, "HUNNYPOT_DB_URL", url);
    try (Node node = Node.start(config, EnumSet.allOf(Role.class))) {
      try (SmtpClient smtp = SmtpClient.connectFrom("127.0.0.10", "127.0.0.1", node.smtpPort(), Duration.ofSeconds(10))) {
        smtp.readReply();
        smtp.command("QUIT");
      }
      new HttpJson(node.httpPort()).await("/api/v1/sightings?ip=127.0.0.10", json -> json.getJsonArray("items").size() == 1);
    }
    try (var connection = DriverManager.getConnection("jdbc:" + url.replace("postgres@", "") + "?user=postgres");
         ResultSet rows = connection.createStatement().executeQuery("SELECT count(*) FROM sightings WHERE client_ip = '127.0.0.10'")) {
      rows.next();
      assertThat(rows.getInt(1)).isEqualTo(1);
    }
    assertThat(Files.exists(dataDir.resolve("postgres"))).isFalse();
  }
}
