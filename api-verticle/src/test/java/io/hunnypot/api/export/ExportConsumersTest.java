package io.hunnypot.api.export;

import io.hunnypot.api.Listings;
import io.hunnypot.api.Tools;
import io.hunnypot.config.ConfigLoader;
import io.hunnypot.recorder.Schema;
import io.hunnypot.testsupport.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each export handed to its real consumer, as installed from Debian: rbldnsd serves the
 * datasets, nft checks the sets, postmap builds the Postfix tables, tcprules the cdb, makemap
 * the sendmail map. The listing: 192.0.2.1 alone, the whole of 198.51.100.0/24, 203.0.113.0/25,
 * 2001:db8::1 to ::3; 192.0.2.2 expired and 192.0.2.3 never listed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportConsumersTest {

  @TempDir
  static Path dir;

  private Vertx vertx;
  private Listings listings;

  @BeforeAll
  void seed() throws Exception {
    String url = TestDatabase.newDatabaseUrl();
    Schema.migrate(url);
    vertx = Vertx.vertx();
    Pool db = PgBuilder.pool().connectingTo(url).using(vertx).build();
    db.query("""
        INSERT INTO offenders (ip, first_seen, last_seen, sightings, classes, listed_until)
        SELECT ip::inet, now() - interval '1 day', now(), 1, '{trap-domain}', now() + interval '7 days' FROM (
          SELECT '192.0.2.1' AS ip
          UNION ALL SELECT '198.51.100.' || n FROM generate_series(0, 255) AS n
          UNION ALL SELECT '203.0.113.' || n FROM generate_series(0, 127) AS n
          UNION ALL SELECT '2001:db8::' || n FROM generate_series(1, 3) AS n) AS listed;
        INSERT INTO offenders (ip, first_seen, last_seen, sightings, classes, listed_until) VALUES
          ('192.0.2.2', '2025-01-01Z', '2025-01-01Z', 1, '{backup-mx}', '2025-01-08Z'),
          ('192.0.2.3', now(), now(), 1, '{unknown}', NULL)
        """).execute().eventually(db::close).await(30, TimeUnit.SECONDS);
    listings = new Listings(PgBuilder.pool().connectingTo(url).using(vertx).build(),
        ConfigLoader.load(Optional.empty(), Map.of()).listing());
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // rbldnsd reads as nobody
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Path export(ExportFormat format, String file) throws Exception {
    Path path = dir.resolve(file);
    Files.write(path, Export.render(vertx, listings, format).await(30, TimeUnit.SECONDS).getBytes());
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
    return path;
  }

  @Test
  @DisplayName("rbldnsd loads the ip4set and ip6trie exports and answers for listed addresses, merged ranges and test entries")
  void rbldnsd() throws Exception {
    assumeInstalled("rbldnsd", "rbldnsd");
    Path ip4 = export(ExportFormat.RBLDNSD, "hunnypot.ip4set");
    Path ip6 = export(ExportFormat.RBLDNSD6, "hunnypot.ip6trie");
    assertThat(Files.readString(ip4)).contains("\n198.51.100.0/24\n", "\n203.0.113.0/25\n", "\n192.0.2.1\n")
        .doesNotContain("192.0.2.2", "192.0.2.3");
    int port = freeUdpPort();
    Process rbldnsd = new ProcessBuilder("rbldnsd", "-n", "-u", "nobody", "-b", "127.0.0.1/" + port, "-w", dir.toString(),
        "bl.test:ip4set:" + ip4.getFileName(), "bl.test:ip6trie:" + ip6.getFileName())
        .redirectErrorStream(true).redirectOutput(dir.resolve("rbldnsd.log").toFile()).start();
    try {
      assertThat(answer(port, "1.2.0.192.bl.test", Duration.ofSeconds(10))).isEqualTo(Rcode.NOERROR);
      assertThat(answer(port, "77.100.51.198.bl.test", Duration.ZERO)).isEqualTo(Rcode.NOERROR);
      assertThat(answer(port, "127.113.0.203.bl.test", Duration.ZERO)).isEqualTo(Rcode.NOERROR);
      assertThat(answer(port, "128.113.0.203.bl.test", Duration.ZERO)).isEqualTo(Rcode.NXDOMAIN);
      assertThat(answer(port, "2.2.0.192.bl.test", Duration.ZERO)).isEqualTo(Rcode.NXDOMAIN);
      assertThat(answer(port, "2.0.0.127.bl.test", Duration.ZERO)).isEqualTo(Rcode.NOERROR);
      assertThat(answer(port, "1.0.0.127.bl.test", Duration.ZERO)).isEqualTo(Rcode.NXDOMAIN);
      assertThat(answer(port, nibbles("3") + "bl.test", Duration.ZERO)).isEqualTo(Rcode.NOERROR);
      assertThat(answer(port, nibbles("4") + "bl.test", Duration.ZERO)).isEqualTo(Rcode.NXDOMAIN);
    } finally {
      rbldnsd.destroy();
      rbldnsd.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("nft -c accepts the nftables sets, with merged ranges as intervals")
  void nftables() throws Exception {
    assumeInstalled("nft", "nftables");
    Path file = export(ExportFormat.NFTABLES, "hunnypot.nft");
    assertThat(Files.readString(file)).contains("flags interval", "198.51.100.0/24", "203.0.113.0/25", "2001:db8::2/127");
    Tools.run(List.of("nft", "-c", "-f", file.toString()));
  }

  @Test
  @DisplayName("postmap builds the Postfix access table, and looks up addresses and octet prefixes in it")
  void postfixAccess() throws Exception {
    assumeInstalled("postmap", "postfix");
    Path file = export(ExportFormat.POSTFIX, "access");
    Tools.run(List.of("postmap", "hash:" + file));
    assertThat(postmap("hash", file, "192.0.2.1")).isEqualTo("REJECT Listed by Hunnypot");
    assertThat(postmap("hash", file, "198.51.100")).isEqualTo("REJECT Listed by Hunnypot");
    assertThat(postmap("hash", file, "203.0.113.127")).isEqualTo("REJECT Listed by Hunnypot");
    assertThat(postmap("hash", file, "2001:db8::2")).isEqualTo("REJECT Listed by Hunnypot");
    assertThat(postmap("hash", file, "192.0.2.2")).isNull();
  }

  @Test
  @DisplayName("postmap reads the Postfix CIDR table and matches addresses inside its merged networks")
  void postfixCidr() throws Exception {
    assumeInstalled("postmap", "postfix");
    Path file = export(ExportFormat.POSTFIX_CIDR, "access.cidr");
    assertThat(postmap("cidr", file, "198.51.100.77")).isEqualTo("REJECT Listed by Hunnypot");
    assertThat(postmap("cidr", file, "203.0.113.5")).isEqualTo("REJECT Listed by Hunnypot");
    assertThat(postmap("cidr", file, "2001:db8::3")).isEqualTo("REJECT Listed by Hunnypot");
    assertThat(postmap("cidr", file, "203.0.113.130")).isNull();
  }

  @Test
  @DisplayName("tcprules builds the cdb, and tcprulescheck denies listed addresses and allows the rest")
  void tcprules() throws Exception {
    assumeInstalled("tcprules", "ucspi-tcp");
    Path rules = export(ExportFormat.TCPRULES, "rules.txt");
    Path cdb = dir.resolve("rules.cdb");
    Tools.run(List.of("sh", "-c", "tcprules " + cdb + " " + dir.resolve("rules.tmp") + " < " + rules));
    assertThat(tcprulescheck(cdb, "192.0.2.1")).contains("deny");
    assertThat(tcprulescheck(cdb, "198.51.100.200")).contains("deny");
    assertThat(tcprulescheck(cdb, "203.0.113.64")).contains("deny");
    assertThat(tcprulescheck(cdb, "192.0.2.2")).contains("allow");
  }

  @Test
  @DisplayName("makemap builds the sendmail access map with Connect: entries, IPv6 included")
  void sendmail() throws Exception {
    assumeInstalled("makemap", "sendmail-bin (or unpack its makemap as .ci/run does, since it conflicts with postfix)");
    Path source = export(ExportFormat.SENDMAIL, "access");
    Path map = dir.resolve("access-map");
    Tools.run(List.of("sh", "-c", "makemap hash " + map + " < " + source));
    assertThat(Tools.run(List.of("makemap", "-u", "hash", map.toString())))
        .contains("connect:192.0.2.1\tREJECT", "connect:198.51.100\tREJECT", "connect:203.0.113.127\tREJECT",
            "connect:ipv6:2001:db8::3\tREJECT")
        .doesNotContain("192.0.2.2");
  }

  @Test
  @DisplayName("plain, CSV and JSON list every listed address once, and nothing else")
  void plainCsvJson() throws Exception {
    List<String> plain = Files.readAllLines(export(ExportFormat.PLAIN, "plain.txt"));
    assertThat(plain).hasSize(1 + 256 + 128 + 3).startsWith("192.0.2.1", "198.51.100.0").endsWith("2001:db8::3")
        .doesNotContain("192.0.2.2", "192.0.2.3");
    List<String> csv = Files.readAllLines(export(ExportFormat.CSV, "listing.csv"));
    assertThat(csv.get(0)).isEqualTo("ip,class,first_seen,last_seen,listed_until,sightings");
    assertThat(csv).hasSize(plain.size() + 1);
    assertThat(csv.get(1)).startsWith("192.0.2.1,trap-domain,").endsWith(",1");
    JsonObject json = new JsonObject(Files.readString(export(ExportFormat.JSON, "listing.json")));
    assertThat(json.getInteger("count")).isEqualTo(plain.size());
    assertThat(json.getJsonArray("items").getJsonObject(0).getString("ip")).isEqualTo("192.0.2.1");
    assertThat(json.getJsonArray("items").getJsonObject(0).getString("class")).isEqualTo("trap-domain");
  }

  private static void assumeInstalled(String program, String debianPackage) {
    Assumptions.assumeTrue(Tools.installed(program), "install " + debianPackage + " to check this export with " + program);
  }

  /** The value postmap finds for the key, or null when it finds none. */
  private static String postmap(String type, Path table, String key) throws Exception {
    Tools.Result result = Tools.result(List.of("postmap", "-q", key, type + ":" + table), Map.of());
    return result.exit() == 0 ? result.output().trim() : null;
  }

  private static String tcprulescheck(Path cdb, String ip) throws Exception {
    return Tools.result(List.of("tcprulescheck", cdb.toString()), Map.of("TCPREMOTEIP", ip)).output();
  }

  /** The rcode rbldnsd answers for an A query; waits up to {@code patience} for it to start answering. */
  private static int answer(int port, String name, Duration patience) throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try {
        SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
        resolver.setPort(port);
        resolver.setTimeout(Duration.ofMillis(500));
        Message answer = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), Type.A, DClass.IN)));
        return answer.getRcode();
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
      }
    }
  }

  /** The 32 reversed nibbles of 2001:db8::{@code last} (one hex digit), with a trailing dot. */
  private static String nibbles(String last) {
    return last + ".0".repeat(23) + ".8.b.d.0.1.0.0.2.";
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
