package io.hunnypot.api;

import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExportApiTest extends SeededApiTestBase {

  @Test
  @DisplayName("GET /api/v1/export/{format} serves the listing now (192.0.2.1 only: the others are expired or never listed)")
  void exportsTheListing(VertxTestContext testContext) {
    get("/api/v1/export/plain")
        .compose(plain -> get("/api/v1/export/json").map(json -> {
          testContext.verify(() -> {
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(plain.getHeader("content-type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(plain.bodyAsString()).isEqualTo("192.0.2.1\n");
            assertThat(json.getHeader("content-type")).isEqualTo("application/json");
            JsonObject item = json.bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
            assertThat(item.getString("ip")).isEqualTo("192.0.2.1");
            assertThat(item.getString("class")).isEqualTo("trap-domain");
            assertThat(item.getLong("sightings")).isEqualTo(25);
          });
          return json;
        }))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("an unknown export format is 400 naming the parameter and the formats there are")
  void unknownFormat(VertxTestContext testContext) {
    get("/api/v1/export/hosts").onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", "bad parameter")
          .put("parameter", "format").put("message", "expected one of rbldnsd, rbldnsd6, tcprules, sendmail, postfix, "
              + "postfix-cidr, nftables, plain, csv, json"));
      testContext.completeNow();
    })));
  }
}
