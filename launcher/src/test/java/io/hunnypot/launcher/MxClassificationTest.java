package io.hunnypot.launcher;

import io.hunnypot.testsupport.FakeMx;
import io.hunnypot.testsupport.SmtpClient;
import io.hunnypot.testsupport.TestDnsServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole node classifying recipient domains through a real DNS server on 127.0.0.1 and
 * probing fake primary MXs: SMTP in, the sighting with its class and evidence out through the
 * HTTP API, and whether its client is listed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MxClassificationTest {

  @TempDir
  static Path dataDir;

  private TestDnsServer dns;
  private FakeMx live;
  private FakeMx hung;
  private Node node;
  private HttpJson api;

  @BeforeAll
  void start() throws Exception {
    dns = TestDnsServer.start("127.0.0.1", MxZone.TEXT);
    dns.failFor(MxZone.SERVFAIL);
    dns.ignore(MxZone.SILENT);
    live = FakeMx.greeting("127.0.0.20", 0);
    hung = FakeMx.silent("127.0.0.22", live.port());
    node = Node.start(TestNodes.config(dataDir,
        "HUNNYPOT_TRAP_DOMAINS", "configured-trap.test",
        "HUNNYPOT_DNS_SERVERS", dns.hostAndPort(),
        "HUNNYPOT_DNS_TIMEOUT_MILLIS", "500",
        "HUNNYPOT_MX_PROBE_PORT", String.valueOf(live.port()),
        "HUNNYPOT_MX_PROBE_TIMEOUT_SECONDS", "1",
        "HUNNYPOT_MX_CACHE_SECONDS", "1"), EnumSet.allOf(Role.class));
    api = new HttpJson(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
    dns.close();
    live.close();
    hung.close();
  }

  @ParameterizedTest(name = "{0}: {2}")
  @CsvSource({
      "configured-trap.test, 127.0.2.1,  trap-domain,   true",
      "trap-only.test,       127.0.2.2,  trap-domain,   true",
      "backup-live.test,     127.0.2.3,  backup-mx,     true",
      "brand.test,           127.0.2.4,  a-record,      true",
      "unrelated.test,       127.0.2.5,  relay-attempt, false",
      "backup-dead.test,     127.0.2.6,  outage,        false",
      "backup-hung.test,     127.0.2.7,  outage,        false",
      "no-mx.test,           127.0.2.8,  unknown,       false",
      "nowhere.test,         127.0.2.9,  unknown,       false",
      "servfail.test,        127.0.2.10, unknown,       false",
      "silent.test,          127.0.2.11, unknown,       false"})
  @DisplayName("each class goes from SMTP to the API with its evidence, and only the listable ones list the client")
  void eachClassEndToEnd(String domain, String client, String expected, boolean listed) throws Exception {
    deliver(client, "127.0.0.1", domain);
    JsonObject sighting = onlySighting(client);
    assertThat(sighting.getString("class")).isEqualTo(expected);
    JsonObject answer = sighting.getJsonObject("evidence").getJsonObject("domains").getJsonObject(domain);
    assertThat(answer.getString("class")).isEqualTo(expected);
    assertThat(answer.getJsonObject("evidence").getString("rule")).isNotBlank();
    assertThat(answer.getJsonObject("evidence").getJsonArray("identity")).containsExactly("127.0.0.1");
    assertThat(api.get("/api/v1/offenders/" + client).json().getBoolean("listed")).isEqualTo(listed);
  }

  @Test
  @DisplayName("a backup-mx sighting shows the MX set, which MX is ours, and the primary probed with its 220")
  void backupMxEvidenceInTheApi() throws Exception {
    deliver("127.0.2.20", "127.0.0.1", "backup-live.test");
    JsonObject evidence = onlySighting("127.0.2.20").getJsonObject("evidence").getJsonObject("domains")
        .getJsonObject("backup-live.test").getJsonObject("evidence");
    JsonArray mx = evidence.getJsonArray("mx");
    assertThat(mx.getJsonObject(0).getString("host")).isEqualTo("live.test");
    assertThat(mx.getJsonObject(0).getBoolean("ours")).isFalse();
    assertThat(mx.getJsonObject(1).getString("host")).isEqualTo("hp.test");
    assertThat(mx.getJsonObject(1).getBoolean("ours")).isTrue();
    JsonObject probe = evidence.getJsonArray("probes").getJsonObject(0);
    assertThat(probe.getBoolean("live")).isTrue();
    assertThat(probe.getJsonArray("answers").getJsonObject(0).getString("answer")).startsWith("220");
    assertThat(probe.getMap()).containsKey("cached");
    assertThat(evidence.getMap()).containsKeys("lookups", "cached");
  }

  @Test
  @DisplayName("an outage is never listed: repeated deliveries while the primary is down leave the client off the list")
  void outageIsNeverListed() throws Exception {
    for (int i = 0; i < 3; i++) {
      deliver("127.0.2.30", "127.0.0.1", "backup-dead.test");
    }
    JsonArray sightings = api.await("/api/v1/sightings?ip=127.0.2.30", json -> json.getJsonArray("items").size() == 3)
        .getJsonArray("items");
    assertThat(sightings.stream().map(JsonObject.class::cast).map(s -> s.getString("class"))).containsOnly("outage");
    assertThat(api.get("/api/v1/offenders/127.0.2.30").json().getBoolean("listed")).isFalse();
    JsonArray listed = api.get("/api/v1/offenders?listed=true&limit=1000").json().getJsonArray("items");
    assertThat(listed.stream().map(JsonObject.class::cast).map(o -> o.getString("ip"))).doesNotContain("127.0.2.30");
  }

  @Test
  @DisplayName("once the cached probe expires, a recovered primary turns outage into a listed backup-mx")
  void recoveredPrimaryAfterCacheExpiry() throws Exception {
    deliver("127.0.3.1", "127.0.0.1", "backup-recover.test");
    assertThat(onlySighting("127.0.3.1").getString("class")).isEqualTo("outage");
    try (FakeMx recovered = FakeMx.greeting("127.0.0.23", live.port())) {
      Thread.sleep(1_100); // mx.cacheSeconds is 1
      deliver("127.0.3.2", "127.0.0.1", "backup-recover.test");
      assertThat(onlySighting("127.0.3.2").getString("class")).isEqualTo("backup-mx");
      assertThat(recovered.connections()).isEqualTo(1);
    }
    assertThat(api.get("/api/v1/offenders/127.0.3.1").json().getBoolean("listed")).isFalse();
    assertThat(api.get("/api/v1/offenders/127.0.3.2").json().getBoolean("listed")).isTrue();
  }

  @Test
  @DisplayName("over IPv6 the address the client reached is the identity: a domain whose only MX has our AAAA is a trap")
  void ipv6TrapDomain() throws Exception {
    try (SmtpClient smtp = SmtpClient.connect("::1", node.smtpPort())) {
      smtp.readReply();
      smtp.command("HELO six.example");
      smtp.command("MAIL FROM:<>");
      smtp.command("RCPT TO:<u@trap6-only.test>");
      smtp.command("QUIT");
    }
    JsonObject sighting = onlySighting("::1");
    assertThat(sighting.getString("class")).isEqualTo("trap-domain");
    assertThat(sighting.getJsonObject("evidence").getJsonObject("domains").getJsonObject("trap6-only.test")
        .getJsonObject("evidence").getJsonArray("identity")).containsExactly("::1");
  }

  /** One SMTP session from {@code client} to the node at {@code server}, delivering to a recipient at {@code domain}. */
  private void deliver(String client, String server, String domain) throws IOException {
    try (SmtpClient smtp = SmtpClient.connectFrom(client, server, node.smtpPort(), Duration.ofSeconds(10))) {
      assertThat(smtp.readReply().code()).isEqualTo(220);
      smtp.command("HELO sender.example");
      smtp.command("MAIL FROM:<someone@sender.example>");
      assertThat(smtp.command("RCPT TO:<user@" + domain + ">").code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(451);
      smtp.command("QUIT");
    }
  }

  private JsonObject onlySighting(String ip) throws Exception {
    JsonArray items = api.await("/api/v1/sightings?ip=" + ip, json -> json.getJsonArray("items").size() >= 1)
        .getJsonArray("items");
    assertThat(items).hasSize(1);
    return items.getJsonObject(0);
  }
}
