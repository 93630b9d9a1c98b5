package io.hunnypot.launcher;

import io.hunnypot.config.ConfigLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class HunnypotCommandTest {

  @TempDir
  Path dir;

  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> environment, String... args) {
    CommandLine commandLine = Hunnypot.commandLine(new Hunnypot(environment));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  @DisplayName("an unknown key in the configuration file stops the start with a non-zero exit, naming the key")
  void unknownKeyStopsTheStart() throws Exception {
    Path file = Files.writeString(dir.resolve("hunnypot.yaml"), "smtp:\n  maxConnection: 5\n");
    assertThat(run(Map.of(), "--config", file.toString())).isEqualTo(Hunnypot.BAD_CONFIGURATION);
    assertThat(err.toString()).contains("unknown key 'smtp.maxConnection'").contains("maxConnections");
  }

  @Test
  @DisplayName("a bad value in the environment stops the start, naming the key and the expected form")
  void badEnvironmentValueStopsTheStart() {
    assertThat(run(Map.of("HUNNYPOT_HTTP_PORT", "eighty"))).isEqualTo(Hunnypot.BAD_CONFIGURATION);
    assertThat(err.toString()).contains("http.port").contains("expected an integer");
  }

  @Test
  @DisplayName("a missing configuration file stops the start, naming the file")
  void missingFileStopsTheStart() {
    assertThat(run(Map.of(), "--config", dir.resolve("absent.yaml").toString())).isEqualTo(Hunnypot.BAD_CONFIGURATION);
    assertThat(err.toString()).contains("absent.yaml");
  }

  @Test
  @DisplayName("an unknown role stops the start, listing the roles there are")
  void unknownRoleStopsTheStart() {
    assertThat(run(Map.of(), "--roles", "listener,dnsbl")).isEqualTo(Hunnypot.BAD_CONFIGURATION);
    assertThat(err.toString()).contains("unknown role 'dnsbl'").contains("mx-monitor");
  }

  @Test
  @DisplayName("a port already taken fails the start with exit code 1 instead of running half a node")
  void boundPortFailsTheStart() throws Exception {
    try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int exit = run(Map.of("HUNNYPOT_SMTP_HOST", "127.0.0.1", "HUNNYPOT_SMTP_PORT", String.valueOf(taken.getLocalPort()),
          "HUNNYPOT_DATA_DIR", dir.toString()), "--roles", "listener");
      assertThat(exit).isEqualTo(Hunnypot.START_FAILED);
      assertThat(err.toString()).contains("could not start");
    }
  }

  @Test
  @DisplayName("--cluster with a Hazelcast file that is not there stops the start with exit code 2, naming the key")
  void clusterWithMissingHazelcastFile() {
    int exit = run(Map.of("HUNNYPOT_CLUSTER_HAZELCAST_CONFIG", dir.resolve("absent.yaml").toString()),
        "--cluster", "--roles", "listener");
    assertThat(exit).isEqualTo(Hunnypot.BAD_CONFIGURATION);
    assertThat(err.toString()).contains("cluster.hazelcastConfig").contains("absent.yaml");
  }

  @Test
  @DisplayName("the example configuration shipped in deploy/ loads without error")
  void exampleConfigurationLoads() {
    var config = ConfigLoader.load(
        Optional.of(Path.of("..", "deploy", "hunnypot.yaml")), Map.of());
    assertThat(config.smtp().port()).isEqualTo(25);
    assertThat(config.trap().domains()).contains("never-used.example");
  }
}
