package io.hunnypot.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class BadRequestsTest extends SeededApiTestBase {

  private static final String FORGED_CURSOR = Base64.getUrlEncoder().withoutPadding()
      .encodeToString("2026-01-01T00:00:00Z not-an-address".getBytes(StandardCharsets.UTF_8));

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/api/v1/offenders?class=spam                  | class   | expected one of trap-domain, backup-mx, a-record, relay-attempt, outage, unknown, no-envelope",
      "/api/v1/offenders?since=yesterday             | since   | expected an ISO-8601 instant such as 2026-01-01T00:00:00Z",
      "/api/v1/offenders?since=2026-01-01            | since   | expected an ISO-8601 instant such as 2026-01-01T00:00:00Z",
      "/api/v1/offenders?limit=0                     | limit   | expected an integer from 1 to 1000",
      "/api/v1/offenders?limit=5000                  | limit   | expected an integer from 1 to 1000",
      "/api/v1/offenders?limit=ten                   | limit   | expected an integer from 1 to 1000",
      "/api/v1/offenders?limit=                      | limit   | expected an integer from 1 to 1000",
      "/api/v1/offenders?listed=yes                  | listed  | expected true or false",
      "/api/v1/offenders?cursor=!!!                  | cursor  | expected the value of next from the previous page",
      "/api/v1/offenders?cursor=bm90IGEgY3Vyc29y     | cursor  | expected the value of next from the previous page",
      "/api/v1/offenders?cursor=FORGED              | cursor  | expected the value of next from the previous page",
      "/api/v1/offenders?colour=red                  | colour  | unknown parameter; accepted: class, since, listed, limit, cursor",
      "/api/v1/offenders?limit=1&limit=2             | limit   | given more than once",
      "/api/v1/offenders/192.0.2.300                 | ip      | expected an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1",
      "/api/v1/offenders/192.0.2                     | ip      | expected an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1",
      "/api/v1/offenders/not-an-address              | ip      | expected an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1",
      "/api/v1/offenders/2001:db8::g                 | ip      | expected an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1",
      "/api/v1/offenders/2001:db8:1:2:3:4:5:6:7      | ip      | expected an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1",
      "/api/v1/offenders/fe80::1%25eth0              | ip      | expected an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1",
      "/api/v1/offenders/192.0.2.1?verbose=true      | verbose | unknown parameter; this path takes none",
      "/api/v1/sightings?ip=example.com              | ip      | expected an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1",
      "/api/v1/sightings?since=1735725600            | since   | expected an ISO-8601 instant such as 2026-01-01T00:00:00Z",
      "/api/v1/sightings?limit=0                     | limit   | expected an integer from 1 to 1000",
      "/api/v1/sightings?limit=1001                  | limit   | expected an integer from 1 to 1000",
      "/api/v1/sightings?class=trap-domain           | class   | unknown parameter; accepted: ip, since, limit",
      "/api/v1/stats?since=2026-01-01T00:00:00Z      | since   | unknown parameter; this path takes none"})
  @DisplayName("a bad parameter is 400 with a JSON error naming the parameter and what was expected")
  void badParameter(String uri, String parameter, String message, VertxTestContext testContext) {
    get(uri.replace("FORGED", FORGED_CURSOR)).onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.getHeader("content-type")).startsWith("application/json");
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject()
          .put("error", "bad parameter").put("parameter", parameter).put("message", message));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("an unknown path is 404 with a JSON error")
  void unknownPath(VertxTestContext testContext) {
    get("/api/v1/nothing-here").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.bodyAsJsonObject())
          .isEqualTo(new JsonObject().put("error", "not found").put("message", "GET /api/v1/nothing-here"));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a method the path does not take is 405 with a JSON error")
  void wrongMethod(VertxTestContext testContext) {
    request(HttpMethod.POST, "/api/v1/stats").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(405);
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("method not allowed");
      testContext.completeNow();
    })));
  }
}
