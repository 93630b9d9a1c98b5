package io.hunnypot.api;

import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.ListingChange;
import io.hunnypot.contract.ListingChanges;
import io.hunnypot.contract.SessionEnd;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingClass;
import io.hunnypot.contract.SightingsStored;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class EventsTest extends SeededApiTestBase {

  @Test
  @DisplayName("GET /api/v1/events streams a sighting event for each stored sighting and a listing event for each change")
  void streamsSightingsAndListings(Vertx vertx, VertxTestContext testContext) {
    Sighting sighting = new Sighting(UUID.randomUUID(), Instant.parse("2026-01-01T00:00:00Z"),
        Instant.parse("2026-01-01T00:00:02Z"), "192.0.2.77", 40000, "192.0.2.25", 25, "node-a", "x.example", "",
        List.of("a@trap.example"), 100, 4, SessionEnd.QUIT, SightingClass.TRAP_DOMAIN, new JsonObject());
    ListingChange change = new ListingChange("192.0.2.77", Instant.parse("2026-01-08T00:00:02Z"),
        Instant.parse("2026-01-01T00:00:02Z"), SightingClass.TRAP_DOMAIN);
    HttpClient http = vertx.createHttpClient();
    StringBuilder stream = new StringBuilder();
    http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI("/api/v1/events"))
        .compose(request -> request.send())
        .onComplete(testContext.succeeding(response -> {
          testContext.verify(() -> {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.getHeader("content-type")).isEqualTo("text/event-stream");
          });
          response.handler(chunk -> {
            stream.append(chunk.toString());
            if (stream.toString().contains("event: listing")) {
              testContext.verify(() -> {
                assertThat(stream.toString()).contains("event: sighting\ndata: " + sighting.toJson().encode() + "\n\n");
                assertThat(stream.toString()).contains("event: listing\ndata: "
                    + change.toJson().put("listed", true).encode() + "\n\n");
              });
              http.close().onComplete(testContext.succeedingThenComplete());
            }
          });
          vertx.eventBus().publish(Addresses.SIGHTINGS_STORED, new SightingsStored(List.of(sighting)).toJson());
          vertx.eventBus().publish(Addresses.LISTING_CHANGED, new ListingChanges(List.of(change)).toJson());
        }));
  }
}
