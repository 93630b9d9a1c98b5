package io.hunnypot.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OpenApiTest extends SeededApiTestBase {

  @Test
  @DisplayName("GET /api/v1/openapi.yaml serves the OpenAPI document, and every operation in it is routed")
  void documentDescribesTheApi(VertxTestContext testContext) {
    get("/api/v1/openapi.yaml").compose(response -> {
      JsonObject document = yaml(response.bodyAsString());
      testContext.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("content-type")).isEqualTo("application/yaml");
        assertThat(document.getString("openapi")).startsWith("3.1");
        assertThat(document.getJsonObject("paths").fieldNames()).contains(
            "/api/v1/offenders", "/api/v1/offenders/{ip}", "/api/v1/sightings", "/api/v1/stats",
            "/api/v1/export/{format}", "/api/v1/allowlist", "/api/v1/allowlist/{cidr}", "/api/v1/audit",
            "/api/v1/events", "/api/v1/openapi.yaml", "/health", "/ready", "/metrics");
      });
      List<Future<?>> calls = new ArrayList<>();
      JsonObject paths = document.getJsonObject("paths");
      for (String path : paths.fieldNames()) {
        if (path.equals("/api/v1/events")) {
          continue; // an endless stream: EventsTest reads it
        }
        String uri = path.replace("{ip}", "192.0.2.9").replace("{format}", "plain").replace("{cidr}", "192.0.2.0%2F24");
        for (String method : paths.getJsonObject(path).fieldNames()) {
          if (List.of("get", "post", "delete").contains(method)) {
            calls.add(client.request(HttpMethod.valueOf(method.toUpperCase()), port, "127.0.0.1", uri)
                .putHeader("Authorization", "Bearer " + ADMIN_TOKEN)
                .sendJsonObject(new JsonObject().put("network", "192.0.2.9"))
                .map(answer -> {
                  testContext.verify(() -> {
                    assertThat(answer.statusCode()).as(method + " " + uri).isNotEqualTo(405).isLessThan(500);
                    // a 404 of the router, not of the operation (an offender never seen)
                    assertThat(answer.bodyAsString()).as(method + " " + uri).doesNotContain("\"message\":\"" + method.toUpperCase() + " /");
                  });
                  return answer;
                }));
          }
        }
      }
      return Future.all(calls);
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("a query parameter the document does not declare for the operation is 400 naming it")
  void undeclaredParameter(VertxTestContext testContext) {
    get("/api/v1/export/plain?since=2026-01-01T00:00:00Z").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "bad parameter")
          .put("parameter", "since").put("message", "unknown parameter; this path takes none"));
      testContext.completeNow();
    })));
  }

  @SuppressWarnings("unchecked")
  private static JsonObject yaml(String text) {
    try {
      return new JsonObject(new ObjectMapper(new YAMLFactory()).readValue(text, Map.class));
    } catch (Exception e) {
      throw new AssertionError("not YAML: " + e.getMessage(), e);
    }
  }
}
