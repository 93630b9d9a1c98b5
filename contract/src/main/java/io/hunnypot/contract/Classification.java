package io.hunnypot.contract;

import io.vertx.core.json.JsonObject;

/** The MX monitor's answer for one recipient domain: a class and the evidence behind it. */
public record Classification(SightingClass sightingClass, JsonObject evidence) {

  public Classification {
    evidence = evidence == null ? new JsonObject() : evidence;
  }

  public JsonObject toJson() {
    return new JsonObject().put("class", sightingClass.wireName()).put("evidence", evidence);
  }

  public static Classification fromJson(JsonObject json) {
    return new Classification(SightingClass.fromWireName(json.getString("class")), json.getJsonObject("evidence"));
  }
}
