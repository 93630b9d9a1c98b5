package io.hunnypot.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class StatsApiTest extends SeededApiTestBase {

  @Test
  @DisplayName("statistics count sightings, offenders and listings, by class and ending, with every name present")
  void stats(VertxTestContext testContext) {
    get("/api/v1/stats").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject stats = response.bodyAsJsonObject();
      assertThat(stats.getJsonObject("totals"))
          .isEqualTo(new JsonObject().put("sightings", 28).put("offenders", 3).put("listed", 1));
      assertThat(stats.getJsonObject("sightingsByClass")).isEqualTo(new JsonObject("""
          {"trap-domain": 25, "backup-mx": 1, "a-record": 0, "relay-attempt": 0, "outage": 1, "unknown": 0,
           "no-envelope": 1}"""));
      assertThat(stats.getJsonObject("sightingsByEnding")).isEqualTo(new JsonObject("""
          {"quit": 25, "idle-timeout": 1, "byte-cap": 1, "connection-limit": 0, "protocol-error": 0,
           "client-closed": 1, "shutdown": 0}"""));
      assertThat(stats.getLong("sightingsLast24h")).isEqualTo(25L);
      assertThat(stats.getString("firstSighting")).isEqualTo("2025-01-01T10:00:04.500Z");
      assertThat(Instant.parse(stats.getString("lastSighting")))
          .isBetween(Instant.now().minus(Duration.ofMinutes(55)), Instant.now().minus(Duration.ofMinutes(45)));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("statistics of an empty database are zeros and no first or last sighting")
  void empty(Vertx vertx, VertxTestContext testContext) {
    sql(vertx, "TRUNCATE sightings, offenders")
        .compose(v -> get("/api/v1/stats"))
        .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
          JsonObject stats = response.bodyAsJsonObject();
          assertThat(stats.getJsonObject("totals"))
              .isEqualTo(new JsonObject().put("sightings", 0).put("offenders", 0).put("listed", 0));
          assertThat(stats.getJsonObject("sightingsByClass").getInteger("trap-domain")).isZero();
          assertThat(stats.getValue("firstSighting")).isNull();
          assertThat(stats.getValue("lastSighting")).isNull();
          testContext.completeNow();
        })));
  }
}
