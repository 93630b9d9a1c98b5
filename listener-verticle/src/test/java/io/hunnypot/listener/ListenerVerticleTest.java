package io.hunnypot.listener;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Classification;
import io.hunnypot.contract.ClassifyRequest;
import io.hunnypot.contract.SessionEnd;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingClass;
import io.hunnypot.testsupport.SmtpClient;
import io.hunnypot.testsupport.SmtpClient.Reply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The listener over real TCP sockets on loopback, with a fake recorder and a fake MX monitor
 * on the event bus in place of the real ones.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenerVerticleTest {

  private static final String HOST = "127.0.0.1";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeRecorder recorder = new FakeRecorder();
  private final FakeMxMonitor monitor = new FakeMxMonitor();
  @TempDir
  Path dataDir;
  private Vertx vertx;
  private MessageConsumer<JsonObject> recorderConsumer;
  private ListenerVerticle listener;
  private String deploymentId;

  @BeforeEach
  void fakes(Vertx vertx) {
    this.vertx = vertx;
    recorderConsumer = vertx.eventBus().consumer(Addresses.SIGHTING_RECORD, recorder::handle);
    recorderConsumer.completion().await();
    vertx.eventBus().<JsonObject>consumer(Addresses.MX_CLASSIFY, monitor::handle).completion().await();
  }

  /** Stops the listener while the fakes still answer, so that its last sightings are delivered. */
  @AfterEach
  void stop() {
    if (deploymentId != null && vertx.deploymentIDs().contains(deploymentId)) {
      vertx.undeploy(deploymentId).await();
    }
  }

  /** Deploys a listener on a free loopback port; {@code environment} holds extra HUNNYPOT_ settings as name, value, ... */
  private int deploy(String... environment) {
    Map<String, String> settings = new HashMap<>(Map.of(
        "HUNNYPOT_SMTP_HOST", HOST,
        "HUNNYPOT_SMTP_PORT", "0",
        "HUNNYPOT_SMTP_HOSTNAME", "mx.test",
        "HUNNYPOT_NODE_NAME", "node-1",
        "HUNNYPOT_DATA_DIR", dataDir.toString(),
        "HUNNYPOT_SPOOL_REPLAY_INTERVAL_MILLIS", "100"));
    for (int i = 0; i < environment.length; i += 2) {
      settings.put(environment[i], environment[i + 1]);
    }
    listener = new ListenerVerticle(ConfigLoader.load(Optional.empty(), settings), registry);
    deploymentId = vertx.deployVerticle(listener).await();
    return listener.actualPort();
  }

  private SmtpClient greeted(String host, int port) throws IOException {
    SmtpClient client = SmtpClient.connect(host, port);
    assertThat(client.readReply()).isEqualTo(new Reply(220, List.of("mx.test ESMTP")));
    return client;
  }

  private double counter(String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  /** A whole session: greeting, HELO {@code helo}, QUIT. */
  private void quitSession(int port, String helo) throws IOException {
    try (SmtpClient client = greeted(HOST, port)) {
      assertThat(client.command("HELO " + helo).code()).isEqualTo(250);
      assertThat(client.command("QUIT").code()).isEqualTo(221);
    }
  }

  private List<Path> spoolFiles() {
    try (Stream<Path> files = Files.list(dataDir.resolve("spool/node-1"))) {
      return files.filter(f -> f.toString().endsWith(".sightings")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("a full dialogue ends with 451 after DATA and gives one sighting with every field and the strongest class")
  void fullDialogue() throws Exception {
    int port = deploy();
    int clientPort;
    try (SmtpClient client = greeted(HOST, port)) {
      clientPort = client.localPort();
      Reply ehlo = client.command("EHLO client.example");
      assertThat(ehlo.code()).isEqualTo(250);
      assertThat(ehlo.lines()).containsExactly("mx.test", "PIPELINING", "SIZE 10240000", "8BITMIME", "ENHANCEDSTATUSCODES");
      assertThat(client.command("MAIL FROM:<spammer@sender.example>").code()).isEqualTo(250);
      assertThat(client.command("RCPT TO:<victim@Trap.Example>").code()).isEqualTo(250);
      assertThat(client.command("RCPT TO:<someone@other.example>").code()).isEqualTo(250);
      assertThat(client.command("RCPT TO:<another@trap.example>").code()).isEqualTo(250);
      Reply data = client.command("DATA");
      assertThat(data.code()).isEqualTo(451);
      assertThat(data.text()).startsWith("4.3.0 ").doesNotContainIgnoringCase("trap");
      assertThat(client.command("QUIT").code()).isEqualTo(221);
      assertThat(client.isClosedByServer()).isTrue();
    }

    Sighting sighting = recorder.next();
    assertThat(sighting.id()).isNotNull();
    assertThat(sighting.startedAt()).isBeforeOrEqualTo(sighting.endedAt());
    assertThat(sighting.clientIp()).isEqualTo(HOST);
    assertThat(sighting.clientPort()).isEqualTo(clientPort);
    assertThat(sighting.localIp()).isEqualTo(HOST);
    assertThat(sighting.localPort()).isEqualTo(port);
    assertThat(sighting.node()).isEqualTo("node-1");
    assertThat(sighting.helo()).isEqualTo("client.example");
    assertThat(sighting.sender()).isEqualTo("spammer@sender.example");
    assertThat(sighting.recipients()).containsExactly("victim@Trap.Example", "someone@other.example", "another@trap.example");
    assertThat(sighting.commands()).isEqualTo(7);
    assertThat(sighting.bytes()).isEqualTo(("EHLO client.example\r\nMAIL FROM:<spammer@sender.example>\r\n"
        + "RCPT TO:<victim@Trap.Example>\r\nRCPT TO:<someone@other.example>\r\nRCPT TO:<another@trap.example>\r\n"
        + "DATA\r\nQUIT\r\n").length());
    assertThat(sighting.ending()).isEqualTo(SessionEnd.QUIT);
    assertThat(sighting.sightingClass()).isEqualTo(SightingClass.TRAP_DOMAIN);
    assertThat(sighting.evidence().getJsonObject("domains").fieldNames()).containsExactlyInAnyOrder("trap.example", "other.example");
    assertThat(sighting.evidence().getJsonObject("domains").getJsonObject("other.example").getString("class")).isEqualTo("unknown");

    assertThat(monitor.requests).as("one request per distinct domain, lower case, with the address connected to")
        .containsExactly(new ClassifyRequest("trap.example", List.of(HOST)), new ClassifyRequest("other.example", List.of(HOST)));
    eventually(() -> assertThat(counter("hunnypot.sightings.delivered")).isEqualTo(1));
    assertThat(counter("hunnypot.smtp.sessions", "ending", "quit")).isEqualTo(1);
    assertThat(recorder.sightings).isEmpty();
  }

  @Test
  @DisplayName("an IPv6 client on ::1 is served, and its address is stored compressed")
  void ipv6() throws Exception {
    int port = deploy("HUNNYPOT_SMTP_HOST", "::1");
    try (SmtpClient client = greeted("::1", port)) {
      client.command("HELO v6.example");
      client.command("MAIL FROM:<>");
      client.command("RCPT TO:<u@trap.example>");
      assertThat(client.command("QUIT").code()).isEqualTo(221);
    }
    Sighting sighting = recorder.next();
    assertThat(sighting.clientIp()).isEqualTo("::1");
    assertThat(sighting.localIp()).isEqualTo("::1");
    assertThat(sighting.helo()).isEqualTo("v6.example");
    assertThat(monitor.requests).containsExactly(new ClassifyRequest("trap.example", List.of("::1")));
  }

  @Test
  @DisplayName("configured identity addresses, not the address connected to, tell the monitor which MXs are ours (behind NAT)")
  void configuredIdentity() throws Exception {
    int port = deploy("HUNNYPOT_IDENTITY_ADDRESSES", "192.0.2.25,2001:db8::25");
    try (SmtpClient client = greeted(HOST, port)) {
      client.command("HELO nat.example");
      client.command("MAIL FROM:<>");
      client.command("RCPT TO:<u@backup.example>");
      client.command("QUIT");
    }
    recorder.next();
    assertThat(monitor.requests).containsExactly(new ClassifyRequest("backup.example", List.of("192.0.2.25", "2001:db8::25")));
  }

  @Test
  @DisplayName("a session with no recipient is still a sighting, of class no-envelope")
  void noEnvelope() throws Exception {
    int port = deploy();
    try (SmtpClient client = greeted(HOST, port)) {
      client.command("HELO scanner");
      client.command("QUIT");
    }
    Sighting sighting = recorder.next();
    assertThat(sighting.sightingClass()).isEqualTo(SightingClass.NO_ENVELOPE);
    assertThat(sighting.recipients()).isEmpty();
    assertThat(sighting.sender()).isNull();
  }

  @Test
  @DisplayName("the 4th concurrent connection from one address gets 421 4.7.0 and is closed, and is itself a sighting")
  void perIpLimit() throws Exception {
    int port = deploy("HUNNYPOT_SMTP_MAX_PER_IP", "3");
    List<SmtpClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        clients.add(greeted(HOST, port));
      }
      eventually(() -> assertThat(registry.get("hunnypot.smtp.sessions.open").gauge().value()).isEqualTo(3));
      try (SmtpClient fourth = SmtpClient.connect(HOST, port)) {
        Reply refusal = fourth.readReply();
        assertThat(refusal.code()).isEqualTo(421);
        assertThat(refusal.text()).startsWith("4.7.0 ");
        assertThat(fourth.isClosedByServer()).isTrue();
      }
      Sighting refused = recorder.next();
      assertThat(refused.ending()).isEqualTo(SessionEnd.CONNECTION_LIMIT);
      assertThat(refused.commands()).isZero();
      assertThat(refused.sightingClass()).isEqualTo(SightingClass.NO_ENVELOPE);
      assertThat(counter("hunnypot.smtp.connections.refused", "limit", "per-ip")).isEqualTo(1);
      for (SmtpClient client : clients) {
        assertThat(client.command("NOOP").code()).as("the first three are served on").isEqualTo(250);
      }
    } finally {
      for (SmtpClient client : clients) {
        client.close();
      }
    }
    for (int i = 0; i < 3; i++) {
      assertThat(recorder.next().ending()).isEqualTo(SessionEnd.CLIENT_CLOSED);
    }
    eventually(() -> assertThat(registry.get("hunnypot.smtp.sessions.open").gauge().value()).isZero());
  }

  @Test
  @DisplayName("past smtp.maxConnections a connection gets 421 and is closed; once one leaves, a new one is served")
  void totalLimit() throws Exception {
    int port = deploy("HUNNYPOT_SMTP_MAX_CONNECTIONS", "2", "HUNNYPOT_SMTP_MAX_PER_IP", "5");
    try (SmtpClient first = greeted(HOST, port); SmtpClient second = greeted(HOST, port)) {
      try (SmtpClient third = SmtpClient.connect(HOST, port)) {
        assertThat(third.readReply().code()).isEqualTo(421);
        assertThat(third.isClosedByServer()).isTrue();
      }
      assertThat(recorder.next().ending()).isEqualTo(SessionEnd.CONNECTION_LIMIT);
      assertThat(counter("hunnypot.smtp.connections.refused", "limit", "total")).isEqualTo(1);
      assertThat(first.command("QUIT").code()).isEqualTo(221);
      assertThat(recorder.next().ending()).isEqualTo(SessionEnd.QUIT);
      try (SmtpClient next = greeted(HOST, port)) {
        assertThat(next.command("NOOP").code()).isEqualTo(250);
      }
    }
  }

  @Test
  @DisplayName("a silent client gets 421 4.4.2 after the idle timeout and is closed; an active one is not")
  void idleTimeout() throws Exception {
    int port = deploy("HUNNYPOT_SMTP_IDLE_TIMEOUT_SECONDS", "1");
    try (SmtpClient silent = greeted(HOST, port); SmtpClient active = greeted(HOST, port)) {
      long start = System.nanoTime();
      while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1_800)) {
        assertThat(active.command("NOOP").code()).isEqualTo(250);
        Thread.sleep(300);
      }
      Reply timeout = silent.readReply();
      assertThat(timeout.code()).isEqualTo(421);
      assertThat(timeout.text()).startsWith("4.4.2 ");
      assertThat(silent.isClosedByServer()).isTrue();
      assertThat(recorder.next().ending()).isEqualTo(SessionEnd.IDLE_TIMEOUT);
      assertThat(active.command("QUIT").code()).isEqualTo(221);
    }
    assertThat(recorder.next().ending()).isEqualTo(SessionEnd.QUIT);
  }

  @Test
  @DisplayName("past smtp.maxBytes the commands within the cap are answered, then 421 and close, ending byte-cap")
  void byteCap() throws Exception {
    int port = deploy("HUNNYPOT_SMTP_MAX_BYTES", "100");
    byte[] input = ("HELO c\r\n" + "NOOP\r\n".repeat(20)).getBytes(StandardCharsets.US_ASCII); // 128 bytes
    try (SmtpClient client = greeted(HOST, port)) {
      client.sendRaw(input);
      assertThat(client.readReply().code()).isEqualTo(250);
      for (int i = 0; i < 15; i++) { // 8 + 15 * 6 = 98 bytes fit, the 16th NOOP does not
        assertThat(client.readReply().code()).isEqualTo(250);
      }
      assertThat(client.readReply().code()).isEqualTo(421);
      assertThat(client.isClosedByServer()).isTrue();
    }
    Sighting sighting = recorder.next();
    assertThat(sighting.ending()).isEqualTo(SessionEnd.BYTE_CAP);
    assertThat(sighting.bytes()).isEqualTo(input.length);
  }

  static Stream<Arguments> badInput() {
    byte[] clientHello = HexFormat.of().parseHex("16030100c8010000c403035f1d3c2a9e7b4f6a1c2d3e4f5a6b7c8d9eafb0c1d2e3f4a5b6c7d8e9fa0b1c2d"
        + "00003c130213031301c02cc030009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c"
        + "003d003c0035002f00ff0100003f000b000403000102000a000c000a001d0017001e00190018");
    return Stream.of(
        arguments("binary bytes with a NUL", new byte[] {(byte) 0x80, (byte) 0xff, 0x00, 0x7f, 0x01, '\r', '\n'},
            List.of(421), true, SessionEnd.PROTOCOL_ERROR),
        arguments("8-bit bytes without a NUL", new byte[] {(byte) 0x80, (byte) 0xfe, (byte) 0xc3, 0x28, '\r', '\n'},
            List.of(500), false, SessionEnd.CLIENT_CLOSED),
        arguments("a NUL byte in a command", ascii("HELO a\0b\r\n"), List.of(421), true, SessionEnd.PROTOCOL_ERROR),
        arguments("bare LF line endings", ascii("HELO c\nMAIL FROM:<a@b.example>\nRCPT TO:<u@trap.example>\nDATA\nQUIT\n"),
            List.of(250, 250, 250, 451, 221), true, SessionEnd.QUIT),
        arguments("a TLS ClientHello", clientHello, List.of(421), true, SessionEnd.PROTOCOL_ERROR),
        arguments("an HTTP GET", ascii("GET / HTTP/1.1\r\nHost: mx.test\r\nAccept: */*\r\n\r\n"),
            List.of(421), true, SessionEnd.PROTOCOL_ERROR),
        arguments("a 10 kB line", ascii("A".repeat(10_240) + "\r\nQUIT\r\n"), List.of(500, 221), true, SessionEnd.QUIT),
        arguments("a pipelined flood of 200 commands", ascii("NOOP\r\n".repeat(200) + "QUIT\r\n"),
            Stream.concat(Stream.generate(() -> 250).limit(200), Stream.of(221)).toList(), true, SessionEnd.QUIT),
        arguments("a client that closes mid-command", ascii("MAIL FRO"), List.of(), false, SessionEnd.CLIENT_CLOSED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  @DisplayName("bad input gets a reply or a clean close, is a sighting, and the listener serves the next client")
  void badInput(String name, byte[] input, List<Integer> codes, boolean serverCloses, SessionEnd ending) throws Exception {
    int port = deploy("HUNNYPOT_SMTP_MAX_BYTES", "100000");
    try (SmtpClient client = greeted(HOST, port)) {
      client.sendRaw(input);
      List<Integer> received = new ArrayList<>();
      for (int i = 0; i < codes.size(); i++) {
        received.add(client.readReply().code());
      }
      assertThat(received).isEqualTo(codes);
      if (serverCloses) {
        assertThat(client.isClosedByServer()).isTrue();
      }
    }
    Sighting sighting = recorder.next();
    assertThat(sighting.ending()).isEqualTo(ending);
    assertThat(sighting.bytes()).isEqualTo(input.length);

    try (SmtpClient next = greeted(HOST, port)) {
      assertThat(next.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  @DisplayName("a sighting the recorder cannot store yet (database down: 503) goes to the spool and is replayed until acknowledged")
  void spoolsWhileTheDatabaseIsDown() throws Exception {
    recorder.failFirst = 3;
    int port = deploy();
    quitSession(port, "one.example");
    Sighting sighting = recorder.next();
    assertThat(sighting.helo()).isEqualTo("one.example");
    assertThat(recorder.requests).hasValue(4);
    eventually(() -> assertThat(counter("hunnypot.sightings.replayed")).isEqualTo(1));
    assertThat(counter("hunnypot.sightings.spooled")).isEqualTo(1);
    assertThat(counter("hunnypot.sightings.delivered")).isZero();
    assertThat(counter("hunnypot.sightings.unrecorded")).isZero();
    eventually(() -> assertThat(gauge("hunnypot.spool.sightings")).isZero());
    eventually(() -> assertThat(spoolFiles()).isEmpty());
  }

  @Test
  @DisplayName("with no recorder at all, sightings wait in the spool on disk, and reach a recorder oldest first once one appears")
  void spoolsWithoutRecorderAndReplaysOldestFirst() throws Exception {
    recorderConsumer.unregister().await();
    int port = deploy();
    for (int i = 1; i <= 5; i++) {
      quitSession(port, "s" + i + ".example");
    }
    eventually(() -> assertThat(gauge("hunnypot.spool.sightings")).isEqualTo(5));
    assertThat(spoolFiles()).isNotEmpty();
    assertThat(recorder.requests).hasValue(0);

    vertx.eventBus().consumer(Addresses.SIGHTING_RECORD, recorder::handle).completion().await();
    List<String> helos = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      helos.add(recorder.next().helo());
    }
    assertThat(helos).containsExactly("s1.example", "s2.example", "s3.example", "s4.example", "s5.example");
    eventually(() -> assertThat(gauge("hunnypot.spool.sightings")).isZero());
    assertThat(counter("hunnypot.sightings.replayed")).isEqualTo(5);
    eventually(() -> assertThat(spoolFiles()).isEmpty());
  }

  @Test
  @DisplayName("the spool survives a restart of the listener: a new listener on the same data directory replays it")
  void spoolSurvivesRestart() throws Exception {
    recorderConsumer.unregister().await();
    int port = deploy();
    quitSession(port, "before-restart.example");
    eventually(() -> assertThat(gauge("hunnypot.spool.sightings")).isEqualTo(1));
    vertx.undeploy(deploymentId).await();
    assertThat(spoolFiles()).hasSize(1);

    vertx.eventBus().consumer(Addresses.SIGHTING_RECORD, recorder::handle).completion().await();
    deploy();
    assertThat(recorder.next().helo()).isEqualTo("before-restart.example");
    eventually(() -> assertThat(spoolFiles()).isEmpty());
  }

  @Test
  @DisplayName("while the spool is full, a new connection gets 421 4.3.2 and is no sighting; once replayed, connections are served again")
  void fullSpoolRefuses() throws Exception {
    recorderConsumer.unregister().await();
    int port = deploy("HUNNYPOT_SPOOL_MAX_SIGHTINGS", "2");
    try (SmtpClient open = greeted(HOST, port)) {
      quitSession(port, "first.example");
      quitSession(port, "second.example");
      eventually(() -> assertThat(gauge("hunnypot.spool.full")).isEqualTo(1));
      try (SmtpClient refused = SmtpClient.connect(HOST, port)) {
        Reply reply = refused.readReply();
        assertThat(reply.code()).isEqualTo(421);
        assertThat(reply.text()).startsWith("4.3.2 ");
        assertThat(refused.isClosedByServer()).isTrue();
      }
      assertThat(counter("hunnypot.smtp.connections.refused", "limit", "spool-full")).isEqualTo(1);
      assertThat(open.command("QUIT").code()).as("a session open before still ends well, and still fits").isEqualTo(221);
    }
    eventually(() -> assertThat(gauge("hunnypot.spool.sightings")).isEqualTo(3));

    vertx.eventBus().consumer(Addresses.SIGHTING_RECORD, recorder::handle).completion().await();
    for (int i = 0; i < 3; i++) {
      recorder.next();
    }
    eventually(() -> assertThat(gauge("hunnypot.spool.full")).isZero());
    quitSession(port, "after.example");
    assertThat(recorder.next().helo()).isEqualTo("after.example");
    assertThat(recorder.sightings).as("the refused connection was no sighting").isEmpty();
  }

  @Test
  @DisplayName("a sighting the recorder refuses for good (400) is logged in full and counted as unrecorded, not spooled")
  void refusedIsUnrecorded() throws Exception {
    recorder.refuse = true;
    int port = deploy();
    quitSession(port, "bad.example");
    eventually(() -> assertThat(counter("hunnypot.sightings.unrecorded")).isEqualTo(1));
    assertThat(counter("hunnypot.sightings.spooled")).isZero();
    assertThat(gauge("hunnypot.spool.sightings")).isZero();
  }

  @Test
  @DisplayName("an MX monitor that never answers delays no reply, and its domain counts as unknown")
  void silentMonitor() throws Exception {
    int port = deploy("HUNNYPOT_SMTP_CLASSIFY_TIMEOUT_SECONDS", "2");
    try (SmtpClient client = greeted(HOST, port)) {
      client.command("HELO c");
      client.command("MAIL FROM:<>");
      long start = System.nanoTime();
      assertThat(client.command("RCPT TO:<u@silent.example>").code()).isEqualTo(250);
      assertThat(client.command("DATA").code()).isEqualTo(451);
      assertThat(client.command("QUIT").code()).isEqualTo(221);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
    Sighting sighting = recorder.next();
    assertThat(sighting.sightingClass()).isEqualTo(SightingClass.UNKNOWN);
    JsonObject answer = sighting.evidence().getJsonObject("domains").getJsonObject("silent.example");
    assertThat(answer.getString("class")).isEqualTo("unknown");
    assertThat(answer.getJsonObject("evidence").getString("error")).isNotBlank();
  }

  @Test
  @DisplayName("stopping the listener while the recorder is silent spools the open sessions' sightings before it returns")
  void gracefulStopSpools() throws Exception {
    recorder.silent = true;
    int port = deploy("HUNNYPOT_DELIVERY_TIMEOUT_SECONDS", "1");
    try (SmtpClient client = greeted(HOST, port)) {
      client.command("HELO stopping.example");
      vertx.undeploy(deploymentId).await();
      assertThat(client.readReply().code()).isEqualTo(421);
    }
    assertThat(spoolFiles()).hasSize(1);
    assertThat(Files.readString(spoolFiles().get(0))).contains("stopping.example");
  }

  @Test
  @DisplayName("stopping the listener ends open sessions with 421 and waits until their sightings are recorded")
  void gracefulStop() throws Exception {
    int port = deploy();
    try (SmtpClient client = greeted(HOST, port)) {
      client.command("HELO c");
      vertx.undeploy(deploymentId).await();
      Reply reply = client.readReply();
      assertThat(reply.code()).isEqualTo(421);
      assertThat(client.isClosedByServer()).isTrue();
    }
    Sighting sighting = recorder.sightings.poll();
    assertThat(sighting).as("recorded before the stop completed").isNotNull();
    assertThat(sighting.ending()).isEqualTo(SessionEnd.SHUTDOWN);
    assertThat(registry.find("hunnypot.smtp.sessions.open").gauge()).isNull();
  }

  @Test
  @DisplayName("a port already taken fails the deployment")
  void bindError() {
    int port = deploy();
    assertThat(port).isPositive();
    var second = new ListenerVerticle(ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_SMTP_HOST", HOST,
        "HUNNYPOT_SMTP_PORT", String.valueOf(port), "HUNNYPOT_DATA_DIR", dataDir.toString(), "HUNNYPOT_NODE_NAME", "node-2")),
        new SimpleMeterRegistry());
    assertThatThrownBy(() -> vertx.deployVerticle(second).await()).hasMessageContaining("ddress already in use");
  }

  @Test
  @DisplayName("a second listener with the same node name and data directory is refused: a spool has one owner")
  void spoolHasOneOwner() {
    deploy();
    var second = new ListenerVerticle(ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_SMTP_HOST", HOST,
        "HUNNYPOT_SMTP_PORT", "0", "HUNNYPOT_DATA_DIR", dataDir.toString(), "HUNNYPOT_NODE_NAME", "node-1")),
        new SimpleMeterRegistry());
    assertThatThrownBy(() -> vertx.deployVerticle(second).await()).hasMessageContaining("in use by another listener");
  }

  /** Stands in for the recorder: keeps what it acknowledges; can fail the first requests, refuse all, or never answer. */
  private static final class FakeRecorder {
    final BlockingQueue<Sighting> sightings = new LinkedBlockingQueue<>();
    final AtomicInteger requests = new AtomicInteger();
    volatile int failFirst;
    volatile boolean refuse;
    volatile boolean silent;

    void handle(Message<JsonObject> message) {
      int request = requests.incrementAndGet();
      if (silent) {
        return;
      }
      if (refuse) {
        message.fail(400, "malformed sighting");
        return;
      }
      if (request <= failFirst) {
        message.fail(503, "database unavailable");
        return;
      }
      sightings.add(Sighting.fromJson(message.body()));
      message.reply(null);
    }

    Sighting next() throws InterruptedException {
      Sighting sighting = sightings.poll(10, TimeUnit.SECONDS);
      assertThat(sighting).as("a sighting within 10 s").isNotNull();
      return sighting;
    }
  }

  /** Stands in for the MX monitor: *trap.example is trap-domain, silent.example gets no answer, the rest unknown. */
  private static final class FakeMxMonitor {
    final List<ClassifyRequest> requests = new CopyOnWriteArrayList<>();

    void handle(Message<JsonObject> message) {
      ClassifyRequest request = ClassifyRequest.fromJson(message.body());
      requests.add(request);
      if (request.domain().equals("silent.example")) {
        return;
      }
      SightingClass answer = request.domain().endsWith("trap.example") ? SightingClass.TRAP_DOMAIN : SightingClass.UNKNOWN;
      message.reply(new Classification(answer, new JsonObject().put("rule", "fake")).toJson());
    }
  }

  /** Retries an assertion about asynchronous effects for up to 5 s. */
  private static void eventually(Runnable assertion) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
