package io.hunnypot.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SightingsApiTest extends SeededApiTestBase {

  @Test
  @DisplayName("a sighting has every field of the contract's Sighting, nulls included")
  void everyField(VertxTestContext testContext) {
    get("/api/v1/sightings?ip=2001:DB8:0::1").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject("""
          {"items": [
            {"id": "10000000-0000-0000-0000-000000000002", "startedAt": "2025-01-02T10:00:00Z",
             "endedAt": "2025-01-02T10:00:01Z", "clientIp": "2001:db8::1", "clientPort": 50124,
             "localIp": "2001:db8::25", "localPort": 25, "node": "node-a", "helo": "mx.example.net",
             "sender": "x@example.net", "recipients": ["a@backup.example"], "bytes": 300, "commands": 4,
             "ending": "client-closed", "class": "outage", "evidence": {}},
            {"id": "10000000-0000-0000-0000-000000000001", "startedAt": "2025-01-01T10:00:00.123456Z",
             "endedAt": "2025-01-01T10:00:04.500Z", "clientIp": "2001:db8::1", "clientPort": 50123,
             "localIp": "2001:db8::25", "localPort": 25, "node": "node-a", "helo": "mx.example.net",
             "sender": "", "recipients": ["a@backup.example", "b@backup.example"], "bytes": 1024, "commands": 7,
             "ending": "byte-cap", "class": "backup-mx", "evidence": {"primaries": ["mx1.backup.example"]}}],
           "next": null}"""));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a session without HELO or envelope has null helo and sender and no recipients")
  void nullFields(VertxTestContext testContext) {
    get("/api/v1/sightings?ip=192.0.2.2").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      JsonObject sighting = response.bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
      assertThat(sighting.fieldNames()).contains("helo", "sender");
      assertThat(sighting.getValue("helo")).isNull();
      assertThat(sighting.getValue("sender")).isNull();
      assertThat(sighting.getJsonArray("recipients")).isEmpty();
      assertThat(sighting.getString("class")).isEqualTo("no-envelope");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("without filters every sighting comes back, newest first, up to the default limit of 100")
  void allNewestFirst(VertxTestContext testContext) {
    get("/api/v1/sightings").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      List<Instant> ends = endTimes(response.bodyAsJsonObject().getJsonArray("items"));
      assertThat(ends).hasSize(28).isSortedAccordingTo(Comparator.reverseOrder());
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("limit caps the number of sightings, keeping the newest")
  void limit(VertxTestContext testContext) {
    get("/api/v1/sightings?limit=3").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(ids(response.bodyAsJsonObject().getJsonArray("items"))).containsExactly(
          "00000000-0000-0000-0000-000000000001",
          "00000000-0000-0000-0000-000000000002",
          "00000000-0000-0000-0000-000000000003");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("since keeps the sightings that ended at or after the instant")
  void since(VertxTestContext testContext) {
    Instant dayAgo = Instant.now().minus(Duration.ofDays(1));
    get("/api/v1/sightings?since=" + dayAgo + "&limit=1000").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      JsonArray items = response.bodyAsJsonObject().getJsonArray("items");
      assertThat(items).hasSize(25);
      assertThat(endTimes(items)).allMatch(end -> !end.isBefore(dayAgo));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("since and ip together narrow to one client's recent sightings")
  void sinceAndIp(VertxTestContext testContext) {
    get("/api/v1/sightings?ip=2001:db8::1&since=2025-01-01T10:00:04.6Z").onComplete(testContext.succeeding(
        response -> testContext.verify(() -> {
          assertThat(ids(response.bodyAsJsonObject().getJsonArray("items")))
              .containsExactly("10000000-0000-0000-0000-000000000002");
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("an address that was never sighted has an empty list")
  void noSightings(VertxTestContext testContext) {
    get("/api/v1/sightings?ip=192.0.2.99").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().getJsonArray("items")).isEmpty();
      testContext.completeNow();
    })));
  }

  private static List<Instant> endTimes(JsonArray items) {
    return items.stream().map(s -> Instant.parse(((JsonObject) s).getString("endedAt"))).toList();
  }

  private static List<String> ids(JsonArray items) {
    return items.stream().map(s -> ((JsonObject) s).getString("id")).toList();
  }
}
