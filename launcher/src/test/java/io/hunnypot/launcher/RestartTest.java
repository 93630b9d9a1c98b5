package io.hunnypot.launcher;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.testsupport.SmtpClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RestartTest {

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("a restarted node on the same data directory still serves what it recorded before")
  void restartFindsEarlierData() throws Exception {
    HunnypotConfig config = TestNodes.config(dataDir, "HUNNYPOT_TRAP_DOMAINS", "trap.example");

    try (Node first = Node.start(config, EnumSet.allOf(Role.class))) {
      try (SmtpClient smtp = SmtpClient.connectFrom("127.0.0.9", "127.0.0.1", first.smtpPort(), Duration.ofSeconds(10))) {
        smtp.readReply();
        smtp.command("HELO before.example");
        smtp.command("QUIT");
      }
      new HttpJson(first.httpPort()).await("/api/v1/sightings?ip=127.0.0.9", json -> json.getJsonArray("items").size() == 1);
    }

    try (Node second = Node.start(config, EnumSet.allOf(Role.class))) {
      var items = new HttpJson(second.httpPort()).get("/api/v1/sightings?ip=127.0.0.9").json().getJsonArray("items");
      assertThat(items).hasSize(1);
      assertThat(items.getJsonObject(0).getString("helo")).isEqualTo("before.example");
    }
  }

  @Test
  @DisplayName("a SIGTERM while the node is still starting stops its embedded PostgreSQL too: the next start on the data directory succeeds")
  void stopDuringStartLeavesNoDatabaseBehind() throws Exception {
    try (NodeProcess starting = process("starting")) {
      starting.start().awaitLog("Embedded PostgreSQL serving"); // the verticles are not deployed yet
      starting.stop();
    }
    assertThat(dataDir.resolve("data/postgres/postmaster.pid")).doesNotExist();

    try (NodeProcess restarted = process("restarted")) {
      restarted.start().awaitReady(ready -> true);
      restarted.stop();
    }
  }

  @Test
  @DisplayName("after a node is killed outright, the next start stops the PostgreSQL it left running and serves again")
  void startAfterCrashStopsTheOrphanedDatabase() throws Exception {
    long orphan;
    try (NodeProcess crashed = process("crashed")) {
      crashed.start().awaitReady(ready -> true);
      crashed.kill();
      orphan = Long.parseLong(Files.readAllLines(dataDir.resolve("data/postgres/postmaster.pid")).get(0).trim());
      assertThat(ProcessHandle.of(orphan)).isPresent(); // SIGKILL runs no shutdown hook: the server outlives its JVM
    }

    try (NodeProcess restarted = process("restarted")) {
      restarted.start().awaitReady(ready -> true);
      assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).isEmpty();
      assertThat(restarted.log()).contains("stopping the embedded PostgreSQL (pid " + orphan + ")");
      restarted.stop();
    }
  }

  @Test
  @DisplayName("a second node on a data directory in use is refused with exit code 1, naming the directory, and the first keeps serving")
  void secondNodeOnTheSameDataDirectoryIsRefused() throws Exception {
    try (NodeProcess first = process("first"); NodeProcess second = process("second")) {
      first.start().awaitReady(ready -> true);
      assertThat(second.start().awaitExit()).isEqualTo(1);
      assertThat(second.log()).contains("the embedded PostgreSQL in " + dataDir.resolve("data/postgres").toAbsolutePath()
          + " is in use by another Hunnypot process");
      assertThat(first.http().get("/ready").status()).isEqualTo(200);
      first.stop();
    }
  }

  /** A whole node in a JVM of its own on this test's data directory; each gets its own HTTP port. */
  private NodeProcess process(String name) {
    int httpPort = TestNodes.freePort();
    Map<String, String> environment = TestNodes.environment(dataDir.resolve("data"), "HUNNYPOT_HTTP_PORT", String.valueOf(httpPort));
    return new NodeProcess(name, List.of(), environment, dataDir, httpPort);
  }
}
