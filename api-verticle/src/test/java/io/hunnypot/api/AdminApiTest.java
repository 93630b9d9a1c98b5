package io.hunnypot.api;

import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.ListingChange;
import io.hunnypot.contract.ListingChanges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class AdminApiTest extends SeededApiTestBase {

  private final List<ListingChange> published = new CopyOnWriteArrayList<>();

  @BeforeEach
  void listen(Vertx vertx, VertxTestContext testContext) {
    vertx.eventBus().<JsonObject>consumer(Addresses.LISTING_CHANGED,
        message -> published.addAll(ListingChanges.fromJson(message.body()).changes()));
    sql(vertx, "TRUNCATE allowlist, admin_audit").onComplete(testContext.succeedingThenComplete());
  }

  private Future<HttpResponse<Buffer>> admin(HttpMethod method, String uri, String token, JsonObject body) {
    HttpRequest<Buffer> request = client.request(method, port, "127.0.0.1", uri);
    if (token != null) {
      request.putHeader("Authorization", token);
    }
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  @ParameterizedTest(name = "{0} {1} with {2}")
  @CsvSource(delimiter = '|', nullValues = "none", value = {
      "DELETE | /api/v1/offenders/192.0.2.1   | none",
      "DELETE | /api/v1/offenders/192.0.2.1   | Bearer wrong-token",
      "DELETE | /api/v1/offenders/192.0.2.1   | test-admin-token",
      "POST   | /api/v1/allowlist            | Bearer",
      "DELETE | /api/v1/allowlist/192.0.2.0%2F24 | Basic dGVzdC1hZG1pbi10b2tlbg==",
      "GET    | /api/v1/audit                | Bearer test-admin-token-and-more"})
  @DisplayName("an admin call without the bearer token, or with a wrong one, is 401 and changes nothing")
  void unauthorized(HttpMethod method, String uri, String authorization, VertxTestContext testContext) {
    admin(method, uri, authorization, new JsonObject().put("network", "192.0.2.0/24"))
        .compose(response -> get("/api/v1/offenders/192.0.2.1").map(offender -> {
          testContext.verify(() -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer");
            assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
            assertThat(response.bodyAsString()).doesNotContain("test-admin-token");
            assertThat(offender.bodyAsJsonObject().getBoolean("listed")).isTrue();
            assertThat(published).isEmpty();
          });
          return offender;
        }))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("with no admin.token configured, every admin call is refused, even with a token")
  void disabledWithoutToken(Vertx vertx, VertxTestContext testContext) {
    deploy(vertx, config(DATABASE, Map.of("HUNNYPOT_ADMIN_TOKEN", "")))
        .compose(deployed -> admin(HttpMethod.DELETE, "/api/v1/offenders/192.0.2.1", "Bearer ", null))
        .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(403);
          assertThat(response.bodyAsJsonObject().getString("message")).contains("admin.token");
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("delisting with the right token ends the listing, is audited, and is published for the DNSBL")
  void delist(VertxTestContext testContext) {
    admin(HttpMethod.DELETE, "/api/v1/offenders/192.0.2.1", "Bearer " + ADMIN_TOKEN, null)
        .compose(delisted -> get("/api/v1/offenders/192.0.2.1").compose(offender -> auditLog().map(audit -> {
          testContext.verify(() -> {
            assertThat(delisted.statusCode()).isEqualTo(200);
            assertThat(delisted.bodyAsJsonObject().getBoolean("listed")).isFalse();
            assertThat(offender.bodyAsJsonObject().getBoolean("listed")).isFalse();
            assertThat(offender.bodyAsJsonObject().getLong("sightings")).isEqualTo(25);
            assertThat(published).containsExactly(ListingChange.delisted("192.0.2.1"));
            JsonObject entry = audit.getJsonObject(0);
            assertThat(entry.getString("action")).isEqualTo("delist");
            assertThat(entry.getString("target")).isEqualTo("192.0.2.1");
            assertThat(entry.getString("client")).isEqualTo("127.0.0.1");
            assertThat(entry.getJsonObject("detail").getString("listedUntil")).isNotNull();
          });
          return audit;
        })))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("delisting an address never sighted is 404 and not audited")
  void delistUnknown(VertxTestContext testContext) {
    admin(HttpMethod.DELETE, "/api/v1/offenders/198.51.100.1", "Bearer " + ADMIN_TOKEN, null)
        .compose(response -> auditLog().map(audit -> {
          testContext.verify(() -> {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(audit).isEmpty();
          });
          return audit;
        }))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("an allowlist entry delists the addresses inside it, is listed with the configured ones, and can be removed; all audited")
  void allowlist(Vertx vertx, VertxTestContext testContext) {
    String token = "Bearer " + ADMIN_TOKEN;
    JsonObject entry = new JsonObject().put("network", "192.0.2.0/24").put("comment", "our own relays");
    deploy(vertx, config(DATABASE, Map.of("HUNNYPOT_LISTING_ALLOWLIST", "198.51.100.0/24")))
        .compose(deployed -> admin(HttpMethod.POST, "/api/v1/allowlist", token, entry))
        .compose(added -> admin(HttpMethod.POST, "/api/v1/allowlist", token, entry).compose(again ->
            get("/api/v1/allowlist").compose(list -> get("/api/v1/offenders/192.0.2.1").compose(offender ->
                admin(HttpMethod.DELETE, "/api/v1/allowlist/192.0.2.0%2F24", token, null).compose(removed ->
                    admin(HttpMethod.DELETE, "/api/v1/allowlist/192.0.2.0%2F24", token, null).compose(absent ->
                        auditLog().map(audit -> {
                          testContext.verify(() -> {
                            assertThat(added.statusCode()).isEqualTo(201);
                            assertThat(added.bodyAsJsonObject().getInteger("delisted")).isEqualTo(1);
                            assertThat(again.statusCode()).isEqualTo(200);
                            assertThat(published).containsExactly(ListingChange.delisted("192.0.2.1"));
                            assertThat(offender.bodyAsJsonObject().getBoolean("listed")).isFalse();
                            JsonArray items = list.bodyAsJsonObject().getJsonArray("items");
                            assertThat(items.getJsonObject(0)).isEqualTo(new JsonObject()
                                .put("network", "198.51.100.0/24").put("source", "configuration"));
                            assertThat(items.getJsonObject(1).getString("network")).isEqualTo("192.0.2.0/24");
                            assertThat(items.getJsonObject(1).getString("comment")).isEqualTo("our own relays");
                            assertThat(items.getJsonObject(1).getString("source")).isEqualTo("admin");
                            assertThat(removed.statusCode()).isEqualTo(200);
                            assertThat(absent.statusCode()).isEqualTo(404);
                            assertThat(audit.stream().map(e -> ((JsonObject) e).getString("action")).toList())
                                .containsExactly("allowlist-remove", "allowlist-add", "allowlist-add");
                          });
                          return audit;
                        })))))))
        .onComplete(testContext.succeedingThenComplete());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"network\": \"192.0.2.1/24\"}                     | network | expected a network such as 192.0.2.0/24 or 2001:db8::/32, or one address",
      "{\"network\": 42}                                   | network | expected a network such as 192.0.2.0/24 or 2001:db8::/32, or one address",
      "{\"comment\": \"no network\"}                       | network | expected a network such as 192.0.2.0/24 or 2001:db8::/32, or one address",
      "{\"network\": \"192.0.2.0/24\", \"colour\": \"red\"} | colour  | unknown field; accepted: network, comment",
      "{\"network\": \"192.0.2.0/24\", \"comment\": 7}      | comment | expected a text of at most 500 characters",
      "[1, 2]                                              | body    | expected a JSON object such as {\"network\": \"192.0.2.0/24\", \"comment\": \"why\"}"})
  @DisplayName("a bad allowlist entry is 400 naming the field")
  void badAllowlistEntry(String body, String parameter, String message, VertxTestContext testContext) {
    client.request(HttpMethod.POST, port, "127.0.0.1", "/api/v1/allowlist")
        .putHeader("Authorization", "Bearer " + ADMIN_TOKEN)
        .putHeader("content-type", "application/json")
        .sendBuffer(Buffer.buffer(body))
        .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(400);
          assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject()
              .put("error", "bad parameter").put("parameter", parameter).put("message", message));
          testContext.completeNow();
        })));
  }

  private Future<JsonArray> auditLog() {
    return admin(HttpMethod.GET, "/api/v1/audit", "Bearer " + ADMIN_TOKEN, null)
        .map(response -> response.bodyAsJsonObject().getJsonArray("items"));
  }
}
