package io.hunnypot.contract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One SMTP session, as the listener saw it. The id is made by the listener, so that sending
 * the same sighting twice stores it once.
 *
 * @param helo       the HELO/EHLO argument, or null if none was given
 * @param sender     the last MAIL FROM address ("" for the null sender), or null if none
 * @param recipients every RCPT TO address accepted, in order
 * @param bytes      bytes received from the client
 * @param commands   command lines received from the client
 * @param evidence   why the class was given (free-form JSON), never null
 */
public record Sighting(
    UUID id,
    Instant startedAt,
    Instant endedAt,
    String clientIp,
    int clientPort,
    String localIp,
    int localPort,
    String node,
    String helo,
    String sender,
    List<String> recipients,
    long bytes,
    int commands,
    SessionEnd ending,
    SightingClass sightingClass,
    JsonObject evidence) {

  public Sighting {
    recipients = List.copyOf(recipients);
    evidence = evidence == null ? new JsonObject() : evidence;
  }

  /**
   * A new sighting id: a UUID version 7 (RFC 9562), time-ordered so that the database's key
   * index grows at its end, with random bits from ThreadLocalRandom, which unlike
   * {@link UUID#randomUUID()} never waits on the system's entropy source.
   */
  public static UUID newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (System.currentTimeMillis() << 16) | 0x7000L | (random.nextLong() & 0x0fffL);
    long lsb = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("startedAt", startedAt.toString())
        .put("endedAt", endedAt.toString())
        .put("clientIp", clientIp)
        .put("clientPort", clientPort)
        .put("localIp", localIp)
        .put("localPort", localPort)
        .put("node", node)
        .put("helo", helo)
        .put("sender", sender)
        .put("recipients", new JsonArray(recipients))
        .put("bytes", bytes)
        .put("commands", commands)
        .put("ending", ending.wireName())
        .put("class", sightingClass.wireName())
        .put("evidence", evidence);
  }

  public static Sighting fromJson(JsonObject json) {
    return new Sighting(
        UUID.fromString(json.getString("id")),
        Instant.parse(json.getString("startedAt")),
        Instant.parse(json.getString("endedAt")),
        json.getString("clientIp"),
        json.getInteger("clientPort"),
        json.getString("localIp"),
        json.getInteger("localPort"),
        json.getString("node"),
        json.getString("helo"),
        json.getString("sender"),
        json.getJsonArray("recipients").stream().map(String.class::cast).toList(),
        json.getLong("bytes"),
        json.getInteger("commands"),
        SessionEnd.fromWireName(json.getString("ending")),
        SightingClass.fromWireName(json.getString("class")),
        json.getJsonObject("evidence"));
  }
}
