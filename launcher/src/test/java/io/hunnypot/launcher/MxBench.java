package io.hunnypot.launcher;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Classification;
import io.hunnypot.contract.ClassifyRequest;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingClass;
import io.hunnypot.listener.ListenerVerticle;
import io.hunnypot.mxmonitor.MxMonitorVerticle;
import io.hunnypot.testsupport.FakeMx;
import io.hunnypot.testsupport.TestDnsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The MX monitor's benchmark (run by {@code bench/mx.sh}, not a test): classification rate with
 * cold DNS and from the cache, against the test DNS server on 127.0.0.1; then N simultaneous
 * SMTP sessions, through the real listener, delivering to one backup-MX domain, counting the
 * DNS queries that reach the server and the probes that reach the primary.
 *
 * <p>Arguments: {@code DOMAINS PASSES WINDOW SESSIONS...}, e.g. {@code 20000 5 200 100 1000 5000}.
 */
public final class MxBench {

  private static final String OURS = "127.0.0.1";
  private static final String PRIMARY = "127.0.0.20";

  public static void main(String[] args) throws Exception {
    int domains = Integer.parseInt(args[0]);
    int passes = Integer.parseInt(args[1]);
    int window = Integer.parseInt(args[2]);
    List<Integer> crowds = IntStream.range(3, args.length).mapToObj(i -> Integer.parseInt(args[i])).toList();
    int biggest = crowds.stream().mapToInt(Integer::intValue).max().orElse(1);

    try (FakeMx primary = FakeMx.greeting(PRIMARY, 0);
         TestDnsServer dns = TestDnsServer.start(OURS, zone(domains, crowds))) {
      HunnypotConfig config = ConfigLoader.load(Optional.empty(), Map.of(
          "HUNNYPOT_DNS_SERVERS", dns.hostAndPort(),
          "HUNNYPOT_MX_PROBE_PORT", String.valueOf(primary.port()),
          "HUNNYPOT_SMTP_HOST", OURS,
          "HUNNYPOT_SMTP_PORT", "0",
          "HUNNYPOT_SMTP_MAX_CONNECTIONS", String.valueOf(biggest),
          "HUNNYPOT_SMTP_MAX_PER_IP", String.valueOf(biggest)));
      Vertx vertx = Vertx.vertx();
      try {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        vertx.deployVerticle(new MxMonitorVerticle(config, registry)).await();
        List<String> names = IntStream.range(0, domains).mapToObj(i -> "d" + i + ".bench").toList();

        long start = System.nanoTime();
        classifyAll(vertx, names, window);
        report("cold DNS", domains, start, dns.totalQueries() + " DNS queries (MX, A, AAAA per domain)");

        int queries = dns.totalQueries();
        start = System.nanoTime();
        for (int pass = 0; pass < passes; pass++) {
          classifyAll(vertx, names, window);
        }
        report("from cache", domains * passes, start, (dns.totalQueries() - queries) + " DNS queries");

        ListenerVerticle listener = new ListenerVerticle(config, registry);
        vertx.deployVerticle(listener).await();
        Map<String, AtomicInteger> classes = new ConcurrentHashMap<>();
        vertx.eventBus().<JsonObject>consumer(Addresses.SIGHTING_RECORD, message -> {
          classes.computeIfAbsent(Sighting.fromJson(message.body()).sightingClass().wireName(), c -> new AtomicInteger())
              .incrementAndGet();
          message.reply(null);
        }).completion().await();
        NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(30_000));
        for (int crowd : crowds) {
          classes.clear();
          int probes = primary.connections();
          String domain = "backup" + crowd + ".bench";
          start = System.nanoTime();
          simultaneousSessions(client, listener.actualPort(), crowd, domain);
          while (classes.values().stream().mapToInt(AtomicInteger::get).sum() < crowd) {
            Thread.sleep(10);
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          System.out.printf("%,d simultaneous sessions to %s in %.2f s: DNS queries MX %d, primary A %d AAAA %d, "
                  + "our MX A %d AAAA %d; probes %d; sightings by class %s%n",
              crowd, domain, seconds, dns.queries(domain, "MX"),
              dns.queries("primary" + crowd + ".bench", "A"), dns.queries("primary" + crowd + ".bench", "AAAA"),
              dns.queries("hp" + crowd + ".bench", "A"), dns.queries("hp" + crowd + ".bench", "AAAA"),
              primary.connections() - probes, classes);
        }
      } finally {
        vertx.close().await();
      }
    }
  }

