package io.hunnypot.launcher;

import io.hunnypot.testsupport.FakeMx;
import io.hunnypot.testsupport.TestDnsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code hunnypot check-domain}, run against the test DNS server and a live fake primary. */
class CheckDomainTest {

  private static TestDnsServer dns;
  private static FakeMx live;

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void start() throws IOException {
    dns = TestDnsServer.start("127.0.0.1", MxZone.TEXT);
    dns.failFor(MxZone.SERVFAIL);
    live = FakeMx.greeting("127.0.0.20", 0);
  }

  @AfterAll
  static void stop() throws IOException {
    dns.close();
    live.close();
  }

  private int run(Map<String, String> environment, String... args) {
    CommandLine commandLine = Hunnypot.commandLine(new Hunnypot(environment));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private Map<String, String> environment() {
    return Map.of("HUNNYPOT_DNS_SERVERS", dns.hostAndPort(), "HUNNYPOT_MX_PROBE_PORT", String.valueOf(live.port()));
  }

  @Test
  @DisplayName("check-domain prints the class, the MX set with ours marked, the probe and its answer, and exits 0")
  void backupMx() {
    assertThat(run(environment(), "check-domain", "backup-live.test", "--as", "127.0.0.1")).isZero();
    assertThat(out.toString())
        .contains("class:    backup-mx (listed)")
        .contains("ours as a backup MX")
        .containsPattern("10  live\\.test +127\\.0\\.0\\.20\\n")
        .containsPattern("90  hp\\.test +127\\.0\\.0\\.1 +ours")
        .containsPattern("live\\.test +live +127\\.0\\.0\\.20: 220 primary\\.test ESMTP +\\(probed now\\)")
        .containsPattern("backup-live\\.test +MX +\\[10 live\\.test\\., 90 hp\\.test\\.] +\\(asked now\\)");
    assertThat(live.connections()).isPositive();
  }

  @Test
  @DisplayName("check-domain reads --config given after the subcommand, and identity.addresses when --as is absent")
  void configFileAndIdentity() throws IOException {
    Path file = Files.writeString(dir.resolve("hunnypot.yaml"), """
        dns:
          servers: ["%s"]
        identity:
          addresses: [127.0.0.1]
        """.formatted(dns.hostAndPort()));
    assertThat(run(Map.of(), "check-domain", "trap-only.test", "--config", file.toString())).isZero();
    assertThat(out.toString()).contains("as:       127.0.0.1").contains("class:    trap-domain (listed)").contains("every MX is ours");
  }

  @Test
  @DisplayName("check-domain tells a DNS failure as unknown, not listed, with the reason")
  void dnsFailure() {
    assertThat(run(environment(), "check-domain", MxZone.SERVFAIL, "--as", "127.0.0.1")).isZero();
    assertThat(out.toString()).contains("class:    unknown (not listed)").contains("SERVFAIL for servfail.test MX");
  }

  @Test
  @DisplayName("check-domain with a bad configuration exits 2 naming the key")
  void badConfiguration() {
    assertThat(run(Map.of("HUNNYPOT_DNS_SERVERS", "resolver.example"), "check-domain", "x.test")).isEqualTo(Hunnypot.BAD_CONFIGURATION);
    assertThat(err.toString()).contains("dns.servers");
  }
}
