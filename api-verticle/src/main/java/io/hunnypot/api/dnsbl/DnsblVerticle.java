package io.hunnypot.api.dnsbl;

import io.hunnypot.api.Listings;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.ListingChange;
import io.hunnypot.contract.ListingChanges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The DNSBL server, over UDP and TCP on the same port. It answers from an in-memory
 * {@link ListingIndex}: loaded from the database at start, then kept current by the listing
 * changes the recorder and the admin API publish ({@link Addresses#LISTING_CHANGED}), so a new
 * listing or a delisting is served as soon as it is committed (until the index is loaded, a
 * name under the zone gets SERVFAIL, never a false "not listed"). Expiry needs no message: the
 * index compares each listing's end with the clock. Everything runs on this verticle's event
 * loop, so the index needs no lock.
 */
public class DnsblVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DnsblVerticle.class);
  private static final long PURGE_INTERVAL_MS = 60_000;
  private static final int TCP_IDLE_SECONDS = 10;
  private static final long LOAD_RETRY_MS = 5_000;
  private static final int FREE_PORT_TRIES = 5;

  private final HunnypotConfig config;
  private final MeterRegistry registry;
  private final ListingIndex index = new ListingIndex();
  private final Map<DnsResponder.Outcome, Counter> answered = new EnumMap<>(DnsResponder.Outcome.class);
  private Gauge listed;
  private DnsResponder responder;
  private Pool pool;
  private MessageConsumer<JsonObject> changes;
  /** Changes that arrive while the index loads, applied after it in their order; null once loaded. */
  private List<ListingChange> pending = new ArrayList<>();
  private DatagramSocket udp;

  public DnsblVerticle(HunnypotConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    for (DnsResponder.Outcome outcome : DnsResponder.Outcome.values()) {
      answered.put(outcome, Counter.builder("hunnypot.dnsbl.queries")
          .description("DNSBL queries, by what became of them")
          .tag("outcome", outcome.name().toLowerCase().replace('_', '-'))
          .register(registry));
    }
  }

  /** The port the DNSBL serves on (UDP and TCP), once started. */
  public int actualPort() {
    return udp.localAddress().port();
  }

  @Override
  public Future<?> start() {
    responder = new DnsResponder(config.dnsbl(), index, DnsblVerticle::nowSeconds, () -> pending == null);
    listed = Gauge.builder("hunnypot.dnsbl.listed", index, ListingIndex::size)
        .description("addresses in the DNSBL's index (expired ones until the next purge)")
        .register(registry);
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(1))
        .connectingTo(PgConnectOptions.fromUri(config.db().url()))
        .using(vertx)
        .build();
    changes = vertx.eventBus().consumer(Addresses.LISTING_CHANGED, message -> apply(ListingChanges.fromJson(message.body())));
    // the first load is awaited, so that a node serves its listing once started; without the
    // database the DNSBL starts all the same and answers SERVFAIL until a later try loads it
    return changes.completion()
        .compose(listening -> listen())
        .compose(serving -> load().recover(failed -> {
          loadLater(failed);
          return Future.succeededFuture();
        }))
        .onSuccess(started -> vertx.setPeriodic(PURGE_INTERVAL_MS, timer -> index.purge(nowSeconds())));
  }

  @Override
  public Future<?> stop() {
    registry.remove(listed);
    return pool.close();
  }

  private Future<Void> load() {
    long started = System.nanoTime();
    return new Listings(pool, config.listing())
        .forEach(entry -> index.put(ListingIndex.high(entry.address()), ListingIndex.low(entry.address()),
            entry.listedUntil().getEpochSecond(), entry.lastSeen().getEpochSecond(), entry.listedClass()))
        .onSuccess(loaded -> {
          pending.forEach(this::apply);
          pending = null;
          LOG.info("DNSBL index loaded: {} listed addresses in {} ms", index.size(),
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        });
  }

  private void loadLater(Throwable failed) {
    LOG.warn("DNSBL index not loaded ({}); SERVFAIL under the zone until a try every {} s loads it",
        failed.toString(), TimeUnit.MILLISECONDS.toSeconds(LOAD_RETRY_MS));
    vertx.setTimer(LOAD_RETRY_MS, timer -> load().onFailure(this::loadLater));
  }

  private void apply(ListingChanges message) {
    message.changes().forEach(change -> {
      if (pending != null) {
        pending.add(change);
      } else {
        apply(change);
      }
    });
  }

  private void apply(ListingChange change) {
    byte[] address = NetUtil.createByteArrayFromIpAddressString(change.ip());
    if (address == null) {
      LOG.warn("listing change for something that is not an address, ignored: {}", change);
    } else if (change.listed() && change.listedUntil().getEpochSecond() > 0) {
      index.put(ListingIndex.high(address), ListingIndex.low(address), change.listedUntil().getEpochSecond(),
          change.lastSeen().getEpochSecond(), change.listedClass());
    } else {
      index.remove(ListingIndex.high(address), ListingIndex.low(address));
    }
  }

  private Future<Void> listen() {
    return bind(config.dnsbl().port() == 0 ? FREE_PORT_TRIES : 1)
        .onSuccess(socket -> {
          udp = socket;
          LOG.info("DNSBL for zone {} listening on {} port {} (UDP and TCP)", config.dnsbl().zone(),
              config.dnsbl().host(), actualPort());
        })
        .mapEmpty();
  }

  /**
   * UDP first, then TCP on the port UDP got (the configured one, or a free one for port 0). A
   * free UDP port may be a TCP port in use: then both are tried again on another.
   */
  private Future<DatagramSocket> bind(int tries) {
    String host = config.dnsbl().host();
    DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(host.contains(":")));
    socket.handler(packet -> answer(socket, packet));
    return socket.listen(config.dnsbl().port(), host)
        .compose(bound -> vertx.createNetServer(new NetServerOptions().setIdleTimeout(TCP_IDLE_SECONDS))
            .connectHandler(this::serve)
            .listen(bound.localAddress().port(), host)
            .map(bound)
            .recover(taken -> socket.close().transform(closed ->
                tries > 1 ? bind(tries - 1) : Future.failedFuture(taken))));
  }

  private void answer(DatagramSocket socket, DatagramPacket packet) {
    DnsResponder.Answer answer = respond(packet.data().getBytes(), true);
    if (answer.wire() != null) {
      socket.send(Buffer.buffer(answer.wire()), packet.sender().port(), packet.sender().host());
    }
  }

  private void serve(NetSocket socket) {
    socket.handler(new TcpConnection(socket).parser);
  }

  /** DNS over TCP: each message preceded by its length in two bytes (RFC 1035 4.2.2), several per connection. */
  private final class TcpConnection {
    private final NetSocket socket;
    private final RecordParser parser = RecordParser.newFixed(2);
    private boolean expectLength = true;

    TcpConnection(NetSocket socket) {
      this.socket = socket;
      parser.handler(this::handle);
    }

    private void handle(Buffer chunk) {
      if (expectLength) {
        int length = chunk.getUnsignedShort(0);
        if (length == 0) {
          socket.close();
          return;
        }
        parser.fixedSizeMode(length);
      } else {
        byte[] answer = respond(chunk.getBytes(), false).wire();
        if (answer == null) {
          socket.close();
          return;
        }
        socket.write(Buffer.buffer(answer.length + 2).appendUnsignedShort(answer.length).appendBytes(answer));
        parser.fixedSizeMode(2);
      }
      expectLength = !expectLength;
    }
  }

  private DnsResponder.Answer respond(byte[] query, boolean overUdp) {
    DnsResponder.Answer answer = responder.answer(query, overUdp);
    answered.get(answer.outcome()).increment();
    return answer;
  }

  private static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }
}
