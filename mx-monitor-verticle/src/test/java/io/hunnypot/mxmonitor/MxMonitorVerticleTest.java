package io.hunnypot.mxmonitor;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Classification;
import io.hunnypot.contract.ClassifyRequest;
import io.hunnypot.contract.SightingClass;
import io.hunnypot.testsupport.FakeMx;
import io.hunnypot.testsupport.TestDnsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The MX monitor on the event bus, resolving through a real DNS server on 127.0.0.1 that serves
 * a zone with a domain for every row of the classification table, and probing fake primary MXs
 * on 127.0.0.x: one greets, one is hung, and nothing listens on the dead one's address.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MxMonitorVerticleTest {

  /** The zone of every classification case: see classification.zone in test-support. */
  static final String ZONE = TestDnsServer.classificationZone();


  static TestDnsServer dns;
  static FakeMx live;
  static FakeMx hung;
  static FakeMx live6;
  static int probePort;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Vertx vertx;

  @BeforeAll
  static void startDnsAndPrimaries() throws IOException {
    dns = TestDnsServer.start("127.0.0.1", ZONE);
    dns.failFor("servfail.test");
    dns.failFor("broken-host.test");
    dns.ignore("silent.test");
    live = FakeMx.greeting("127.0.0.20", 0);
    probePort = live.port();
    hung = FakeMx.silent("127.0.0.22", probePort);
    live6 = FakeMx.greeting("::1", probePort);
  }

  @AfterAll
  static void stop() throws IOException {
    dns.close();
    live.close();
    hung.close();
    live6.close();
  }

  @BeforeEach
  void deploy(Vertx vertx) {
    this.vertx = vertx;
    dns.resetCounts();
    redeploy("HUNNYPOT_TRAP_DOMAINS", "configured-trap.test,Other.Example");
  }

  /** Deploys a monitor on the test DNS server with short timeouts; {@code settings}: extra name, value, ... */
  private void redeploy(String... settings) {
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
    Map<String, String> environment = new HashMap<>(Map.of(
        "HUNNYPOT_DNS_SERVERS", dns.hostAndPort(),
        "HUNNYPOT_DNS_TIMEOUT_MILLIS", "500",
        "HUNNYPOT_MX_PROBE_PORT", String.valueOf(probePort),
        "HUNNYPOT_MX_PROBE_TIMEOUT_SECONDS", "1"));
    for (int i = 0; i < settings.length; i += 2) {
      environment.put(settings[i], settings[i + 1]);
    }
    vertx.deployVerticle(new MxMonitorVerticle(ConfigLoader.load(Optional.empty(), environment), registry)).await();
  }

  private Future<Classification> ask(String domain, String... identity) {
    return vertx.eventBus().<JsonObject>request(Addresses.MX_CLASSIFY, new ClassifyRequest(domain, List.of(identity)).toJson())
        .map(reply -> Classification.fromJson(reply.body()));
  }

  /** Asks as the honeypot on 127.0.0.1, unless other identity addresses are given. */
  private Classification classify(String domain, String... identity) {
    return ask(domain, identity.length == 0 ? new String[] {"127.0.0.1"} : identity).await();
  }

  @ParameterizedTest(name = "{0} as {1}: {2}")
  @CsvSource({
      "configured-trap.test, 127.0.0.1,  trap-domain",
      "trap-only.test,       127.0.0.1,  trap-domain",
      "trap6-only.test,      ::1,        trap-domain",
      "backup-live.test,     127.0.0.1,  backup-mx",
      "backup-mixed.test,    127.0.0.1,  backup-mx",
      "backup-v6.test,       127.0.0.1,  backup-mx",
      "backup-dead.test,     127.0.0.1,  outage",
      "backup-hung.test,     127.0.0.1,  outage",
      "brand.test,           127.0.0.1,  a-record",
      "brand6.test,          ::1,        a-record",
      "unrelated.test,       127.0.0.1,  relay-attempt",
      "trap-only.test,       127.0.0.99, relay-attempt",
      "null-mx.test,         127.0.0.1,  relay-attempt",
      "equal.test,           127.0.0.1,  unknown",
      "no-mx.test,           127.0.0.1,  unknown",
      "nowhere.test,         127.0.0.1,  unknown",
      "servfail.test,        127.0.0.1,  unknown",
      "silent.test,          127.0.0.1,  unknown",
      "backup-broken.test,   127.0.0.1,  unknown"})
  @DisplayName("each row of the classification table gets its class")
  void classificationTable(String domain, String identity, String expected) {
    assertThat(classify(domain, identity).sightingClass().wireName()).isEqualTo(expected);
  }

  @Test
  @DisplayName("a configured trap domain is trap-domain whatever its case, without asking DNS")
  void configuredTrapDomain() {
    Classification answer = classify("CONFIGURED-Trap.test");
    assertThat(answer.sightingClass()).isEqualTo(SightingClass.TRAP_DOMAIN);
    assertThat(answer.evidence().getString("domain")).isEqualTo("configured-trap.test");
    assertThat(answer.evidence().getString("rule")).isEqualTo("a configured trap domain");
    assertThat(dns.totalQueries()).isZero();
  }

  @Test
  @DisplayName("backup-mx evidence: the MX set by preference, which is ours, the primaries probed and what they answered")
  void backupMxEvidence() {
    JsonObject evidence = classify("backup-mixed.test").evidence();
    assertThat(evidence.getJsonArray("identity")).containsExactly("127.0.0.1");
    JsonArray mx = evidence.getJsonArray("mx");
    assertThat(mx.stream().map(JsonObject.class::cast).map(m -> m.getString("host"))).containsExactly("dead.test", "live.test", "hp.test");
    assertThat(mx.getJsonObject(2).getBoolean("ours")).isTrue();
    assertThat(mx.getJsonObject(2).getJsonArray("addresses")).containsExactly("127.0.0.1");
    assertThat(mx.getJsonObject(0).getBoolean("ours")).isFalse();
    JsonArray probes = evidence.getJsonArray("probes");
    assertThat(probes).hasSize(2);
    JsonObject dead = probes.getJsonObject(0);
    assertThat(dead.getString("host")).isEqualTo("dead.test");
    assertThat(dead.getBoolean("live")).isFalse();
    assertThat(dead.getString("result")).isEqualTo("refused");
    JsonObject alive = probes.getJsonObject(1);
    assertThat(alive.getBoolean("live")).isTrue();
    assertThat(alive.getJsonArray("answers").getJsonObject(0).getString("answer")).startsWith("220 ");
    assertThat(alive.getBoolean("cached")).isFalse();
    assertThat(evidence.getBoolean("cached")).isFalse();
    assertThat(evidence.getJsonArray("lookups")).hasSize(7);
  }

  @Test
  @DisplayName("a hung primary counts as down once the probe timeout passes, and the evidence says so")
  void hungPrimaryEvidence() {
    JsonObject probe = classify("backup-hung.test").evidence().getJsonArray("probes").getJsonObject(0);
    assertThat(probe.getString("result")).isEqualTo("timeout");
    assertThat(probe.getJsonArray("answers").getJsonObject(0).getString("answer")).contains("no greeting within 1000 ms");
  }

  @Test
  @DisplayName("DNS failures are unknown with the reason: NXDOMAIN, SERVFAIL, a silent server after the timeout")
  void dnsFailureEvidence() {
    assertThat(classify("nowhere.test").evidence().getString("rule")).contains("NXDOMAIN");
    assertThat(classify("servfail.test").evidence().getString("rule")).contains("SERVFAIL for servfail.test MX");
    long start = System.nanoTime();
    assertThat(classify("silent.test").evidence().getString("rule")).contains("no answer within 500 ms");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(400L, 3000L);
    assertThat(classify("no-mx.test").evidence().getJsonObject("implicitMx").getBoolean("ours")).isTrue();
  }

  @Test
  @DisplayName("a thousand simultaneous requests for one domain cost one DNS query per record and one probe per host")
  void coalescing() {
    int probesBefore = live.connections();
    List<Future<Classification>> answers = IntStream.range(0, 1000).mapToObj(i -> ask("backup-live.test", "127.0.0.1")).toList();
    Future.all(answers).await();
    assertThat(answers).allMatch(answer -> answer.result().sightingClass() == SightingClass.BACKUP_MX);
    assertThat(dns.queries("backup-live.test", "MX")).isEqualTo(1);
    for (String host : List.of("live.test", "hp.test")) {
      assertThat(dns.queries(host, "A")).as(host + " A").isEqualTo(1);
      assertThat(dns.queries(host, "AAAA")).as(host + " AAAA").isEqualTo(1);
    }
    assertThat(dns.totalQueries()).isEqualTo(5);
    assertThat(live.connections() - probesBefore).isEqualTo(1);
  }

  @Test
  @DisplayName("records are cached for their TTL: a second ask sends no query and says cached; an expired TTL asks again")
  void recordsCachedByTtl() throws InterruptedException {
    classify("backup-live.test");
    int queries = dns.totalQueries();
    JsonObject again = classify("backup-live.test").evidence();
    assertThat(dns.totalQueries()).isEqualTo(queries);
    assertThat(again.getBoolean("cached")).isTrue();
    assertThat(again.getJsonArray("probes").getJsonObject(0).getBoolean("cached")).isTrue();
    classify("nowhere.test");
    classify("nowhere.test");
    assertThat(dns.queries("nowhere.test", "MX")).as("NXDOMAIN is cached too").isEqualTo(1);

    classify("short-ttl.test");
    Thread.sleep(2_100); // the TTL is 1 s; dnsjava counts it in whole seconds
    classify("short-ttl.test");
    assertThat(dns.queries("short-ttl.test", "MX")).isEqualTo(2);
  }

  @Test
  @DisplayName("a probe's answer is kept for mx.cacheSeconds: a recovered primary turns outage into backup-mx once it expires")
  void probeCacheExpires() throws Exception {
    redeploy("HUNNYPOT_MX_CACHE_SECONDS", "1");
    assertThat(classify("backup-recover.test").sightingClass()).isEqualTo(SightingClass.OUTAGE);
    try (FakeMx recovered = FakeMx.greeting("127.0.0.23", probePort)) {
      Classification stillCached = classify("backup-recover.test");
      assertThat(stillCached.sightingClass()).isEqualTo(SightingClass.OUTAGE);
      assertThat(stillCached.evidence().getJsonArray("probes").getJsonObject(0).getBoolean("cached")).isTrue();
      assertThat(recovered.connections()).isZero();
      Thread.sleep(1_100);
      assertThat(classify("backup-recover.test").sightingClass()).isEqualTo(SightingClass.BACKUP_MX);
      assertThat(recovered.connections()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("IPv6 everywhere: a resolver on ::1, AAAA records for our MX and for a primary probed over IPv6")
  void ipv6() throws IOException {
    try (TestDnsServer dns6 = TestDnsServer.start("::1", ZONE)) {
      redeploy("HUNNYPOT_DNS_SERVERS", dns6.hostAndPort());
      assertThat(classify("trap6-only.test", "0:0:0:0:0:0:0:1").sightingClass()).isEqualTo(SightingClass.TRAP_DOMAIN);
      assertThat(classify("brand6.test", "::1").sightingClass()).isEqualTo(SightingClass.A_RECORD);
      Classification backup = classify("backup-v6.test", "127.0.0.1");
      assertThat(backup.sightingClass()).isEqualTo(SightingClass.BACKUP_MX);
      assertThat(backup.evidence().getJsonArray("probes").getJsonObject(0).getJsonArray("answers").getJsonObject(0)
          .getString("address")).isEqualTo("::1");
      assertThat(dns6.queries("backup-v6.test", "MX")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("an IPv4-mapped identity address counts as the IPv4 address it maps")
  void ipv4MappedIdentity() {
    assertThat(classify("trap-only.test", "::ffff:127.0.0.1").sightingClass()).isEqualTo(SightingClass.TRAP_DOMAIN);
  }

  @Test
  @DisplayName("metrics count DNS queries, cache hits, probes by result and classifications by class")
  void metrics() {
    classify("backup-dead.test");
    classify("backup-dead.test");
    classify("servfail.test");
    assertThat(count("hunnypot.mx.dns.queries", "type", "MX", "result", "records")).isEqualTo(1);
    assertThat(count("hunnypot.mx.dns.queries", "type", "MX", "result", "servfail")).isEqualTo(1);
    assertThat(count("hunnypot.mx.dns.cache.hits", "type", "MX")).isEqualTo(1);
    assertThat(count("hunnypot.mx.probes", "result", "refused")).isEqualTo(1);
    assertThat(count("hunnypot.mx.probe.cache.hits")).isEqualTo(1);
    assertThat(count("hunnypot.mx.classifications", "class", "outage")).isEqualTo(2);
    assertThat(count("hunnypot.mx.classifications", "class", "unknown")).isEqualTo(1);
  }

  @Test
  @DisplayName("a malformed request is answered with a failure, not left to time out")
  void malformedRequest() {
    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.MX_CLASSIFY, "not json").await())
        .isInstanceOf(ReplyException.class)
        .satisfies(error -> assertThat(((ReplyException) error).failureCode()).isEqualTo(400));
    assertThatThrownBy(() -> ask("trap-only.test", "hp.test").await())
        .isInstanceOf(ReplyException.class).hasMessageContaining("not an address");
    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.MX_CLASSIFY,
        new JsonObject().put("identityAddresses", new JsonArray().add("127.0.0.1"))).await())
        .isInstanceOf(ReplyException.class).hasMessageContaining("no domain");
  }

  private double count(String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }
}
