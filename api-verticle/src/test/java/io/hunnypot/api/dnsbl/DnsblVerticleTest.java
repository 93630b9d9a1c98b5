package io.hunnypot.api.dnsbl;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.ListingChange;
import io.hunnypot.contract.ListingChanges;
import io.hunnypot.contract.SightingClass;
import io.hunnypot.api.Tools;
import io.hunnypot.recorder.Schema;
import io.hunnypot.testsupport.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DNSBL over real UDP and TCP sockets on 127.0.0.1, asked by dnsjava's resolver and by
 * {@code dig}, over a database seeded with listed, expired and never-listed offenders.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DnsblVerticleTest {

  static final String ZONE = "bl.test.invalid";
  static final Instant LAST_SEEN = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));

  private Vertx vertx;
  private int port;

  @BeforeAll
  void start() throws Exception {
    String url = TestDatabase.newDatabaseUrl();
    Schema.migrate(url);
    vertx = Vertx.vertx();
    Pool db = PgBuilder.pool().connectingTo(url).using(vertx).build();
    await(db.query("""
        INSERT INTO offenders (ip, first_seen, last_seen, sightings, classes, listed_until) VALUES
          ('192.0.2.1', '%1$s', '%1$s', 3, '{trap-domain,unknown}', now() + interval '7 days'),
          ('2001:db8::1', '%1$s', '%1$s', 1, '{backup-mx}', now() + interval '7 days'),
          ('192.0.2.2', '2025-01-01Z', '2025-01-01Z', 1, '{trap-domain}', '2025-01-08Z'),
          ('192.0.2.3', '%1$s', '%1$s', 1, '{no-envelope}', NULL),
          ('127.0.0.1', '%1$s', '%1$s', 1, '{trap-domain}', now() + interval '7 days')
        """.formatted(LAST_SEEN)).execute().eventually(db::close));
    HunnypotConfig config = ConfigLoader.load(Optional.empty(), Map.of(
        "HUNNYPOT_DB_URL", url,
        "HUNNYPOT_DNSBL_HOST", "127.0.0.1",
        "HUNNYPOT_DNSBL_PORT", "0",
        "HUNNYPOT_DNSBL_ZONE", ZONE,
        "HUNNYPOT_DNSBL_TTL_SECONDS", "120",
        "HUNNYPOT_DNSBL_NEGATIVE_TTL_SECONDS", "30",
        "HUNNYPOT_DNSBL_NAMESERVER", "ns1.test.invalid",
        "HUNNYPOT_DNSBL_TXT", "{class} last seen {lastSeen}, see https://hp.test.invalid/api/v1/offenders/{ip}"));
    DnsblVerticle dnsbl = new DnsblVerticle(config, new SimpleMeterRegistry());
    await(vertx.deployVerticle(dnsbl));
    port = dnsbl.actualPort();
  }

  @AfterAll
  void stop() throws Exception {
    await(vertx.close());
  }

  @ParameterizedTest(name = "over TCP: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a listed IPv4 address answers A 127.0.0.2 and a TXT with its class, last sighting and lookup URL")
  void listedIpv4(boolean tcp) throws IOException {
    Message a = query("1.2.0.192." + ZONE, Type.A, tcp);
    assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(a.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(a.getHeader().getFlag(Flags.RA)).isFalse();
    assertThat(a.getSection(Section.ANSWER)).singleElement().satisfies(record -> {
      assertThat(record.rdataToString()).isEqualTo("127.0.0.2");
      assertThat(record.getTTL()).isEqualTo(120);
    });
    Message txt = query("1.2.0.192." + ZONE, Type.TXT, tcp);
    assertThat(text(txt)).isEqualTo("trap-domain last seen " + LAST_SEEN
        + ", see https://hp.test.invalid/api/v1/offenders/192.0.2.1");
  }

  @ParameterizedTest(name = "over TCP: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a listed IPv6 address answers under its nibble-reversed name")
  void listedIpv6(boolean tcp) throws IOException {
    String name = nibbles("2001:db8::1");
    assertThat(query(name, Type.A, tcp).getSection(Section.ANSWER)).singleElement()
        .satisfies(record -> assertThat(record.rdataToString()).isEqualTo("127.0.0.2"));
    assertThat(text(query(name, Type.TXT, tcp))).startsWith("backup-mx last seen").endsWith("/offenders/2001:db8::1");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"3.2.0.192", "2.2.0.192", "9.9.9.9", "2.0.192", "x.2.0.192", "01.2.0.192", "256.2.0.192"})
  @DisplayName("an address never listed, expired, or not an address at all gets NXDOMAIN with the SOA for negative caching")
  void unlistedIsNxdomain(String reversed) throws IOException {
    Message answer = query(reversed + "." + ZONE, Type.A, false);
    assertThat(answer.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(answer.getSection(Section.ANSWER)).isEmpty();
    assertThat(answer.getSection(Section.AUTHORITY)).singleElement().satisfies(soa -> {
      assertThat(soa.getType()).isEqualTo(Type.SOA);
      assertThat(soa.getTTL()).isEqualTo(30);
    });
  }

  @Test
  @DisplayName("the RFC 5782 test entries: 127.0.0.2 and ::FFFF:7F00:2 listed, 127.0.0.1 and ::FFFF:7F00:1 not, even if sighted")
  void testEntries() throws IOException {
    assertThat(query("2.0.0.127." + ZONE, Type.A, false).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(text(query("2.0.0.127." + ZONE, Type.TXT, false))).isEqualTo("RFC 5782 test entry");
    assertThat(query("1.0.0.127." + ZONE, Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(query(nibbles("::ffff:7f00:2"), Type.A, false).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(query(nibbles("::ffff:7f00:1"), Type.A, true).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  @DisplayName("the zone apex has its SOA and NS; other types there and at a listed name are NOERROR with no data")
  void apex() throws IOException {
    Message soa = query(ZONE, Type.SOA, false);
    assertThat(soa.getSection(Section.ANSWER)).singleElement().satisfies(record ->
        assertThat(record.rdataToString()).startsWith("ns1.test.invalid. hostmaster." + ZONE + ". "));
    Message ns = query(ZONE, Type.NS, true);
    assertThat(ns.getSection(Section.ANSWER)).singleElement().satisfies(record ->
        assertThat(record.rdataToString()).isEqualTo("ns1.test.invalid."));
    Message mx = query(ZONE, Type.MX, false);
    assertThat(mx.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(mx.getSection(Section.ANSWER)).isEmpty();
    Message aaaa = query("1.2.0.192." + ZONE, Type.AAAA, false);
    assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(aaaa.getSection(Section.ANSWER)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"example.com", "1.2.0.192.bl.other.invalid", "test.invalid", "."})
  @DisplayName("a name outside the zone is REFUSED: the server never recurses")
  void outsideTheZone(String name) throws IOException {
    Message answer = query(name, Type.A, false);
    assertThat(answer.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(answer.getHeader().getFlag(Flags.RA)).isFalse();
  }

  @Test
  @DisplayName("a listing published on the bus is served within a second, and a delisting as fast")
  void followsListingChanges() throws Exception {
    String name = "7.113.0.198." + ZONE;
    assertThat(query(name, Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    publish(new ListingChange("198.0.113.7", Instant.now().plus(Duration.ofDays(1)), Instant.now(), SightingClass.A_RECORD));
    assertThat(rcodeWithinASecond(name, Rcode.NOERROR)).isTrue();
    publish(ListingChange.delisted("198.0.113.7"));
    assertThat(rcodeWithinASecond(name, Rcode.NXDOMAIN)).isTrue();
    publish(new ListingChange("198.0.113.7", Instant.now().minusSeconds(1), Instant.now(), SightingClass.A_RECORD));
    assertThat(query(name, Type.A, false).getRcode()).as("an expired listing is not served").isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  @DisplayName("malformed packets get FORMERR or nothing, and the server keeps serving")
  void malformedPackets() throws Exception {
    byte[] garbageAfterHeader = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3f, 'x', 'y'};
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(2000);
      for (byte[] packet : List.of(new byte[0], new byte[] {1, 2, 3}, "\u00ff".repeat(600).getBytes(StandardCharsets.ISO_8859_1))) {
        socket.send(new DatagramPacket(packet, packet.length, InetAddress.getLoopbackAddress(), port));
      }
      socket.send(new DatagramPacket(garbageAfterHeader, garbageAfterHeader.length, InetAddress.getLoopbackAddress(), port));
      byte[] buffer = new byte[512];
      DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
      socket.receive(reply);
      Message formerr = new Message(java.util.Arrays.copyOf(buffer, reply.getLength()));
      assertThat(formerr.getHeader().getID()).isEqualTo(0x1234);
      assertThat(formerr.getRcode()).isEqualTo(Rcode.FORMERR);
    }
    try (var tcp = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
      tcp.getOutputStream().write(new byte[] {0, 5, 1, 2, 3, 4, 5});
      tcp.getOutputStream().flush();
    }
    assertThat(query("1.2.0.192." + ZONE, Type.A, false).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(query("1.2.0.192." + ZONE, Type.A, true).getRcode()).isEqualTo(Rcode.NOERROR);
  }

  @Test
  @DisplayName("dig gets the same answers over UDP and TCP: listed, unlisted, IPv6, test entry, outside the zone")
  void dig() throws Exception {
    Assumptions.assumeTrue(Tools.installed("dig"), "install bind9-dnsutils to check the DNSBL with dig");
    assertThat(dig("1.2.0.192." + ZONE, "A", "+short")).isEqualTo("127.0.0.2");
    assertThat(dig("1.2.0.192." + ZONE, "TXT", "+short", "+tcp")).startsWith("\"trap-domain last seen");
    assertThat(dig(nibbles("2001:db8::1"), "A", "+short", "+tcp")).isEqualTo("127.0.0.2");
    assertThat(dig("2.0.0.127." + ZONE, "A", "+short")).isEqualTo("127.0.0.2");
    assertThat(dig("3.2.0.192." + ZONE, "A")).contains("status: NXDOMAIN").contains("flags: qr aa rd;");
    assertThat(dig("example.com", "A", "+tcp")).contains("status: REFUSED");
    assertThat(dig(ZONE, "SOA", "+short")).startsWith("ns1.test.invalid. hostmaster." + ZONE + ".");
  }

  private String dig(String name, String type, String... options) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(port),
        "+time=2", "+tries=1", name, type));
    command.addAll(List.of(options));
    return Tools.run(command).trim();
  }

  private void publish(ListingChange change) {
    vertx.eventBus().publish(Addresses.LISTING_CHANGED, new ListingChanges(List.of(change)).toJson());
  }

  private boolean rcodeWithinASecond(String name, int rcode) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (System.nanoTime() < deadline) {
      if (query(name, Type.A, false).getRcode() == rcode) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  private Message query(String name, int type, boolean tcp) throws IOException {
    SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
    resolver.setPort(port);
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofSeconds(2));
    return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN)));
  }

  private static String text(Message answer) {
    return String.join("", ((TXTRecord) answer.getSection(Section.ANSWER).get(0)).getStrings());
  }

  static String nibbles(String ipv6) throws IOException {
    return ReverseMap.fromAddress(InetAddress.getByName(ipv6)).toString()
        .replace("ip6.arpa.", ZONE).replace("in-addr.arpa.", ZONE);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
