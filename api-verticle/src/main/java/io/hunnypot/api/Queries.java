package io.hunnypot.api;

import io.hunnypot.contract.IpAddresses;
import io.hunnypot.contract.SessionEnd;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingClass;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Every SQL statement of the API, on the tables of the recorder's migrations, with their rows
 * turned into the API's JSON. A sighting's time is its end: {@code since}, the order of
 * sightings and the first and last sighting of the statistics all use {@code ended_at}.
 * A failing or silent database fails the future with a 503 {@link ApiError}.
 */
final class Queries {

  private static final long TIMEOUT_SECONDS = 10;

  private static final String OFFENDER_COLUMNS = """
      host(ip) AS ip, first_seen, last_seen, sightings, classes, listed_until,
      coalesce(listed_until > now(), false) AS listed""";

  /** Offenders in keyset order; a null parameter is a filter not asked for. */
  private static final String OFFENDERS = """
      SELECT %s FROM offenders
      WHERE ($1::text IS NULL OR $1 = ANY (classes))
        AND ($2::timestamptz IS NULL OR last_seen >= $2)
        AND ($3::boolean IS NULL OR coalesce(listed_until > now(), false) = $3)
        AND ($4::timestamptz IS NULL OR last_seen < $4 OR (last_seen = $4 AND ip > $5::text::inet))
      ORDER BY last_seen DESC, offenders.ip -- the inet column, not the text of the same name
      LIMIT $6""".formatted(OFFENDER_COLUMNS);

  private static final String OFFENDER = "SELECT %s FROM offenders WHERE ip = $1::text::inet".formatted(OFFENDER_COLUMNS);

  private static final String SIGHTINGS = """
      SELECT id, started_at, ended_at, host(client_ip) AS client_ip, client_port, host(local_ip) AS local_ip,
             local_port, node, helo, sender, recipients, bytes, commands, ending, class, evidence
      FROM sightings
      WHERE ($1::text IS NULL OR client_ip = $1::text::inet)
        AND ($2::timestamptz IS NULL OR ended_at >= $2)
      ORDER BY ended_at DESC, id
      LIMIT $3""";

  private static final String STATS = """
      SELECT
        (SELECT count(*) FROM sightings) AS sightings,
        (SELECT count(*) FROM offenders) AS offenders,
        (SELECT count(*) FROM offenders WHERE listed_until > now()) AS listed,
        (SELECT count(*) FROM sightings WHERE ended_at >= now() - interval '24 hours') AS last_24h,
        (SELECT min(ended_at) FROM sightings) AS first_sighting,
        (SELECT max(ended_at) FROM sightings) AS last_sighting,
        (SELECT coalesce(jsonb_object_agg(class, n), '{}') FROM
          (SELECT class, count(*) AS n FROM sightings GROUP BY class) c) AS by_class,
        (SELECT coalesce(jsonb_object_agg(ending, n), '{}') FROM
          (SELECT ending, count(*) AS n FROM sightings GROUP BY ending) e) AS by_ending""";

  /** Ends a listing; answers the end it had, or no row for an address never sighted. */
  private static final String DELIST = """
      UPDATE offenders o SET listed_until = NULL
      FROM (SELECT ip, listed_until FROM offenders WHERE ip = $1::text::inet FOR UPDATE) AS before
      WHERE o.ip = before.ip
      RETURNING before.listed_until""";

  private static final String ALLOW = """
      INSERT INTO allowlist (network, comment) VALUES ($1::text::cidr, $2)
      ON CONFLICT (network) DO UPDATE SET comment = excluded.comment
      RETURNING network::text AS network, comment, added_at, (xmax = 0) AS created""";

  private static final String DELIST_NETWORK = """
      UPDATE offenders SET listed_until = NULL
      WHERE ip <<= $1::text::cidr AND listed_until IS NOT NULL
      RETURNING host(ip)""";

  private static final String DISALLOW = "DELETE FROM allowlist WHERE network = $1::text::cidr RETURNING network::text";

  private static final String ALLOWLIST = """
      SELECT network::text AS network, comment, added_at FROM allowlist ORDER BY network""";

  private static final String AUDIT = """
      INSERT INTO admin_audit (action, target, client, detail) VALUES ($1, $2, $3::text::inet, $4::jsonb)""";

  private static final String AUDIT_LOG = """
      SELECT id, at, action, target, host(client) AS client, detail FROM admin_audit
      WHERE ($1::bigint IS NULL OR id < $1)
      ORDER BY id DESC
      LIMIT $2""";

