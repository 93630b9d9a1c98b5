package io.hunnypot.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OffendersApiTest extends SeededApiTestBase {

  @Test
  @DisplayName("the offender list holds every offender, last seen first, with all its fields")
  void listsEveryOffender(VertxTestContext testContext) {
    get("/api/v1/offenders").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("content-type")).startsWith("application/json");
      JsonObject body = response.bodyAsJsonObject();
      assertThat(ips(body)).containsExactly("192.0.2.1", "192.0.2.2", "2001:db8::1");
      assertThat(body.getValue("next")).isNull();
      assertThat(body.getJsonArray("items").getJsonObject(2)).isEqualTo(new JsonObject("""
          {"ip": "2001:db8::1", "firstSeen": "2025-01-01T10:00:04.500Z", "lastSeen": "2025-01-02T10:00:01Z",
           "sightings": 2, "classes": ["backup-mx", "outage"], "listedUntil": "2025-01-09T10:00:01Z",
           "listed": false}"""));
      testContext.completeNow();
    })));
  }

  @ParameterizedTest(name = "{0} gives {1}")
  @CsvSource(delimiter = '|', value = {
      "class=trap-domain              | 192.0.2.1",
      "class=outage                   | 2001:db8::1",
      "class=a-record                 | ''",
      "listed=true                    | 192.0.2.1",
      "listed=false                   | 192.0.2.2 2001:db8::1",
      "since=2025-01-02T10:00:01Z     | 192.0.2.1 192.0.2.2 2001:db8::1",
      "since=2025-01-02T10:00:01.001Z | 192.0.2.1 192.0.2.2",
      "listed=false&class=no-envelope | 192.0.2.2"})
  @DisplayName("the class, since and listed filters keep only the offenders that match them all")
  void filters(String query, String expected, VertxTestContext testContext) {
    get("/api/v1/offenders?" + query).onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(ips(response.bodyAsJsonObject())).containsExactlyElementsOf(words(expected));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("since keeps the offenders last seen at or after an instant relative to now")
  void sinceRelativeToNow(VertxTestContext testContext) {
    Instant threeDaysAgo = Instant.now().minus(Duration.ofDays(3));
    get("/api/v1/offenders?since=" + threeDaysAgo).onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      JsonArray items = response.bodyAsJsonObject().getJsonArray("items");
      assertThat(ips(response.bodyAsJsonObject())).containsExactly("192.0.2.1", "192.0.2.2");
      assertThat(items.getJsonObject(0).getBoolean("listed")).isTrue();
      assertThat(Instant.parse(items.getJsonObject(0).getString("listedUntil"))).isAfter(Instant.now());
      testContext.completeNow();
    })));
  }

  @ParameterizedTest(name = "pages of {0}")
  @ValueSource(ints = {1, 7, 43, 100})
  @DisplayName("walking the pages by their cursors visits every offender exactly once, in order")
  void pagingVisitsEveryOffenderOnce(int limit, Vertx vertx, VertxTestContext testContext) {
    // 40 more offenders, ten to each last-seen time, so that pages split runs of equal times
    String more = """
        INSERT INTO offenders (ip, first_seen, last_seen, sightings, classes, listed_until)
        SELECT ('198.51.100.' || n)::inet, now() - interval '9 days', now() - (3 + n % 4) * interval '1 day', 1,
               '{no-envelope}', NULL
        FROM generate_series(1, 40) AS n""";
    sql(vertx, more)
        .compose(v -> get("/api/v1/offenders?limit=1000"))
        .compose(all -> walk(limit, null, new ArrayList<>()).map(walked -> {
          testContext.verify(() -> {
            List<String> expected = ips(all.bodyAsJsonObject());
            assertThat(expected).hasSize(43).doesNotHaveDuplicates();
            assertThat(walked).containsExactlyElementsOf(expected);
          });
          return walked;
        }))
        .onComplete(testContext.succeedingThenComplete());
  }

  /** Follows {@code next} until it is null, collecting the addresses of every page; checks each page's size. */
  private Future<List<String>> walk(int limit, String cursor, List<String> seen) {
    String uri = "/api/v1/offenders?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor);
    return get(uri).compose(response -> {
      JsonObject page = response.bodyAsJsonObject();
      String next = page.getString("next");
      assertThat(page.getJsonArray("items").size()).isEqualTo(next == null ? (43 - seen.size()) : limit);
      seen.addAll(ips(page));
      return next == null ? Future.succeededFuture(seen) : walk(limit, next, seen);
    });
  }

  @Test
  @DisplayName("one offender comes with its 20 most recent sightings, newest first")
  void oneOffenderWithRecentSightings(VertxTestContext testContext) {
    get("/api/v1/offenders/192.0.2.1").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject offender = response.bodyAsJsonObject();
      assertThat(offender.getString("ip")).isEqualTo("192.0.2.1");
      assertThat(offender.getLong("sightings")).isEqualTo(25L);
      assertThat(offender.getJsonArray("classes")).containsExactly("trap-domain");
      assertThat(offender.getBoolean("listed")).isTrue();
      List<String> ids = offender.getJsonArray("recentSightings").stream()
          .map(s -> ((JsonObject) s).getString("id")).toList();
      assertThat(ids).hasSize(20);
      assertThat(ids.get(0)).isEqualTo("00000000-0000-0000-0000-000000000001");
      assertThat(ids.get(19)).isEqualTo("00000000-0000-0000-0000-000000000020");
      testContext.completeNow();
    })));
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      "2001:db8::1,             2001:db8::1",
      "2001:DB8::1,             2001:db8::1",
      "2001:db8:0::1,           2001:db8::1",
      "2001:0db8:0:0:0:0:0:0001, 2001:db8::1",
      "2001%3Adb8%3A%3A1,       2001:db8::1",
      "::ffff:192.0.2.2,        192.0.2.2",
      "::FFFF:c000:202,         192.0.2.2"})
  @DisplayName("every spelling of an address, IPv6 and IPv4-mapped too, finds the same offender")
  void addressSpellings(String spelling, String ip, VertxTestContext testContext) {
    get("/api/v1/offenders/" + spelling).onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().getString("ip")).isEqualTo(ip);
      testContext.completeNow();
    })));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"192.0.2.99", "2001:db8::99"})
  @DisplayName("an address never sighted is 404 with a JSON error")
  void unknownOffender(String ip, VertxTestContext testContext) {
    get("/api/v1/offenders/" + ip).onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.getHeader("content-type")).startsWith("application/json");
      assertThat(response.bodyAsJsonObject())
          .isEqualTo(new JsonObject().put("error", "not found").put("message", "no offender " + ip));
      testContext.completeNow();
    })));
  }

  static List<String> ips(JsonObject page) {
    return page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("ip")).toList();
  }

  private static List<String> words(String text) {
    return text.isBlank() ? List.of() : List.of(text.trim().split(" +"));
  }
}
