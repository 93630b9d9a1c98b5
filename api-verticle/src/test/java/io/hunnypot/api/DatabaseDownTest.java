package io.hunnypot.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** The API deploys and stays up without its database, and says so instead of failing obscurely. */
class DatabaseDownTest extends ApiTestBase {

  @Test
  @DisplayName("with nothing listening at the database's port the API deploys, /health is 200 and /ready is 503 with the reason")
  void databaseUnreachable(Vertx vertx, VertxTestContext testContext) throws IOException {
    deploy(vertx, "postgresql://postgres@127.0.0.1:" + closedPort() + "/hunnypot")
        .compose(v -> get("/health"))
        .map(health -> {
          testContext.verify(() -> assertThat(health.statusCode()).isEqualTo(200));
          return health;
        })
        .compose(v -> get("/ready"))
        .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(503);
          JsonObject body = response.bodyAsJsonObject();
          assertThat(body.getString("status")).isEqualTo("not ready");
          assertThat(body.getString("reason")).startsWith("database: ").containsIgnoringCase("refused");
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a database that accepts connections but never answers makes /ready 503 within its short timeout")
  void databaseSilent(Vertx vertx, VertxTestContext testContext) {
    NetServer silent = vertx.createNetServer().connectHandler(socket -> { });
    long[] started = new long[1];
    silent.listen(0, "127.0.0.1")
        .compose(server -> deploy(vertx, "postgresql://postgres@127.0.0.1:" + server.actualPort() + "/hunnypot"))
        .compose(v -> {
          started[0] = System.nanoTime();
          return get("/ready");
        })
        .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(503);
          assertThat(response.bodyAsJsonObject().getString("reason")).isEqualTo("database: no answer within 2 s");
          assertThat((System.nanoTime() - started[0]) / 1_000_000).isLessThan(5_000);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("an API call while the database is unreachable is 503 with a JSON error and no stack trace")
  void apiCallWithoutDatabase(Vertx vertx, VertxTestContext testContext) throws IOException {
    deploy(vertx, "postgresql://postgres@127.0.0.1:" + closedPort() + "/hunnypot")
        .compose(v -> get("/api/v1/offenders"))
        .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(503);
          assertThat(response.getHeader("content-type")).startsWith("application/json");
          assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject()
              .put("error", "database unavailable")
              .put("message", "the database did not answer; try again later"));
          testContext.completeNow();
        })));
  }

  /** A loopback port that nothing listens on: just bound, then released. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
