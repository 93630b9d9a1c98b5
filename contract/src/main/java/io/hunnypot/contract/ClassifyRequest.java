package io.hunnypot.contract;

import io.vertx.core.json.JsonObject;

/**
 * Asks the MX monitor how a delivery to {@code domain} is to be judged.
 *
 * @param domain       the recipient domain, lower case
 * @param localAddress the address the client connected to (the listener's identity by default)
 */
public record ClassifyRequest(String domain, String localAddress) {

  public JsonObject toJson() {
    return new JsonObject().put("domain", domain).put("localAddress", localAddress);
  }

  public static ClassifyRequest fromJson(JsonObject json) {
    return new ClassifyRequest(json.getString("domain"), json.getString("localAddress"));
  }
}
