package io.hunnypot.listener;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.listener.ConnectionLimits.Limit;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The SMTP listener: speaks enough SMTP to learn who a client is and where it means to
 * deliver, answers DATA with 451, holds every client to the limits, and hands one sighting
 * per session to the recorder, which must acknowledge it; what no recorder acknowledges waits
 * in a spool on local disk ({@code <data.dir>/spool/<node name>}) and is replayed. While the
 * spool is full, new connections get 421 rather than sessions that could not be recorded.
 *
 * <p>Everything runs on this verticle's event loop. A session costs a few small objects and
 * no timer of its own: one periodic sweep finds the idle ones.
 */
public class ListenerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ListenerVerticle.class);

  /** How long stop() gives open sessions to take their 421 before the server forces them closed. */
  private static final long SHUTDOWN_GRACE_MS = 2_000;
  /** How often a full spool is mentioned again in the log while it stays full. */
  private static final long FULL_REMINDER_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final HunnypotConfig.Smtp smtp;
  private final HunnypotConfig.Delivery deliveryConfig;
  private final HunnypotConfig.Spool spoolConfig;
  private final Path spoolDir;
  private final List<String> identityAddresses;
  private final MeterRegistry registry;
  private final String node;
  private final SessionSettings settings;
  private final ConnectionLimits limits;
  private final long idleNanos;

  /**
   * Sessions still talking, in access order: least recently active first, so that the idle
   * sweep can stop at the first one still in time.
   */
  private final Map<Connection, Connection> live = new LinkedHashMap<>(64, 0.75f, true);
  /** Every connection from its accept until its sighting is recorded, spooled or given up. */
  private final Set<Connection> unsettled = new HashSet<>();

  private Spool spool;
  private ListenerMetrics metrics;
  private MxClassifier classifier;
  private SightingDelivery delivery;
  private NetServer server;
  private long sweeper;
  private long replayer;
  private Promise<Void> drained;
  /** Connections refused since the spool became full; 0 while it is not. */
  private long refusedWhileFull;
  /** {@link System#nanoTime()} when the log last said the spool is full. */
  private long lastFullWarning;

  public ListenerVerticle(HunnypotConfig config, MeterRegistry registry) {
    this.smtp = config.smtp();
    this.deliveryConfig = config.delivery();
    this.spoolConfig = config.spool();
    this.identityAddresses = config.identity().addresses();
    this.registry = registry;
    // Both may look up the host name: done here, off the event loop.
    this.node = config.node().resolvedName();
    this.spoolDir = Path.of(config.data().dir(), "spool", node.replaceAll("[^A-Za-z0-9._-]", "_")).toAbsolutePath();
    this.settings = SessionSettings.from(smtp);
    this.limits = new ConnectionLimits(smtp.maxConnections(), smtp.maxPerIp());
    this.idleNanos = TimeUnit.SECONDS.toNanos(smtp.idleTimeoutSeconds());
  }

  @Override
  public Future<?> start() {
    return Spool.open(vertx, spoolDir, spoolConfig).compose(opened -> {
      spool = opened;
      if (!spool.isEmpty()) {
        LOG.warn("spool {} holds {} sightings from an earlier run; replaying them", spoolDir, spool.depth());
      }
      metrics = new ListenerMetrics(registry, limits, spool);
      classifier = new MxClassifier(vertx.eventBus(), smtp.classifyTimeoutSeconds(), identityAddresses);
      delivery = new SightingDelivery(vertx, spool, deliveryConfig.timeoutSeconds(), metrics);
      replayer = vertx.setPeriodic(0, spoolConfig.replayIntervalMillis(), id -> delivery.replay());
      server = vertx.createNetServer(new NetServerOptions().setHost(smtp.host()).setPort(smtp.port()))
          .connectHandler(this::accept);
      return server.listen();
    }).onSuccess(listening -> {
      sweeper = vertx.setPeriodic(Math.min(1_000, TimeUnit.NANOSECONDS.toMillis(idleNanos) / 4), id -> closeIdle());
      LOG.info("SMTP listener on {} port {}; spool {}", smtp.host(), listening.actualPort(), spoolDir);
    }).onFailure(failed -> {
      if (spool != null) {
        vertx.cancelTimer(replayer);
        metrics.close();
        spool.close();
      }
    });
  }

  /**
   * Closes the door, ends open sessions with 421 (ending {@code shutdown}), then waits, for a
   * bounded time, until every ended session's sighting is recorded or spooled; any still
   * waiting then goes to the spool. Returns once the spool is on disk.
   */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweeper);
    vertx.cancelTimer(replayer);
    return server.shutdown(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS)
        .compose(v -> drain())
        .compose(v -> delivery.replayed())
        .eventually(() -> spool.close())
        .onComplete(v -> {
          metrics.close();
          if (!spool.isEmpty()) {
            LOG.warn("stopped with {} sightings in the spool {}; the next start replays them", spool.depth(), spoolDir);
          }
        });
  }

  /** The port listened on; with port 0 configured, the one the system chose. */
  public int actualPort() {
    return server.actualPort();
  }

  private void accept(NetSocket socket) {
    if (spool.isFull()) {
      refuseWhileFull(socket);
      return;
    }
    if (refusedWhileFull > 0) {
      LOG.warn("spool {} has room again ({} sightings); accepting SMTP connections after refusing {}",
          spoolDir, spool.depth(), refusedWhileFull);
      refusedWhileFull = 0;
    }
    Connection c = new Connection(socket, settings, classifier);
    unsettled.add(c);
    socket.handler(data -> received(c, data));
    socket.closeHandler(v -> closed(c));
    socket.exceptionHandler(error -> LOG.debug("connection from {}: {}", c.clientIp, error.toString()));
    Optional<Limit> broken = limits.admit(c.clientIp);
    if (broken.isPresent()) {
      metrics.refused(broken.get());
      send(c, c.session.refuse());
      return;
    }
    c.admitted = true;
    c.lastActive = System.nanoTime();
    live.put(c, c);
    socket.shutdownHandler(v -> send(c, c.session.shutdown()));
    send(c, c.session.greeting());
  }

  /** A session now could not be recorded: 421, no sighting, and a loud word in the log now and then. */
  private void refuseWhileFull(NetSocket socket) {
    metrics.refused(Limit.SPOOL_FULL);
    refusedWhileFull++;
    long now = System.nanoTime();
    if (refusedWhileFull == 1 || now - lastFullWarning > FULL_REMINDER_NANOS) {
      LOG.error("spool {} is full ({} sightings, {} bytes; bounds spool.maxSightings {}, spool.maxMegabytes {}) and no "
              + "recorder takes them: refusing new SMTP connections with 421 ({} so far)", spoolDir, spool.depth(),
          spool.bytes(), spoolConfig.maxSightings(), spoolConfig.maxMegabytes(), refusedWhileFull);
      lastFullWarning = now;
    }
    socket.end(Buffer.buffer(Reply.UNAVAILABLE.toString()));
  }

  private void received(Connection c, Buffer data) {
    c.lastActive = System.nanoTime();
    live.get(c); // moves it to the most recently active end
    send(c, c.session.receive(data.getBytes()));
  }

  /** Writes a session's replies in one write, and closes the connection once the session is over. */
  private void send(Connection c, String replies) {
    if (replies.isEmpty()) {
      return;
    }
    if (c.session.isOver()) {
      live.remove(c);
      c.socket.end(Buffer.buffer(replies));
      return;
    }
    c.socket.write(replies);
    if (c.socket.writeQueueFull()) { // a client that floods without reading waits for its replies
      c.socket.pause();
      c.socket.drainHandler(v -> c.socket.resume());
    }
  }

  private void closeIdle() {
    long deadline = System.nanoTime() - idleNanos;
    List<Connection> idle = new ArrayList<>();
    for (Connection c : live.keySet()) {
      if (c.lastActive - deadline > 0) {
        break;
      }
      idle.add(c);
    }
    idle.forEach(c -> send(c, c.session.idleTimeout()));
  }

  private void closed(Connection c) {
    live.remove(c);
    if (c.admitted) {
      limits.release(c.clientIp);
    }
    c.end();
    metrics.sessionEnded(c.session.ending());
    c.classified()
        .compose(v -> delivery.deliver(c.sighting(node)))
        .onComplete(delivered -> settle(c));
  }

  /** A session's sighting is recorded, spooled, or (failing both) logged in full and counted. */
  private void settle(Connection c) {
    if (unsettled.remove(c) && drained != null && unsettled.isEmpty()) {
      drained.tryComplete();
    }
  }

  /**
   * Waits until every connection has closed and its sighting is settled, long enough for one
   * classification and one delivery try; whatever is still waiting then goes to the spool.
   */
  private Future<Void> drain() {
    drained = Promise.promise();
    if (unsettled.isEmpty()) {
      drained.complete();
    }
    long bound = smtp.classifyTimeoutSeconds() + deliveryConfig.timeoutSeconds();
    return drained.future().timeout(bound, TimeUnit.SECONDS).recover(late -> {
      List<Future<Void>> kept = new ArrayList<>();
      for (Connection c : List.copyOf(unsettled)) {
        c.end();
        unsettled.remove(c);
        kept.add(delivery.keep(c.sighting(node).toJson()));
      }
      return Future.join(kept).otherwiseEmpty().mapEmpty();
    });
  }
}
