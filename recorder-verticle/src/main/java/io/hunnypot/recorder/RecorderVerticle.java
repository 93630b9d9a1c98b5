package io.hunnypot.recorder;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.ListingChange;
import io.hunnypot.contract.ListingChanges;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingsStored;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * Stores the sightings sent to {@link Addresses#SIGHTING_RECORD} and keeps an offender record
 * per client address. One write is in flight at a time; what arrives meanwhile waits and goes
 * in the next one. A write that would not fill a batch first lingers ({@code recorder.lingerMillis})
 * for more sightings to join it: a busy recorder then commits a hundred sightings or more per
 * transaction rather than a few, and PostgreSQL's cost per sighting falls with it. A sender
 * gets its reply only after the commit: empty when stored (or stored before), 400 when the
 * sighting can never be stored, 503 when the database is unavailable and the sighting must be
 * sent again later. After each commit it publishes the sightings stored for
 * the first time ({@link Addresses#SIGHTINGS_STORED}) and the listings of their offenders
 * ({@link Addresses#LISTING_CHANGED}), which every DNSBL index and live feed follows.
 */
public class RecorderVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RecorderVerticle.class);

  /** Tries of one batch before its senders are told to come back later. */
  private static final int ATTEMPTS = 3;
  private static final long RETRY_PAUSE_MS = 200;
  /** A write that hangs (a database gone silent) counts as failed; a late commit is harmless, inserts being idempotent. */
  private static final long WRITE_TIMEOUT_MS = 5_000;

  private final HunnypotConfig config;
  private final MeterRegistry registry;
  private final Queue<Pending> queue = new ArrayDeque<>();
  private final Counter stored;
  private final Counter duplicates;
  private final Counter malformed;
  private final Counter rejected;
  private final Counter unavailable;
  private final DistributionSummary batches;
  private final Gauge queueDepth;

  private Pool pool;
  private RecorderQueries queries;
  private MessageConsumer<Object> consumer;
  /** A write is lingering or in flight. */
  private boolean writing;
  /** Set once stop() has closed the door: completed when the queue is empty and no write is in flight. */
  private Promise<Void> flushed;

  public RecorderVerticle(HunnypotConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.stored = registry.counter("hunnypot.recorder.sightings.stored");
    this.duplicates = registry.counter("hunnypot.recorder.sightings.duplicate");
    this.malformed = failures(registry, "malformed");
    this.rejected = failures(registry, "rejected");
    this.unavailable = failures(registry, "unavailable");
    this.batches = DistributionSummary.builder("hunnypot.recorder.batch.size")
        .description("sightings per committed transaction")
        .register(registry);
    this.queueDepth = Gauge.builder("hunnypot.recorder.queue.depth", queue, Collection::size)
        .description("sightings waiting for the next write")
        .register(registry);
  }

  private static Counter failures(MeterRegistry registry, String reason) {
    return Counter.builder("hunnypot.recorder.sightings.failed")
        .description("sightings that could not be stored")
        .tag("reason", reason)
        .register(registry);
  }

  @Override
  public Future<?> start() {
    String url = config.db().url();
    return vertx.executeBlocking(() -> {
          Schema.migrate(url);
          return null;
        })
        .recover(error -> Future.failedFuture(new IllegalStateException(
            "recorder: cannot use the database at " + config.db().redactedUrl() + ": " + error.getMessage(), error)))
        .compose(migrated -> {
          pool = PgBuilder.pool()
              .with(new PoolOptions().setMaxSize(config.db().poolSize()))
              // Every statement is a constant, and the batch insert is longer than the default
              // 2,048-character limit of the cache: unprepared, it was parsed and planned anew per batch.
              .connectingTo(PgConnectOptions.fromUri(url).setCachePreparedStatements(true)
                  .setPreparedStatementCacheSqlFilter(sql -> true))
              .using(vertx)
              .build();
          queries = new RecorderQueries(pool, config.listing());
          return queries.delistAllowed();
        })
        .compose(delisted -> {
          if (!delisted.isEmpty()) {
            LOG.info("{} listed addresses are in listing.allowlist: delisted", delisted.size());
            publish(delisted.stream().map(ListingChange::delisted).toList());
          }
          consumer = vertx.eventBus().consumer(Addresses.SIGHTING_RECORD, this::receive);
          return consumer.completion();
        });
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister()
        .compose(closed -> {
          flushed = Promise.promise();
          writeNext();
          return flushed.future();
        })
        .eventually(() -> pool.close())
        .andThen(done -> registry.remove(queueDepth));
  }

  private void receive(Message<Object> message) {
    Sighting sighting;
    try {
      sighting = parse(message.body());
    } catch (RuntimeException e) {
      malformed.increment();
      LOG.warn("malformed sighting refused ({}): {}", e, message.body());
      message.fail(400, "malformed sighting: " + e);
      return;
    }
    queue.add(new Pending(sighting, message));
    writeNext();
  }

  private static Sighting parse(Object body) {
    if (body instanceof JsonObject json) {
      return Sighting.fromJson(json);
    }
    throw new IllegalArgumentException("expected a JSON object");
  }

  /** Starts a write unless one is lingering or in flight: its end starts the next. Stopping, nothing lingers. */
  private void writeNext() {
    if (writing) {
      return;
    }
    if (queue.isEmpty()) {
      if (flushed != null) {
        flushed.tryComplete();
      }
      return;
    }
    writing = true;
    int lingerMillis = config.recorder().lingerMillis();
    if (lingerMillis > 0 && queue.size() < config.recorder().batchSize() && flushed == null) {
      vertx.setTimer(lingerMillis, lingered -> write());
    } else {
      write();
    }
  }

  /** Writes the oldest queued sightings, a batch at most, then starts the next write. */
  private void write() {
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), config.recorder().batchSize()));
    while (batch.size() < config.recorder().batchSize() && !queue.isEmpty()) {
      batch.add(queue.remove());
    }
    store(batch).onComplete(done -> {
      writing = false;
      writeNext();
    });
  }

  /** Writes the batch and answers every one of its senders. */
  private Future<Void> store(List<Pending> batch) {
    return attempt(batch.stream().map(Pending::wireForm).toList(), 1).transform(result -> {
      if (result.succeeded()) {
        committed(batch, result.result());
      } else if (!isDataError(result.cause())) {
        unavailable(batch, result.cause());
      } else if (batch.size() == 1) {
        rejected(batch.get(0), result.cause());
      } else {
        // one bad row fails the whole statement: halve the batch until the bad row stands alone
        int half = batch.size() / 2;
        return store(batch.subList(0, half)).compose(first -> store(batch.subList(half, batch.size())));
      }
      return Future.succeededFuture();
    });
  }

  /** One transaction for the whole batch, tried again after a pause unless the data itself is at fault. */
  private Future<RecorderQueries.Recorded> attempt(List<JsonObject> sightings, int attempt) {
    return queries.record(sightings)
        .timeout(WRITE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(error -> {
          if (isDataError(error) || attempt == ATTEMPTS) {
            return Future.failedFuture(error);
          }
          LOG.warn("writing {} sightings failed (try {} of {}), trying again: {}",
              sightings.size(), attempt, ATTEMPTS, error.toString());
          return vertx.timer(RETRY_PAUSE_MS * attempt).compose(paused -> attempt(sightings, attempt + 1));
        });
  }

  private void committed(List<Pending> batch, RecorderQueries.Recorded recorded) {
    int inserted = recorded.inserted().size();
    batches.record(batch.size());
    stored.increment(inserted);
    duplicates.increment(batch.size() - inserted);
    batch.forEach(pending -> pending.message().reply(null));
    if (inserted > 0) {
      List<JsonObject> firstTime = batch.stream().filter(pending -> recorded.inserted().contains(pending.sighting().id()))
          .map(Pending::wireForm).toList();
      vertx.eventBus().publish(Addresses.SIGHTINGS_STORED, SightingsStored.toJson(firstTime));
    }
    publish(recorded.listings());
  }

  private void publish(List<ListingChange> changes) {
    if (!changes.isEmpty()) {
      vertx.eventBus().publish(Addresses.LISTING_CHANGED, new ListingChanges(changes).toJson());
    }
  }

  private void unavailable(List<Pending> batch, Throwable error) {
    unavailable.increment(batch.size());
    LOG.error("{} sightings not stored, the database failed {} times ({}); their senders must resend them: {}",
        batch.size(), ATTEMPTS, error.toString(), batch.stream().map(pending -> pending.sighting().id()).toList());
    batch.forEach(pending -> pending.message().fail(503, "database unavailable: " + error.getMessage()));
  }

  private void rejected(Pending pending, Throwable error) {
    rejected.increment();
    LOG.error("sighting refused by the database, not stored ({}): {}", error.getMessage(), pending.sighting().toJson().encode());
    pending.message().fail(400, "sighting refused by the database: " + error.getMessage());
  }

  /** A data exception (SQLSTATE class 22) or an integrity violation (23): the same rows would fail again. */
  private static boolean isDataError(Throwable error) {
    return error instanceof DatabaseException db && db.getSqlState() != null
        && (db.getSqlState().startsWith("22") || db.getSqlState().startsWith("23"));
  }

  private record Pending(Sighting sighting, Message<Object> message) {
    /** The sighting as it came, checked by {@link Sighting#fromJson}: written and published as it is, never encoded again. */
    JsonObject wireForm() {
      return (JsonObject) message.body();
    }
  }
}
