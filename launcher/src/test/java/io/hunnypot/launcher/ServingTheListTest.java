package io.hunnypot.launcher;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.testsupport.SmtpClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole node serving what it learned: a delivery through SMTP becomes a DNSBL answer, an
 * export file, an admin action and a live event, on the embedded PostgreSQL the node starts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingTheListTest {

  static final String ZONE = "bl.test.invalid";
  static final String TOKEN = "e2e-admin-token";

  @TempDir
  static Path dataDir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Map<String, String> environment;
  private Node node;
  private HttpJson api;

  @BeforeAll
  void startNode() throws Exception {
    environment = TestNodes.environment(dataDir,
        "HUNNYPOT_DNSBL_HOST", "127.0.0.1",
        "HUNNYPOT_DNSBL_ZONE", ZONE,
        "HUNNYPOT_TRAP_DOMAINS", "trap.example",
        "HUNNYPOT_ADMIN_TOKEN", TOKEN);
    HunnypotConfig config = ConfigLoader.load(Optional.empty(), environment);
    node = Node.start(config, EnumSet.allOf(Role.class));
    api = new HttpJson(node.httpPort());
  }

  @AfterAll
  void stopNode() throws Exception {
    node.close();
  }

  @Test
  @DisplayName("a delivery to a trap domain is answered by the DNSBL within a second of the end of its session")
  void deliveryIsServedByTheDnsbl() throws Exception {
    String name = "21.0.0.127." + ZONE;
    assertThat(dnsbl(name)).isEqualTo(Rcode.NXDOMAIN);
    deliver("127.0.0.21");
    awaitDnsbl(name, Rcode.NOERROR);
  }

  @Test
  @DisplayName("hunnypot export reads the running node's database and writes the listing to the file, replacing it")
  void exportCommand() throws Exception {
    deliver("127.0.0.22");
    api.await("/api/v1/offenders/127.0.0.22", json -> json.getBoolean("listed"));
    Path file = Files.writeString(dataDir.resolve("listed.txt"), "stale\n");
    StringWriter out = new StringWriter();
    int exit = Hunnypot.commandLine(new Hunnypot(environment)).setOut(new PrintWriter(out, true))
        .execute("export", "plain", "--output", file.toString());
    assertThat(exit).isZero();
    assertThat(Files.readAllLines(file)).contains("127.0.0.22").doesNotContain("stale");
    assertThat(out.toString()).startsWith("wrote " + file);
    try (var siblings = Files.list(dataDir)) {
      assertThat(siblings.filter(path -> path.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  @DisplayName("hunnypot export of an unknown format exits 2 naming the formats there are")
  void exportUnknownFormat() {
    StringWriter err = new StringWriter();
    int exit = Hunnypot.commandLine(new Hunnypot(environment)).setErr(new PrintWriter(err, true))
        .execute("export", "hosts", "--output", dataDir.resolve("hosts").toString());
    assertThat(exit).isEqualTo(Hunnypot.BAD_CONFIGURATION);
    assertThat(err.toString()).contains("unknown export format 'hosts'").contains("rbldnsd6");
  }

  @Test
  @DisplayName("an admin delisting reaches the DNSBL within a second, and the address is listed again when sighted again")
  void delistingReachesTheDnsbl() throws Exception {
    String name = "23.0.0.127." + ZONE;
    deliver("127.0.0.23");
    awaitDnsbl(name, Rcode.NOERROR);
    HttpResponse<String> delisted = HTTP.send(HttpRequest.newBuilder(api("/api/v1/offenders/127.0.0.23"))
        .header("Authorization", "Bearer " + TOKEN).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(delisted.statusCode()).isEqualTo(200);
    awaitDnsbl(name, Rcode.NXDOMAIN);
    deliver("127.0.0.23");
    awaitDnsbl(name, Rcode.NOERROR);
  }

  @Test
  @DisplayName("an allowlist entry added through the admin API takes its listed addresses out of the DNSBL and keeps them out")
  void allowlistEntryReachesTheDnsbl() throws Exception {
    String name = "25.0.0.127." + ZONE;
    deliver("127.0.0.25");
    awaitDnsbl(name, Rcode.NOERROR);
    HttpResponse<String> added = HTTP.send(HttpRequest.newBuilder(api("/api/v1/allowlist"))
        .header("Authorization", "Bearer " + TOKEN).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"network\": \"127.0.0.25/32\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(added.statusCode()).isEqualTo(201);
    awaitDnsbl(name, Rcode.NXDOMAIN);
    deliver("127.0.0.25");
    api.await("/api/v1/sightings?ip=127.0.0.25", json -> json.getJsonArray("items").size() == 2);
    assertThat(dnsbl(name)).as("sighted again inside the allowlist").isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  @DisplayName("the live feed delivers a sighting made through SMTP")
  void liveFeedDeliversASighting() throws Exception {
    HttpResponse<Stream<String>> feed = HTTP.send(HttpRequest.newBuilder(api("/api/v1/events")).build(),
        HttpResponse.BodyHandlers.ofLines());
    try (Stream<String> lines = feed.body()) {
      deliver("127.0.0.24");
      Optional<String> sighting = CompletableFuture.supplyAsync(() -> lines
              .filter(line -> line.startsWith("data: ") && line.contains("\"clientIp\":\"127.0.0.24\"")).findFirst())
          .get(10, TimeUnit.SECONDS);
      assertThat(sighting).isPresent();
      assertThat(new JsonObject(sighting.get().substring(6)).getString("class")).isEqualTo("trap-domain");
    }
  }

  private URI api(String path) {
    return URI.create("http://127.0.0.1:" + node.httpPort() + path);
  }

  /** Asks the DNSBL until it answers {@code rcode}; fails after a second. */
  private void awaitDnsbl(String name, int rcode) throws Exception {
    long start = System.nanoTime();
    while (dnsbl(name) != rcode) {
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("DNSBL answer for " + name).isLessThan(Duration.ofSeconds(1));
      Thread.sleep(10);
    }
  }

  /** A session from {@code client} that delivers to the trap domain. */
  private void deliver(String client) throws IOException {
    try (SmtpClient smtp = SmtpClient.connectFrom(client, "127.0.0.1", node.smtpPort(), Duration.ofSeconds(10))) {
      smtp.readReply();
      smtp.command("HELO spammer.example");
      smtp.command("MAIL FROM:<spam@spammer.example>");
      smtp.command("RCPT TO:<victim@trap.example>");
      smtp.command("DATA");
      smtp.command("QUIT");
    }
  }

  private int dnsbl(String name) throws IOException {
    SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
    resolver.setPort(node.dnsblPort());
    resolver.setTimeout(Duration.ofSeconds(2));
    Message answer = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), Type.A, DClass.IN)));
    return answer.getRcode();
  }
}
