package io.hunnypot.api;

import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OperationsTest extends SeededApiTestBase {

  @Test
  @DisplayName("/health is 200 while the process runs")
  void health(VertxTestContext testContext) {
    get("/health").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "up"));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("/ready is 200 when the database answers")
  void ready(VertxTestContext testContext) {
    get("/ready").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "ready"));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("/metrics is Prometheus text with the registry's meters and the requests counted by route and status")
  void metrics(VertxTestContext testContext) {
    registry.counter("hunnypot.test.marks").increment();
    get("/api/v1/stats")
        .compose(v -> get("/api/v1/offenders?limit=0"))
        .compose(v -> get("/no/such/path"))
        .compose(v -> get("/metrics"))
        .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
          assertThat(response.bodyAsString())
              .contains("# TYPE hunnypot_test_marks_total counter")
              .contains("hunnypot_test_marks_total 1.0")
              .contains("hunnypot_http_requests_total{route=\"/api/v1/stats\",status=\"200\"} 1.0")
              .contains("hunnypot_http_requests_total{route=\"/api/v1/offenders\",status=\"400\"} 1.0")
              .contains("hunnypot_http_requests_total{route=\"unmatched\",status=\"404\"} 1.0");
          testContext.completeNow();
        })));
  }
}
