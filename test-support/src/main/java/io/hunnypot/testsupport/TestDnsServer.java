package io.hunnypot.testsupport;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Zone;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small authoritative DNS server for tests, on UDP and TCP on one port of a loopback
 * address: it serves zone files through dnsjava's {@link Zone}, counts the queries it gets per
 * name and type, and can be told to answer SERVFAIL for a name or never to answer for one.
 */
public final class TestDnsServer implements Closeable {

  private final List<Zone> zones;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
  private final Set<Name> failing = new CopyOnWriteArraySet<>();
  private final Set<Name> silent = new CopyOnWriteArraySet<>();
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

  private TestDnsServer(List<Zone> zones, DatagramSocket udp, ServerSocket tcp) {
    this.zones = zones;
    this.udp = udp;
    this.tcp = tcp;
  }

  /**
   * Starts a server on {@code address} (127.0.0.1, ::1, ...) and a free port, serving each
   * zone file text; each must start with an {@code $ORIGIN} line.
   */
  public static TestDnsServer start(String address, String... zoneFiles) throws IOException {
    List<Zone> zones = new ArrayList<>();
    for (String zoneFile : zoneFiles) {
      zones.add(new Zone(origin(zoneFile), new ByteArrayInputStream(zoneFile.getBytes(StandardCharsets.UTF_8))));
    }
    InetAddress bind = InetAddress.getByName(address);
    for (int attempt = 0; ; attempt++) {
      DatagramSocket udp = new DatagramSocket(new InetSocketAddress(bind, 0));
      udp.setReceiveBufferSize(4 << 20); // a burst of queries waits instead of being dropped
      try {
        ServerSocket tcp = new ServerSocket();
        tcp.bind(new InetSocketAddress(bind, udp.getLocalPort()));
        TestDnsServer server = new TestDnsServer(List.copyOf(zones), udp, tcp);
        server.serve();
        return server;
      } catch (IOException portTakenForTcp) {
        udp.close();
        if (attempt == 10) {
          throw portTakenForTcp;
        }
      }
    }
  }

  /**
   * The zone file {@code classification.zone} beside this class: a domain under {@code test.}
   * for every row of the classification table, for every test that runs the MX monitor.
   */
  public static String classificationZone() {
    try (var in = TestDnsServer.class.getResourceAsStream("classification.zone")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where resolvers reach it, as the {@code dns.servers} key wants it: {@code 127.0.0.1:PORT} or {@code [::1]:PORT}. */
  public String hostAndPort() {
    String host = udp.getLocalAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  public int port() {
    return udp.getLocalPort();
  }

  /** Answers SERVFAIL for this name, whatever the type asked. */
  public void failFor(String name) {
    failing.add(absolute(name));
  }

  /** Never answers for this name: the asker times out. */
  public void ignore(String name) {
    silent.add(absolute(name));
  }

  /** Queries received for the name and type, e.g. {@code queries("backup.test", "MX")}. */
  public int queries(String name, String type) {
    AtomicInteger count = queries.get(key(absolute(name), Type.value(type)));
    return count == null ? 0 : count.get();
  }

  /** Queries received in all. */
  public int totalQueries() {
    return queries.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Every count back to zero. */
  public void resetCounts() {
    queries.clear();
  }

  @Override
  public void close() throws IOException {
    udp.close();
    tcp.close();
    for (Socket connection : connections) {
      connection.close();
    }
  }

  private void serve() {
    daemon("test-dns-udp", this::serveUdp);
    daemon("test-dns-tcp", this::serveTcp);
  }

  private void serveUdp() {
    byte[] buffer = new byte[65535];
    while (!udp.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        udp.receive(packet);
        answer(Arrays.copyOf(packet.getData(), packet.getLength()), 512).ifPresent(reply -> {
          try {
            udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
          } catch (IOException e) {
            // the asker is gone; nothing to do for a test server
          }
        });
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serveTcp() {
    while (!tcp.isClosed()) {
      try {
        Socket connection = tcp.accept();
        connections.add(connection);
        daemon("test-dns-tcp-connection", () -> serveTcp(connection));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serveTcp(Socket connection) {
    try (connection; var in = new DataInputStream(connection.getInputStream());
         var out = new DataOutputStream(connection.getOutputStream())) {
      while (true) {
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        Optional<byte[]> reply = answer(query, 65535);
        if (reply.isPresent()) {
          out.writeShort(reply.get().length);
          out.write(reply.get());
          out.flush();
        }
      }
    } catch (IOException closed) {
      // the asker closed the connection, or the server stopped
    } finally {
      connections.remove(connection);
    }
  }

  /** The reply to a query, or none for an ignored name. */
  private Optional<byte[]> answer(byte[] wire, int maxLength) {
    Message query;
    try {
      query = new Message(wire);
    } catch (IOException malformed) {
      return Optional.empty();
    }
    Record question = query.getQuestion();
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setFlag(Flags.QR);
    if (query.getHeader().getFlag(Flags.RD)) {
      reply.getHeader().setFlag(Flags.RD);
    }
    if (question == null || query.getHeader().getOpcode() != Opcode.QUERY) {
      reply.getHeader().setRcode(Rcode.FORMERR);
      return Optional.of(reply.toWire(maxLength));
    }
    reply.addRecord(question, Section.QUESTION);
    Name name = question.getName();
    queries.computeIfAbsent(key(name, question.getType()), k -> new AtomicInteger()).incrementAndGet();
    if (silent.contains(name)) {
      return Optional.empty();
    }
    Optional<Zone> zone = zoneOf(name);
    if (failing.contains(name) || zone.isEmpty() || question.getDClass() != DClass.IN) {
      reply.getHeader().setRcode(failing.contains(name) ? Rcode.SERVFAIL : Rcode.REFUSED);
      return Optional.of(reply.toWire(maxLength));
    }
    reply.getHeader().setFlag(Flags.AA);
    SetResponse found = zone.get().findRecords(name, question.getType());
    if (found.isSuccessful()) {
      for (RRset set : found.answers()) {
        set.rrs(false).forEach(record -> reply.addRecord(record, Section.ANSWER));
      }
    } else if (found.isCNAME()) {
      reply.addRecord(found.getCNAME(), Section.ANSWER);
    } else {
      // NXDOMAIN or no record of that type (NODATA): the SOA lets resolvers cache the absence
      reply.getHeader().setRcode(found.isNXDOMAIN() ? Rcode.NXDOMAIN : Rcode.NOERROR);
      reply.addRecord(zone.get().getSOA(), Section.AUTHORITY);
    }
    return Optional.of(reply.toWire(maxLength));
  }

  private Optional<Zone> zoneOf(Name name) {
    return zones.stream().filter(zone -> name.subdomain(zone.getOrigin()))
        .max(Comparator.comparingInt(zone -> zone.getOrigin().labels()));
  }

  private static String key(Name name, int type) {
    return name.toString().toLowerCase() + "/" + Type.string(type);
  }

  private static Name absolute(String name) {
    try {
      return Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a domain name: " + name, e);
    }
  }

  private static Name origin(String zoneFile) {
    return zoneFile.lines().map(String::trim).filter(line -> line.startsWith("$ORIGIN")).findFirst()
        .map(line -> absolute(line.substring("$ORIGIN".length()).trim()))
        .orElseThrow(() -> new IllegalArgumentException("a zone file for the test DNS server needs an $ORIGIN line"));
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }
}
