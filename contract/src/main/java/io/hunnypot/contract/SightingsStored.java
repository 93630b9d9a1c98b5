package io.hunnypot.contract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The sightings one commit stored for the first time, published together on {@link Addresses#SIGHTINGS_STORED}. */
public record SightingsStored(List<Sighting> sightings) {

  public SightingsStored {
    sightings = List.copyOf(sightings);
  }

  public JsonObject toJson() {
    return toJson(sightings.stream().map(Sighting::toJson).toList());
  }

  /** The same message from sightings already in their wire form ({@link Sighting#toJson()}), as the recorder has them. */
  public static JsonObject toJson(List<JsonObject> wireForms) {
    return new JsonObject().put("sightings", new JsonArray(wireForms));
  }

  public static SightingsStored fromJson(JsonObject json) {
    return new SightingsStored(json.getJsonArray("sightings").stream()
        .map(sighting -> Sighting.fromJson((JsonObject) sighting)).toList());
  }
}
