package io.hunnypot.mxmonitor;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Classification;
import io.hunnypot.contract.ClassifyRequest;
import io.hunnypot.contract.SightingClass;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * Answers, for one recipient domain, how a delivery to it through this honeypot is to be
 * judged. Configured trap domains are {@code trap-domain}; every other domain is
 * {@code unknown}, which is stored for audit and never listed.
 */
public class MxMonitorVerticle extends VerticleBase {

  private final Set<String> trapDomains;
  private final MeterRegistry registry;

  public MxMonitorVerticle(HunnypotConfig config, MeterRegistry registry) {
    this.trapDomains = Set.copyOf(config.trap().domains());
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.MX_CLASSIFY, this::answer).completion();
  }

  private void answer(Message<JsonObject> message) {
    ClassifyRequest request;
    try {
      request = ClassifyRequest.fromJson(message.body());
    } catch (RuntimeException e) {
      message.fail(400, "malformed classify request: " + e.getMessage());
      return;
    }
    Classification classification = classify(request.domain());
    registry.counter("hunnypot.mx.classifications", "class", classification.sightingClass().wireName()).increment();
    message.reply(classification.toJson());
  }

  Classification classify(String domain) {
    String name = domain == null ? "" : domain.toLowerCase();
    if (trapDomains.contains(name)) {
      return new Classification(SightingClass.TRAP_DOMAIN, new JsonObject().put("domain", name).put("rule", "configured trap domain"));
    }
    return new Classification(SightingClass.UNKNOWN, new JsonObject().put("domain", name).put("rule", "not a configured trap domain"));
  }
}
