package io.hunnypot.contract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Every listing change of one commit, published together on {@link Addresses#LISTING_CHANGED}. */
public record ListingChanges(List<ListingChange> changes) {

  public ListingChanges {
    changes = List.copyOf(changes);
  }

  public JsonObject toJson() {
    return new JsonObject().put("changes", new JsonArray(changes.stream().map(ListingChange::toJson).toList()));
  }

  public static ListingChanges fromJson(JsonObject json) {
    return new ListingChanges(json.getJsonArray("changes").stream()
        .map(change -> ListingChange.fromJson((JsonObject) change)).toList());
  }
}