  /** Who did an admin action, and what it was, for the audit table. */
  record Action(String action, String target, String client, JsonObject detail) {
  }

  /** What an allowlist entry added: the entry, whether it is new, and the listed addresses it ended. */
  record Allowed(JsonObject entry, boolean created, List<String> delisted) {
  }

  private final Pool pool;

  Queries(Pool pool) {
    this.pool = pool;
  }

  /**
   * One page of offenders, {@code {"items": [...], "next": cursor-or-null}}.
   *
   * @param sightingClass only offenders ever sighted with this class, or null
   * @param since         only offenders last seen at or after this instant, or null
   * @param listed        only offenders listed now (true) or not (false), or null
   * @param after         the page starts after this position, or null for the first page
   */
  Future<JsonObject> offenders(SightingClass sightingClass, Instant since, Boolean listed, Cursor after, int limit) {
    Tuple params = Tuple.of(
        sightingClass == null ? null : sightingClass.wireName(), timestamp(since), listed,
        after == null ? null : timestamp(after.lastSeen()), after == null ? null : after.ip(),
        limit + 1); // one more row than asked tells whether there is a next page
    return run(OFFENDERS, params).map(rows -> {
      List<Row> page = new ArrayList<>();
      rows.forEach(page::add);
      boolean more = page.size() > limit;
      List<Row> items = more ? page.subList(0, limit) : page;
      return new JsonObject()
          .put("items", new JsonArray(items.stream().map(Queries::offender).toList()))
          .put("next", more ? cursorAfter(items.get(limit - 1)).encode() : null);
    });
  }

  /** The database's own text of the address, so that the next page compares exactly the stored value. */
  private static Cursor cursorAfter(Row row) {
    return new Cursor(row.getOffsetDateTime("last_seen").toInstant(), row.getString("ip"));
  }

  /** The offender at {@code ip} (normalised), if it was ever sighted. */
  Future<Optional<JsonObject>> offender(String ip) {
    return run(OFFENDER, Tuple.of(ip)).map(rows -> rows.size() == 0
        ? Optional.empty()
        : Optional.of(offender(rows.iterator().next())));
  }

