package io.hunnypot.recorder;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.SessionEnd;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingClass;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** Sightings to send, the recorder's configuration, and the database read back as the API would. */
final class Fixtures {

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private Fixtures() {
  }

  /** The defaults, on the given database, with listings that last two days. */
  /** Writes at once, without lingering: the tests of the write mechanics count on it. */
  static HunnypotConfig config(String dbUrl) {
    return config(dbUrl, 0);
  }

  static HunnypotConfig config(String dbUrl, int lingerMillis) {
    return ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DB_URL", dbUrl, "HUNNYPOT_LISTING_DAYS", "2",
        "HUNNYPOT_RECORDER_LINGER_MILLIS", String.valueOf(lingerMillis)));
  }

  static Sighting sighting(String clientIp, SightingClass sightingClass, Instant endedAt) {
    return new Sighting(UUID.randomUUID(), endedAt.minusSeconds(3), endedAt, clientIp, 40000, "127.0.0.1", 2525,
        "node-1", "spammer.example", "bulk@spammer.example", List.of("a@trap.example", "b@trap.example"),
        312, 7, SessionEnd.QUIT, sightingClass, new JsonObject().put("rule", "configured trap domain"));
  }

  static Sighting sighting(String clientIp) {
    return sighting(clientIp, SightingClass.TRAP_DOMAIN, T0);
  }

  /** Sends as the listener does: a request whose reply is the acknowledgement. */
  static Future<Message<Object>> send(Vertx vertx, Object body) {
    return vertx.eventBus().request(Addresses.SIGHTING_RECORD, body instanceof Sighting s ? s.toJson() : body);
  }

  static int failureCode(Throwable error) {
    return ((ReplyException) error).failureCode();
  }

  static Future<Optional<Sighting>> storedSighting(Pool db, UUID id) {
    return db.preparedQuery("""
            SELECT id, started_at, ended_at, host(client_ip) AS client_ip, client_port, host(local_ip) AS local_ip,
                   local_port, node, helo, sender, recipients, bytes, commands, ending, class, evidence
            FROM sightings WHERE id = $1""")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toSighting(rows.iterator().next())));
  }

  private static Sighting toSighting(Row row) {
    return new Sighting(row.getUUID("id"), instant(row.getOffsetDateTime("started_at")),
        instant(row.getOffsetDateTime("ended_at")), row.getString("client_ip"), row.getInteger("client_port"),
        row.getString("local_ip"), row.getInteger("local_port"), row.getString("node"), row.getString("helo"),
        row.getString("sender"), List.of(row.getArrayOfStrings("recipients")), row.getLong("bytes"),
        row.getInteger("commands"), SessionEnd.fromWireName(row.getString("ending")),
        SightingClass.fromWireName(row.getString("class")), row.getJsonObject("evidence"));
  }

  record Offender(Instant firstSeen, Instant lastSeen, long sightings, List<String> classes, Instant listedUntil) {
  }

  static Future<Offender> offender(Pool db, String ip) {
    return db.preparedQuery("SELECT * FROM offenders WHERE ip = $1::text::inet")
        .execute(Tuple.of(ip))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Offender(instant(row.getOffsetDateTime("first_seen")), instant(row.getOffsetDateTime("last_seen")),
              row.getLong("sightings"), List.of(row.getArrayOfStrings("classes")),
              instant(row.getOffsetDateTime("listed_until")));
        });
  }

  static Future<Long> count(Pool db, String sql) {
    return db.query(sql).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** Completes once the condition holds, checking every few milliseconds. */
  static Future<Void> until(Vertx vertx, BooleanSupplier condition) {
    Promise<Void> met = Promise.promise();
    vertx.setPeriodic(5, timer -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(timer);
        met.complete();
      }
    });
    return met.future();
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