  /**
   * {@code dN.bench}: a trap domain whose only MX {@code hN.bench} is ours, three records to
   * look up each; {@code backupN.bench}: ours as backup MX of a live primary, one per crowd.
   */
  private static String zone(int domains, List<Integer> crowds) {
    StringBuilder zone = new StringBuilder("""
        $ORIGIN bench.
        $TTL 3600
        @ SOA ns.bench. hostmaster.bench. 1 3600 600 86400 3600
        @ NS ns.bench.
        ns A 127.0.0.1
        """);
    for (int i = 0; i < domains; i++) {
      zone.append("d").append(i).append(" MX 10 h").append(i).append("\nh").append(i).append(" A ").append(OURS).append('\n');
    }
    for (int n : crowds) {
      zone.append("backup").append(n).append(" MX 10 primary").append(n).append('\n')
          .append("backup").append(n).append(" MX 90 hp").append(n).append('\n')
          .append("primary").append(n).append(" A ").append(PRIMARY).append('\n')
          .append("hp").append(n).append(" A ").append(OURS).append('\n');
    }
    return zone.toString();
  }

  /** Classifies every domain over the event bus, {@code window} requests in flight at a time; each must be trap-domain. */
  private static void classifyAll(Vertx vertx, List<String> names, int window) {
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < window; w++) {
      workers.add(worker(vertx, names, next));
    }
    Future.all(workers).await();
  }

  private static Future<Void> worker(Vertx vertx, List<String> names, AtomicInteger next) {
    int i = next.getAndIncrement();
    if (i >= names.size()) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().<JsonObject>request(Addresses.MX_CLASSIFY, new ClassifyRequest(names.get(i), List.of(OURS)).toJson())
        .compose(reply -> {
          Classification answer = Classification.fromJson(reply.body());
          if (answer.sightingClass() != SightingClass.TRAP_DOMAIN) {
            return Future.failedFuture(names.get(i) + " classified " + answer.toJson().encode());
          }
          return worker(vertx, names, next);
        });
  }

  /**
   * Opens {@code crowd} SMTP sessions and takes each to MAIL; once all are there, sends every
   * session's RCPT to {@code domain} (and QUIT) at once, and waits until every session closed.
   */
  private static void simultaneousSessions(NetClient client, int port, int crowd, String domain) {
    List<Future<Session>> ready = IntStream.range(0, crowd)
        .mapToObj(i -> client.connect(port, OURS).compose(Session::atMail))
        .toList();
    List<Session> sessions = Future.all(ready).await().list();
    Future.all(sessions.stream().map(session -> session.finish("RCPT TO:<u@" + domain + ">\r\nQUIT\r\n")).toList())
        .await();
  }

  /** One client session, taken as far as MAIL, then to its end. */
  private record Session(NetSocket socket, Promise<Void> closed) {

    /** Greeted, HELO and MAIL answered: three reply lines. */
    static Future<Session> atMail(NetSocket socket) {
      Session session = new Session(socket, Promise.promise());
      Promise<Session> atMail = Promise.promise();
      AtomicInteger lines = new AtomicInteger();
      socket.handler(RecordParser.newDelimited("\r\n", line -> {
        if (lines.incrementAndGet() == 3) {
          atMail.complete(session);
        }
      }));
      socket.closeHandler(v -> session.closed.tryComplete());
      socket.write("HELO bench.example\r\nMAIL FROM:<a@bench.example>\r\n");
      return atMail.future();
    }

    Future<Void> finish(String commands) {
      socket.write(Buffer.buffer(commands));
      return closed.future();
    }
  }

  private static void report(String what, int classifications, long start, String detail) {
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%s: %,d classifications in %.2f s, %,.0f/s; %s%n", what, classifications, seconds,
        classifications / seconds, detail);
  }
}
