package io.hunnypot.recorder;

import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingClass;
import io.hunnypot.testsupport.TestDatabase;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.hunnypot.recorder.Fixtures.T0;
import static io.hunnypot.recorder.Fixtures.count;
import static io.hunnypot.recorder.Fixtures.failureCode;
import static io.hunnypot.recorder.Fixtures.offender;
import static io.hunnypot.recorder.Fixtures.send;
import static io.hunnypot.recorder.Fixtures.sighting;
import static io.hunnypot.recorder.Fixtures.storedSighting;
import static io.hunnypot.recorder.Fixtures.until;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class RecorderVerticleTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** The test's own view of the recorder's database. */
  private Pool db;
  private String url;
  private String deployment;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    url = TestDatabase.newDatabaseUrl();
    db = PgBuilder.pool().connectingTo(url).using(vertx).build();
    vertx.deployVerticle(new RecorderVerticle(Fixtures.config(url), registry))
        .onComplete(context.succeeding(id -> {
          deployment = id;
          context.completeNow();
        }));
  }

  @Test
  @DisplayName("a sighting is stored with every field, and its acknowledgement comes only after the commit")
  void storesEveryField(Vertx vertx, VertxTestContext context) {
    Sighting sighting = sighting("::1");
    send(vertx, sighting)
        .compose(reply -> storedSighting(db, sighting.id()))
        .onComplete(context.succeeding(stored -> context.verify(() -> {
          assertThat(stored).contains(sighting);
          assertThat(registry.counter("hunnypot.recorder.sightings.stored").count()).isEqualTo(1);
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("an offender aggregates its sightings: count, first and last seen, classes, and listed until its latest listable sighting plus the lifetime")
  void offenderAggregatesSightings(Vertx vertx, VertxTestContext context) {
    String ip = "127.0.0.2";
    Sighting earliest = sighting(ip, SightingClass.NO_ENVELOPE, T0);
    Sighting latestListable = sighting(ip, SightingClass.TRAP_DOMAIN, T0.plus(Duration.ofHours(1)));
    Sighting latest = sighting(ip, SightingClass.UNKNOWN, T0.plus(Duration.ofHours(3)));
    Sighting olderListable = sighting(ip, SightingClass.BACKUP_MX, T0.plus(Duration.ofMinutes(30)));
    Sighting neverListable = sighting("127.0.0.3", SightingClass.UNKNOWN, T0);

    send(vertx, earliest)
        .compose(stored -> Future.all(send(vertx, latestListable), send(vertx, latest), send(vertx, neverListable)))
        // arrives last but ended earlier: the listing must not move backwards
        .compose(stored -> send(vertx, olderListable))
        .compose(stored -> Future.all(offender(db, ip), offender(db, "127.0.0.3")))
        .onComplete(context.succeeding(offenders -> context.verify(() -> {
          Fixtures.Offender listed = offenders.resultAt(0);
          assertThat(listed.sightings()).isEqualTo(4);
          assertThat(listed.firstSeen()).isEqualTo(earliest.endedAt());
          assertThat(listed.lastSeen()).isEqualTo(latest.endedAt());
          assertThat(listed.classes()).containsExactly("backup-mx", "no-envelope", "trap-domain", "unknown");
          assertThat(listed.listedUntil()).isEqualTo(latestListable.endedAt().plus(Duration.ofDays(2)));

          Fixtures.Offender unlisted = offenders.resultAt(1);
          assertThat(unlisted.sightings()).isEqualTo(1);
          assertThat(unlisted.classes()).containsExactly("unknown");
          assertThat(unlisted.listedUntil()).isNull();
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("a sighting sent again, after its acknowledgement or twice in one batch, is acknowledged each time but stored and counted once")
  void resentSightingIsStoredOnce(Vertx vertx, VertxTestContext context) {
    Sighting sighting = sighting("127.0.0.4");
    send(vertx, sighting)
        .compose(stored -> send(vertx, sighting))
        .compose(storedAgain -> blockWrites())
        .compose(lock -> {
          // two more copies queue behind a write in flight, so they go in the same batch
          Future<?> inFlight = send(vertx, sighting("127.0.0.5"));
          Future<?> copies = Future.all(send(vertx, sighting), send(vertx, sighting));
          return until(vertx, () -> queueDepth() == 2)
              .compose(queued -> release(lock))
              .compose(released -> Future.all(inFlight, copies));
        })
        .compose(stored -> Future.all(
            count(db, "SELECT count(*) FROM sightings WHERE client_ip = '127.0.0.4'"),
            offender(db, "127.0.0.4")))
        .onComplete(context.succeeding(read -> context.verify(() -> {
          assertThat(read.<Long>resultAt(0)).isEqualTo(1);
          assertThat(read.<Fixtures.Offender>resultAt(1).sightings()).isEqualTo(1);
          assertThat(registry.counter("hunnypot.recorder.sightings.stored").count()).isEqualTo(2);
          assertThat(registry.counter("hunnypot.recorder.sightings.duplicate").count()).isEqualTo(3);
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("2,000 concurrent sightings are all stored, in far fewer transactions than sightings")
  void concurrentSightingsAreBatched(Vertx vertx, VertxTestContext context) {
    List<Future<?>> replies = IntStream.range(0, 2000)
        .<Future<?>>mapToObj(i -> send(vertx, sighting("127.0.1." + (1 + i % 100))))
        .toList();
    Future.all(replies)
        .compose(acknowledged -> Future.all(
            count(db, "SELECT count(*) FROM sightings"),
            count(db, "SELECT sum(sightings)::bigint FROM offenders")))
        .onComplete(context.succeeding(counts -> context.verify(() -> {
          assertThat(counts.<Long>resultAt(0)).isEqualTo(2000);
          assertThat(counts.<Long>resultAt(1)).isEqualTo(2000);
          DistributionSummary batches = registry.get("hunnypot.recorder.batch.size").summary();
          assertThat(batches.totalAmount()).isEqualTo(2000);
          assertThat(batches.count()).isLessThanOrEqualTo(2000 / 20);
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("with recorder.lingerMillis, the sightings that arrive while a write lingers join it: one transaction for all")
  void lingeringWriteGathersSightings(Vertx vertx, VertxTestContext context) {
    SimpleMeterRegistry lingering = new SimpleMeterRegistry();
    vertx.undeploy(deployment)
        .compose(undeployed -> vertx.deployVerticle(new RecorderVerticle(Fixtures.config(url, 1_000), lingering)))
        .compose(deployed -> {
          Future<?> first = send(vertx, sighting("127.0.4.1"));
          return vertx.timer(200)
              .compose(waited -> Future.all(IntStream.range(2, 12).mapToObj(i -> send(vertx, sighting("127.0.4." + i))).toList()))
              .compose(later -> first);
        })
        .compose(acknowledged -> count(db, "SELECT count(*) FROM sightings"))
        .onComplete(context.succeeding(stored -> context.verify(() -> {
          assertThat(stored).isEqualTo(11);
          DistributionSummary batches = lingering.get("hunnypot.recorder.batch.size").summary();
          assertThat(batches.count()).isEqualTo(1);
          assertThat(batches.totalAmount()).isEqualTo(11);
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("a malformed message is refused at once with 400, and the recorder keeps serving")
  void malformedMessageIsRefused(Vertx vertx, VertxTestContext context) {
    Sighting good = sighting("127.0.0.5");
    Future.all(
            failureCodeOf(send(vertx, "not a sighting")),
            failureCodeOf(send(vertx, new JsonObject().put("id", "not a uuid"))),
            failureCodeOf(send(vertx, good.toJson().put("endedAt", "yesterday"))))
        .compose(codes -> send(vertx, good).map(codes))
        .onComplete(context.succeeding(codes -> context.verify(() -> {
          assertThat(codes.<Integer>list()).containsExactly(400, 400, 400);
          assertThat(registry.counter("hunnypot.recorder.sightings.failed", "reason", "malformed").count()).isEqualTo(3);
          assertThat(registry.counter("hunnypot.recorder.sightings.stored").count()).isEqualTo(1);
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("a row the database refuses (not an address, or a network) fails alone with 400, while the rest of its batch is stored")
  void refusedRowFailsAlone(Vertx vertx, VertxTestContext context) {
    blockWrites().onComplete(context.succeeding(lock -> {
      // the first write takes one sighting and waits on the lock; the next 21 queue up as one batch
      List<Future<?>> good = IntStream.range(0, 20).<Future<?>>mapToObj(i -> send(vertx, sighting("127.0.2." + i))).toList();
      Future<Integer> notAnAddress = failureCodeOf(send(vertx, sighting("not an address")));
      Future<Integer> aNetwork = failureCodeOf(send(vertx, sighting("127.0.0.0/8")));
      until(vertx, () -> queueDepth() == 21)
          .compose(queued -> release(lock))
          .compose(released -> Future.all(Future.all(good), notAnAddress, aNetwork))
          .compose(replies -> count(db, "SELECT count(*) FROM sightings"))
          .onComplete(context.succeeding(stored -> context.verify(() -> {
            assertThat(notAnAddress.result()).isEqualTo(400);
            assertThat(aNetwork.result()).isEqualTo(400);
            assertThat(stored).isEqualTo(20);
            assertThat(registry.counter("hunnypot.recorder.sightings.failed", "reason", "rejected").count()).isEqualTo(2);
            context.completeNow();
          })));
    }));
  }

  @Test
  @DisplayName("undeploying writes what is queued before closing, and acknowledges it")
  void stopFlushesTheQueue(Vertx vertx, VertxTestContext context) {
    blockWrites().onComplete(context.succeeding(lock -> {
      List<Future<?>> replies = IntStream.range(0, 5).<Future<?>>mapToObj(i -> send(vertx, sighting("127.0.3.1"))).toList();
      until(vertx, () -> queueDepth() == 4)
          .compose(queued -> {
            Future<Void> undeployed = vertx.undeploy(deployment);
            return consumerGone(vertx).compose(gone -> release(lock)).compose(released -> undeployed);
          })
          .compose(undeployed -> Future.all(replies))
          .compose(acknowledged -> count(db, "SELECT count(*) FROM sightings"))
          .onComplete(context.succeeding(stored -> context.verify(() -> {
            assertThat(stored).isEqualTo(5);
            context.completeNow();
          })));
    }));
  }

  private double queueDepth() {
    return registry.get("hunnypot.recorder.queue.depth").gauge().value();
  }

  /** Holds a lock that makes every insert into sightings wait until {@link #release}. */
  private Future<SqlConnection> blockWrites() {
    return db.getConnection().compose(connection -> connection.begin()
        .compose(tx -> connection.query("LOCK TABLE sightings IN SHARE MODE").execute())
        .map(locked -> connection));
  }

  private static Future<Void> release(SqlConnection lock) {
    return lock.transaction().rollback().eventually(lock::close);
  }

  /** Completes once the recorder no longer takes messages (a malformed probe is refused until then). */
  private static Future<Void> consumerGone(Vertx vertx) {
    return send(vertx, "probe").transform(reply ->
        reply.failed() && ((ReplyException) reply.cause()).failureType() == ReplyFailure.NO_HANDLERS
            ? Future.succeededFuture()
            : vertx.timer(5).compose(waited -> consumerGone(vertx)));
  }

  private static Future<Integer> failureCodeOf(Future<?> reply) {
    return reply.transform(result -> result.succeeded()
        ? Future.failedFuture("expected a failure, got an acknowledgement")
        : Future.succeededFuture(failureCode(result.cause())));
  }
}
