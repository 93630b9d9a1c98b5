package io.hunnypot.listener;

import io.hunnypot.contract.Classification;
import io.hunnypot.contract.IpAddresses;
import io.hunnypot.contract.Sighting;
import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One client connection: its socket, its SMTP session, and what is learnt about it for the sighting. */
final class Connection {

  final UUID id = Sighting.newId();
  final Instant startedAt = Instant.now();
  final NetSocket socket;
  final SmtpSession session;
  final String clientIp;
  final int clientPort;
  final String localIp;
  final int localPort;

  /** Counted against the connection limits (a refused connection is not). */
  boolean admitted;
  /** {@link System#nanoTime()} of the client's last read, for the idle timeout. */
  long lastActive;
  private Instant endedAt;

  private final MxClassifier classifier;
  /** The MX monitor's answer for each distinct recipient domain, asked for at its first RCPT. */
  private Map<String, Future<Classification>> answers = Map.of();

  Connection(NetSocket socket, SessionSettings settings, MxClassifier classifier) {
    SocketAddress client = socket.remoteAddress();
    SocketAddress local = socket.localAddress();
    this.socket = socket;
    this.clientIp = IpAddresses.ofSocket(client.hostAddress());
    this.clientPort = client.port();
    this.localIp = IpAddresses.ofSocket(local.hostAddress());
    this.localPort = local.port();
    this.classifier = classifier;
    this.session = new SmtpSession(settings, this::classify);
  }

  /** Marks the session ended now, unless it already is: its connection closed, or the listener gave up waiting. */
  void end() {
    if (endedAt == null) {
      session.closed();
      endedAt = Instant.now();
    }
  }

  /** Completes once every recipient domain has its answer, or has been counted unknown. */
  Future<?> classified() {
    return answers.isEmpty() ? Future.succeededFuture() : Future.join(List.copyOf(answers.values()));
  }

  Sighting sighting(String node) {
    Classification verdict = MxClassifier.verdict(!session.recipients().isEmpty(), answers);
    return new Sighting(id, startedAt, endedAt, clientIp, clientPort, localIp, localPort, node,
        session.helo(), session.sender(), session.recipients(), session.bytes(), session.commands(),
        session.ending(), verdict.sightingClass(), verdict.evidence());
  }

  private void classify(String domain) {
    if (answers.isEmpty()) {
      answers = new LinkedHashMap<>();
    }
    answers.computeIfAbsent(domain, d -> classifier.classify(d, localIp));
  }
}
