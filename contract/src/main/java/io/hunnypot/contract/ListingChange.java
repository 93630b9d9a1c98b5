package io.hunnypot.contract;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * The listing of one address as it stands after a commit, or its end.
 *
 * @param ip          the address, in the API's form (IPv4 dotted, IPv6 as RFC 5952)
 * @param listedUntil when its listing expires; null when it is no longer listed (delisted or allowlisted)
 * @param lastSeen    its last sighting's time; null with a delisting
 * @param listedClass the strongest listed class it was sighted with; null with a delisting
 */
public record ListingChange(String ip, Instant listedUntil, Instant lastSeen, SightingClass listedClass) {

  public static ListingChange delisted(String ip) {
    return new ListingChange(ip, null, null, null);
  }

  public boolean listed() {
    return listedUntil != null;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("ip", ip)
        .put("listedUntil", listedUntil == null ? null : listedUntil.toString())
        .put("lastSeen", lastSeen == null ? null : lastSeen.toString())
        .put("class", listedClass == null ? null : listedClass.wireName());
  }

  public static ListingChange fromJson(JsonObject json) {
    String until = json.getString("listedUntil");
    String lastSeen = json.getString("lastSeen");
    String listedClass = json.getString("class");
    return new ListingChange(json.getString("ip"),
        until == null ? null : Instant.parse(until),
        lastSeen == null ? null : Instant.parse(lastSeen),
        listedClass == null ? null : SightingClass.fromWireName(listedClass));
  }
}
