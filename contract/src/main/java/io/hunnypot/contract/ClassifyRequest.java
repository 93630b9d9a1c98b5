package io.hunnypot.contract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Asks the MX monitor how a delivery to {@code domain} is to be judged.
 *
 * @param domain            the recipient domain, lower case
 * @param identityAddresses the listener's own addresses: an MX host that resolves to one of them is ours
 *                          (the configured identity, or else the address the client connected to)
 */
public record ClassifyRequest(String domain, List<String> identityAddresses) {

  public ClassifyRequest {
    identityAddresses = List.copyOf(identityAddresses);
  }

  public JsonObject toJson() {
    return new JsonObject().put("domain", domain).put("identityAddresses", new JsonArray(identityAddresses));
  }

  public static ClassifyRequest fromJson(JsonObject json) {
    return new ClassifyRequest(json.getString("domain"),
        json.getJsonArray("identityAddresses").stream().map(String.class::cast).toList());
  }
}