  /** Sightings newest first, of one client {@code ip} (normalised) or of all when null, since an instant or ever. */
  Future<JsonArray> sightings(String ip, Instant since, int limit) {
    return run(SIGHTINGS, Tuple.of(ip, timestamp(since), limit)).map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(row -> items.add(sighting(row).toJson()));
      return items;
    });
  }

  Future<JsonObject> stats() {
    return run(STATS, Tuple.tuple()).map(rows -> {
      Row row = rows.iterator().next();
      JsonObject byClass = zeros(Arrays.stream(SightingClass.values()).map(SightingClass::wireName).toList());
      JsonObject byEnding = zeros(Arrays.stream(SessionEnd.values()).map(SessionEnd::wireName).toList());
      return new JsonObject()
          .put("totals", new JsonObject()
              .put("sightings", row.getLong("sightings"))
              .put("offenders", row.getLong("offenders"))
              .put("listed", row.getLong("listed")))
          .put("sightingsByClass", byClass.mergeIn(row.getJsonObject("by_class")))
          .put("sightingsByEnding", byEnding.mergeIn(row.getJsonObject("by_ending")))
          .put("sightingsLast24h", row.getLong("last_24h"))
          .put("firstSighting", instant(row, "first_sighting"))
          .put("lastSighting", instant(row, "last_sighting"));
    });
  }

  /**
   * Delists {@code ip} until it is sighted again, and audits it, in one transaction; false when
   * the address was never sighted.
   */
  Future<Boolean> delist(String ip, String client) {
    return transaction(connection -> connection.preparedQuery(DELIST).execute(Tuple.of(ip)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(false);
      }
      OffsetDateTime was = rows.iterator().next().getOffsetDateTime(0);
      JsonObject detail = new JsonObject().put("listedUntil", was == null ? null : was.toInstant().toString());
      return audit(connection, new Action("delist", ip, client, detail)).map(true);
    }));
  }

  /** Adds (or re-comments) an allowlist entry and ends the listings inside it, audited, in one transaction. */
  Future<Allowed> allow(String network, String comment, String client) {
    return transaction(connection -> connection.preparedQuery(ALLOW).execute(Tuple.of(network, comment))
        .compose(added -> connection.preparedQuery(DELIST_NETWORK).execute(Tuple.of(network)).compose(delistedRows -> {
          Row row = added.iterator().next();
          List<String> delisted = new ArrayList<>();
          delistedRows.forEach(delistedRow -> delisted.add(IpAddresses.normalise(delistedRow.getString(0))));
          JsonObject detail = new JsonObject().put("comment", comment).put("delisted", delisted.size());
          return audit(connection, new Action("allowlist-add", network, client, detail))
              .map(new Allowed(allowlistEntry(row), row.getBoolean("created"), delisted));
        })));
  }

  /** Removes an allowlist entry, audited; false when there was none. */
  Future<Boolean> disallow(String network, String client) {
    return transaction(connection -> connection.preparedQuery(DISALLOW).execute(Tuple.of(network)).compose(rows ->
        rows.size() == 0
            ? Future.succeededFuture(false)
            : audit(connection, new Action("allowlist-remove", network, client, new JsonObject())).map(true)));
  }

  Future<JsonArray> allowlist() {
    return run(ALLOWLIST, Tuple.tuple()).map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(row -> items.add(allowlistEntry(row)));
      return items;
    });
  }

  /** The audit table, newest first: a page of {@code limit} entries before the entry {@code before}, or the first. */
  Future<JsonObject> auditLog(Long before, int limit) {
    return run(AUDIT_LOG, Tuple.of(before, limit + 1)).map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(row -> items.add(new JsonObject()
          .put("id", row.getLong("id"))
          .put("at", instant(row, "at"))
          .put("action", row.getString("action"))
          .put("target", row.getString("target"))
          .put("client", row.getString("client") == null ? null : IpAddresses.normalise(row.getString("client")))
          .put("detail", row.getJsonObject("detail"))));
      boolean more = items.size() > limit;
      if (more) {
        items.remove(limit);
      }
      return new JsonObject().put("items", items)
          .put("next", more ? String.valueOf(items.getJsonObject(limit - 1).getLong("id")) : null);
    });
  }

  private static Future<Void> audit(SqlConnection connection, Action action) {
    return connection.preparedQuery(AUDIT)
        .execute(Tuple.of(action.action(), action.target(), action.client(), action.detail()))
        .mapEmpty();
  }

  private static JsonObject allowlistEntry(Row row) {
    return new JsonObject()
        .put("network", row.getString("network"))
        .put("comment", row.getString("comment"))
        .put("addedAt", instant(row, "added_at"))
        .put("source", "admin");
  }

  private <T> Future<T> transaction(Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(work::apply)
        .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .recover(e -> Future.failedFuture(ApiError.databaseUnavailable(e)));
  }

  /** Succeeds once the database has answered a trivial query; fails with the database's own error. */
  Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  private Future<RowSet<Row>> run(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params)
        .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .recover(e -> Future.failedFuture(ApiError.databaseUnavailable(e)));
  }

  private static JsonObject offender(Row row) {
    return new JsonObject()
        .put("ip", IpAddresses.normalise(row.getString("ip")))
        .put("firstSeen", instant(row, "first_seen"))
        .put("lastSeen", instant(row, "last_seen"))
        .put("sightings", row.getLong("sightings"))
        .put("classes", new JsonArray(List.of(row.getArrayOfStrings("classes"))))
        .put("listedUntil", instant(row, "listed_until"))
        .put("listed", row.getBoolean("listed"));
  }

  private static Sighting sighting(Row row) {
    return new Sighting(
        row.getUUID("id"),
        row.getOffsetDateTime("started_at").toInstant(),
        row.getOffsetDateTime("ended_at").toInstant(),
        IpAddresses.normalise(row.getString("client_ip")),
        row.getInteger("client_port"),
        IpAddresses.normalise(row.getString("local_ip")),
        row.getInteger("local_port"),
        row.getString("node"),
        row.getString("helo"),
        row.getString("sender"),
        List.of(row.getArrayOfStrings("recipients")),
        row.getLong("bytes"),
        row.getInteger("commands"),
        SessionEnd.fromWireName(row.getString("ending")),
        SightingClass.fromWireName(row.getString("class")),
        row.getJsonObject("evidence"));
  }

  /** Every name counted 0, so that the JSON always has the same keys. */
  private static JsonObject zeros(List<String> names) {
    JsonObject zeros = new JsonObject();
    names.forEach(name -> zeros.put(name, 0L));
    return zeros;
  }

  private static String instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant().toString();
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
