package io.hunnypot.recorder;

import io.hunnypot.contract.Sighting;
import io.hunnypot.testsupport.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static io.hunnypot.recorder.Fixtures.count;
import static io.hunnypot.recorder.Fixtures.failureCode;
import static io.hunnypot.recorder.Fixtures.send;
import static io.hunnypot.recorder.Fixtures.sighting;
import static io.hunnypot.recorder.Fixtures.storedSighting;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class RecorderDatabaseLossTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  @DisplayName("a database unreachable at start fails the deployment with a message naming its URL, without the password")
  void unreachableAtStart(Vertx vertx, VertxTestContext context) throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String url = "postgresql://hunnypot:s3cret@127.0.0.1:" + closedPort + "/hunnypot";
    vertx.deployVerticle(new RecorderVerticle(Fixtures.config(url), registry))
        .onComplete(context.failing(error -> context.verify(() -> {
          assertThat(error.getMessage())
              .contains("postgresql://hunnypot:***@127.0.0.1:" + closedPort + "/hunnypot")
              .doesNotContain("s3cret");
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("a database lost under the recorder gets sightings answered 503 rather than left hanging, and they are stored once it is back")
  void databaseLostAndBack(Vertx vertx, VertxTestContext context) {
    String url = TestDatabase.newDatabaseUrl();
    String name = PgConnectOptions.fromUri(url).getDatabase();
    Pool server = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url).setDatabase("postgres")).using(vertx).build();
    Pool db = PgBuilder.pool().connectingTo(url).using(vertx).build();
    Sighting before = sighting("127.0.4.1");
    Sighting during = sighting("127.0.4.2");

    vertx.deployVerticle(new RecorderVerticle(Fixtures.config(url), registry))
        .compose(deployed -> send(vertx, before))
        .compose(stored -> server.query("DROP DATABASE " + name + " WITH (FORCE)").execute())
        .compose(dropped -> send(vertx, during).transform(reply -> Future.succeededFuture(reply.cause())))
        .compose(refusal -> {
          context.verify(() -> {
            assertThat(failureCode(refusal)).isEqualTo(503);
            assertThat(registry.counter("hunnypot.recorder.sightings.failed", "reason", "unavailable").count()).isEqualTo(1);
          });
          return server.query("CREATE DATABASE " + name).execute();
        })
        .compose(created -> vertx.executeBlocking(() -> {
          Schema.migrate(url);
          return null;
        }))
        // the listener sends it again, and the same recorder, never restarted, takes it
        .compose(back -> send(vertx, during))
        .compose(stored -> storedSighting(db, during.id()))
        .onComplete(context.succeeding(stored -> context.verify(() -> {
          assertThat(stored).contains(during);
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("a restart migrates the same database again without harm and finds the earlier sightings")
  void restartKeepsData(Vertx vertx, VertxTestContext context) {
    String url = TestDatabase.newDatabaseUrl();
    Pool db = PgBuilder.pool().connectingTo(url).using(vertx).build();
    vertx.deployVerticle(new RecorderVerticle(Fixtures.config(url), registry))
        .compose(deployed -> send(vertx, sighting("127.0.5.1")).compose(stored -> vertx.undeploy(deployed)))
        .compose(undeployed -> vertx.deployVerticle(new RecorderVerticle(Fixtures.config(url), new SimpleMeterRegistry())))
        .compose(redeployed -> send(vertx, sighting("127.0.5.1")))
        .compose(stored -> Future.all(
            count(db, "SELECT count(*) FROM sightings"),
            count(db, "SELECT sightings FROM offenders"),
            count(db, "SELECT count(*) FROM flyway_schema_history WHERE NOT success")))
        .onComplete(context.succeeding(counts -> context.verify(() -> {
          assertThat(counts.<Long>resultAt(0)).isEqualTo(2);
          assertThat(counts.<Long>resultAt(1)).isEqualTo(2);
          assertThat(counts.<Long>resultAt(2)).isZero();
          context.completeNow();
        })));
  }
}
