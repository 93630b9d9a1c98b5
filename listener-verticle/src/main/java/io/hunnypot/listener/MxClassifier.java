package io.hunnypot.listener;

import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Classification;
import io.hunnypot.contract.ClassifyRequest;
import io.hunnypot.contract.SightingClass;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** Asks the MX monitor how a delivery to a recipient domain is to be judged, and weighs the answers. */
final class MxClassifier {

  private static final Classification NOT_ANSWERED_YET = unknown("no answer yet");

  private final EventBus bus;
  private final DeliveryOptions options;
  private final List<String> identityAddresses;

  /** {@code identityAddresses}: this listener's public addresses; empty, the address each client connected to. */
  MxClassifier(EventBus bus, int timeoutSeconds, List<String> identityAddresses) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutSeconds * 1000L);
    this.identityAddresses = List.copyOf(identityAddresses);
  }

  /** The monitor's answer; a failure, or no answer in time, is unknown with the reason as evidence. */
  Future<Classification> classify(String domain, String localAddress) {
    List<String> identity = identityAddresses.isEmpty() ? List.of(localAddress) : identityAddresses;
    return bus.<JsonObject>request(Addresses.MX_CLASSIFY, new ClassifyRequest(domain, identity).toJson(), options)
        .map(reply -> Classification.fromJson(reply.body()))
        .otherwise(error -> unknown(String.valueOf(error.getMessage())));
  }

  /**
   * A session's class: the strongest among its recipient domains' answers, one still missing
   * counting as unknown; with no recipient at all, no-envelope. The evidence holds each
   * domain's answer.
   */
  static Classification verdict(boolean anyRecipient, Map<String, Future<Classification>> answers) {
    if (!anyRecipient) {
      return new Classification(SightingClass.NO_ENVELOPE, new JsonObject());
    }
    SightingClass strongest = SightingClass.UNKNOWN; // also for recipients without a domain
    JsonObject domains = new JsonObject();
    for (Map.Entry<String, Future<Classification>> answer : answers.entrySet()) {
      Classification classification = answer.getValue().succeeded() ? answer.getValue().result() : NOT_ANSWERED_YET;
      strongest = strongest.strongest(classification.sightingClass());
      domains.put(answer.getKey(), classification.toJson());
    }
    return new Classification(strongest, new JsonObject().put("domains", domains));
  }

  private static Classification unknown(String why) {
    return new Classification(SightingClass.UNKNOWN, new JsonObject().put("error", why));
  }
}
