package io.hunnypot.launcher;

import io.hunnypot.testsupport.SmtpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole node in one JVM, on the embedded PostgreSQL it starts itself: SMTP in through a
 * real socket, sightings out through the HTTP API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AllInOneNodeTest {

  @TempDir
  static Path dataDir;

  private Node node;
  private HttpJson api;

  @BeforeAll
  void startNode() throws Exception {
    node = Node.start(TestNodes.config(dataDir,
        "HUNNYPOT_SMTP_IDLE_TIMEOUT_SECONDS", "2",
        "HUNNYPOT_TRAP_DOMAINS", "trap.example"), EnumSet.allOf(Role.class));
    api = new HttpJson(node.httpPort());
  }

  @AfterAll
  void stopNode() throws Exception {
    node.close();
  }

  @Test
  @DisplayName("on Linux (x86-64 or aarch64) the node runs on the native epoll transport")
  void nativeTransportOnLinux() {
    assumeTrue(System.getProperty("os.name").equals("Linux")
        && List.of("amd64", "aarch64").contains(System.getProperty("os.arch")), "not a platform with the epoll jars");
    assertThat(node.onNativeTransport()).isTrue();
  }

  @Test
  @DisplayName("a delivery to a trap domain gets 451 after DATA and is read back through the API as a listed offender")
  void deliveryIsRecordedAndListed() throws Exception {
    try (SmtpClient smtp = client("127.0.0.2")) {
      assertThat(smtp.readReply().code()).isEqualTo(220);
      assertThat(smtp.command("EHLO spammer.example").lines()).contains("PIPELINING");
      assertThat(smtp.command("MAIL FROM:<spam@spammer.example>").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<victim@trap.example>").code()).isEqualTo(250);
      SmtpClient.Reply data = smtp.command("DATA");
      assertThat(data.code()).isEqualTo(451);
      assertThat(data.text()).startsWith("4.3.0");
      assertThat(smtp.command("QUIT").code()).isEqualTo(221);
    }
    JsonObject sighting = onlySighting("127.0.0.2");
    assertThat(sighting.getString("class")).isEqualTo("trap-domain");
    assertThat(sighting.getString("ending")).isEqualTo("quit");
    assertThat(sighting.getString("helo")).isEqualTo("spammer.example");
    assertThat(sighting.getString("sender")).isEqualTo("spam@spammer.example");
    assertThat(sighting.getJsonArray("recipients")).containsExactly("victim@trap.example");
    assertThat(sighting.getInteger("localPort")).isEqualTo(node.smtpPort());

    JsonObject offender = api.get("/api/v1/offenders/127.0.0.2").json();
    assertThat(offender.getString("ip")).isEqualTo("127.0.0.2");
    assertThat(offender.getBoolean("listed")).isTrue();
    assertThat(offender.getJsonArray("classes")).contains("trap-domain");
  }

  @Test
  @DisplayName("a client on IPv6 is recorded under its IPv6 address")
  void ipv6ClientIsRecorded() throws Exception {
    try (SmtpClient smtp = SmtpClient.connect("::1", node.smtpPort())) {
      smtp.readReply();
      smtp.command("HELO six.example");
      smtp.command("MAIL FROM:<>");
      smtp.command("RCPT TO:<x@trap.example>");
      smtp.command("QUIT");
    }
    assertThat(onlySighting("::1").getString("class")).isEqualTo("trap-domain");
    assertThat(api.get("/api/v1/offenders/0:0:0:0:0:0:0:1").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a fourth concurrent connection from one address gets 421 and is itself a sighting")
  void fourthConnectionFromOneAddressIsRefused() throws Exception {
    List<SmtpClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        SmtpClient client = client("127.0.0.3");
        assertThat(client.readReply().code()).isEqualTo(220);
        open.add(client);
      }
      try (SmtpClient fourth = client("127.0.0.3")) {
        assertThat(fourth.readReply().code()).isEqualTo(421);
        assertThat(fourth.isClosedByServer()).isTrue();
      }
    } finally {
      for (SmtpClient client : open) {
        client.close();
      }
    }
    JsonArray sightings = api.await("/api/v1/sightings?ip=127.0.0.3",
        json -> json.getJsonArray("items").size() == 4).getJsonArray("items");
    assertThat(endings(sightings)).containsExactlyInAnyOrder("connection-limit", "client-closed", "client-closed", "client-closed");
  }

  @Test
  @DisplayName("a silent client is disconnected after the idle timeout")
  void idleTimeoutClosesTheSession() throws Exception {
    try (SmtpClient smtp = SmtpClient.connectFrom("127.0.0.4", "127.0.0.1", node.smtpPort(), Duration.ofSeconds(10))) {
      smtp.readReply();
      long start = System.nanoTime();
      assertThat(smtp.readReply().code()).isEqualTo(421);
      assertThat(smtp.isClosedByServer()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
    }
    assertThat(onlySighting("127.0.0.4").getString("ending")).isEqualTo("idle-timeout");
  }

  @Test
  @DisplayName("a client that sends more than the byte cap is disconnected")
  void byteCapClosesTheSession() throws Exception {
    try (SmtpClient smtp = client("127.0.0.5")) {
      smtp.readReply();
      // in one write: once the cap closes the session, any later write of the client may fail
      smtp.sendRaw("NOOP padding the session past its byte cap\r\n".repeat(60).getBytes(StandardCharsets.US_ASCII));
      assertThat(smtp.isClosedByServer()).isTrue();
    }
    JsonObject sighting = onlySighting("127.0.0.5");
    assertThat(sighting.getString("ending")).isEqualTo("byte-cap");
    assertThat(sighting.getLong("bytes")).isGreaterThan(1024);
  }

  static Stream<Arguments> badInput() {
    byte[] tlsClientHello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03};
    return Stream.of(
        Arguments.of("binary bytes", "127.0.1.1", new byte[] {(byte) 0xff, (byte) 0xfe, 0x01, 0x02, '\r', '\n'}, "client-closed"),
        Arguments.of("a NUL byte", "127.0.1.2", "HELO a\0b\r\n".getBytes(StandardCharsets.ISO_8859_1), "protocol-error"),
        Arguments.of("bare LF line ends", "127.0.1.3", "HELO lf.example\nNOOP\n".getBytes(StandardCharsets.US_ASCII), "client-closed"),
        Arguments.of("a TLS ClientHello", "127.0.1.4", tlsClientHello, "protocol-error"),
        Arguments.of("an HTTP request", "127.0.1.5", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "protocol-error"),
        Arguments.of("a 10 kB line", "127.0.1.6", ("HELO " + "x".repeat(10_000) + "\r\n").getBytes(StandardCharsets.US_ASCII), "byte-cap"),
        Arguments.of("a pipelined flood", "127.0.1.7", "NOOP\r\n".repeat(200).getBytes(StandardCharsets.US_ASCII), "byte-cap"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  @DisplayName("bad input gets a reply or a clean close, the node keeps serving, and it is a sighting")
  void badInputIsASighting(String what, String clientAddress, byte[] input, String ending) throws Exception {
    try (SmtpClient smtp = client(clientAddress)) {
      assertThat(smtp.readReply().code()).isEqualTo(220);
      smtp.sendRaw(input);
      assertThat(answeredOrClosed(smtp)).as("a reply or a close after %s", what).isTrue();
    }
    assertThat(onlySighting(clientAddress).getString("ending")).isEqualTo(ending);
    try (SmtpClient next = client("127.0.1.99")) {
      assertThat(next.readReply().code()).as("the node still greets after %s", what).isEqualTo(220);
    }
  }

  @Test
  @DisplayName("a client that vanishes in the middle of a command is a sighting that ended client-closed")
  void clientVanishingMidCommandIsASighting() throws Exception {
    try (SmtpClient smtp = client("127.0.1.8")) {
      smtp.readReply();
      smtp.sendRaw("MAIL FROM:<half".getBytes(StandardCharsets.US_ASCII));
    }
    JsonObject sighting = onlySighting("127.0.1.8");
    assertThat(sighting.getString("ending")).isEqualTo("client-closed");
    assertThat(sighting.getString("class")).isEqualTo("no-envelope");
  }

  private static boolean answeredOrClosed(SmtpClient smtp) throws IOException {
    try {
      smtp.readReply();
      return true;
    } catch (EOFException | SocketException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  /** A session from the given client address (one of 127.0.0.0/8) to the node. */
  private SmtpClient client(String clientAddress) throws IOException {
    return SmtpClient.connectFrom(clientAddress, "127.0.0.1", node.smtpPort(), Duration.ofSeconds(10));
  }

  private JsonObject onlySighting(String ip) throws Exception {
    JsonArray items = api.await("/api/v1/sightings?ip=" + ip, json -> json.getJsonArray("items").size() >= 1)
        .getJsonArray("items");
    assertThat(items).hasSize(1);
    return items.getJsonObject(0);
  }

  private static List<String> endings(JsonArray sightings) {
    return sightings.stream().map(JsonObject.class::cast).map(s -> s.getString("ending")).toList();
  }
}
