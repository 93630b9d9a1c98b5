package io.hunnypot.mxmonitor;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Classification;
import io.hunnypot.contract.ClassifyRequest;
import io.hunnypot.contract.SightingClass;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class MxMonitorVerticleTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    var config = ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_TRAP_DOMAINS", "trap.example,Other.Example"));
    vertx.deployVerticle(new MxMonitorVerticle(config, registry)).onComplete(context.succeedingThenComplete());
  }

  @Test
  @DisplayName("a configured trap domain is classified trap-domain, whatever its case")
  void trapDomain(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().<JsonObject>request(Addresses.MX_CLASSIFY, new ClassifyRequest("TRAP.example", List.of("127.0.0.1")).toJson())
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          Classification answer = Classification.fromJson(reply.body());
          assertThat(answer.sightingClass()).isEqualTo(SightingClass.TRAP_DOMAIN);
          assertThat(answer.evidence().getString("domain")).isEqualTo("trap.example");
          assertThat(registry.counter("hunnypot.mx.classifications", "class", "trap-domain").count()).isEqualTo(1);
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("any other domain is unknown, so it is never listed")
  void otherDomain(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().<JsonObject>request(Addresses.MX_CLASSIFY, new ClassifyRequest("example.org", List.of("127.0.0.1")).toJson())
        .onComplete(context.succeeding(reply -> context.verify(() -> {
          assertThat(Classification.fromJson(reply.body()).sightingClass()).isEqualTo(SightingClass.UNKNOWN);
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("a malformed request is answered with a failure, not left to time out")
  void malformedRequest(Vertx vertx, VertxTestContext context) {
    vertx.eventBus().request(Addresses.MX_CLASSIFY, "not json")
        .onComplete(context.failing(error -> context.verify(() -> {
          assertThat(error).isInstanceOf(ReplyException.class);
          assertThat(((ReplyException) error).failureCode()).isEqualTo(400);
          context.completeNow();
        })));
  }
}
