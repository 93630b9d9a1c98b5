package io.hunnypot.recorder;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Cidr;
import io.hunnypot.contract.ListingChange;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingClass;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Every SQL statement of the recorder. */
final class RecorderQueries {

  /**
   * Stores a whole batch in one statement: $1 is the batch as a JSON array of sightings in their
   * wire form ({@link Sighting#toJson()}), $2 the listed classes, $3 the listing lifetime in
   * seconds, $4 the configured allowlist. Only the sightings really inserted (not those stored
   * before) are folded into their offenders, so resending a sighting changes nothing. A
   * sighting's time is its end, as everywhere in Hunnypot. An address in the allowlist (table
   * or configuration) is never listed. Answers one row per inserted sighting (kind 'sighting',
   * its id) and one per offender touched that has a listing (kind 'listing'), with the
   * statement's own snapshot of it.
   */
  private static final String RECORD = """
      WITH batch AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS s(
          id uuid, "startedAt" timestamptz, "endedAt" timestamptz, "clientIp" inet, "clientPort" integer,
          "localIp" inet, "localPort" integer, node text, helo text, sender text, recipients text[],
          bytes bigint, commands integer, ending text, class text, evidence jsonb)
      ), inserted AS (
        INSERT INTO sightings (id, started_at, ended_at, client_ip, client_port, local_ip, local_port, node,
                               helo, sender, recipients, bytes, commands, ending, class, evidence)
        SELECT id, "startedAt", "endedAt", "clientIp", "clientPort", "localIp", "localPort", node,
               helo, sender, recipients, bytes, commands, ending, class, evidence
        FROM batch
        ON CONFLICT (id) DO NOTHING
        RETURNING id, client_ip, ended_at, class
      ), per_client AS (
        SELECT client_ip, min(ended_at) AS first_seen, max(ended_at) AS last_seen, count(*) AS sightings,
               array_agg(DISTINCT class ORDER BY class) AS classes,
               CASE WHEN NOT client_ip <<= ANY ($4::text[]::inet[])
                     AND NOT EXISTS (SELECT 1 FROM allowlist WHERE network >>= client_ip)
                    THEN max(ended_at) FILTER (WHERE class = ANY($2::text[])) + $3::bigint * interval '1 second'
               END AS listed_until
        FROM inserted
        GROUP BY client_ip
      ), offenders_upserted AS (
        -- in address order, so that two recorders writing the same addresses cannot deadlock
        INSERT INTO offenders AS o (ip, first_seen, last_seen, sightings, classes, listed_until)
        SELECT * FROM per_client ORDER BY client_ip
        ON CONFLICT (ip) DO UPDATE SET
          first_seen = least(o.first_seen, excluded.first_seen),
          last_seen = greatest(o.last_seen, excluded.last_seen),
          sightings = o.sightings + excluded.sightings,
          classes = ARRAY(SELECT DISTINCT unnest(o.classes || excluded.classes) ORDER BY 1),
          listed_until = greatest(o.listed_until, excluded.listed_until)
        RETURNING ip, last_seen, classes, listed_until
      )
      SELECT 'sighting' AS kind, id::text AS key, NULL::timestamptz AS last_seen, NULL::text[] AS classes,
             NULL::timestamptz AS listed_until
      FROM inserted
      UNION ALL
      SELECT 'listing', host(ip), last_seen, classes, listed_until FROM offenders_upserted WHERE listed_until IS NOT NULL
      """;

  /** Ends the listings inside the configured allowlist ($1), which may have grown since they were made. */
  private static final String DELIST_ALLOWED = """
      UPDATE offenders SET listed_until = NULL
      WHERE listed_until IS NOT NULL AND ip <<= ANY ($1::text[]::inet[])
      RETURNING host(ip)
      """;

  private final Pool pool;
  private final String[] listedClasses;
  private final long lifetimeSeconds;
  private final String[] allowlist;
  private final HunnypotConfig.Listing listing;

  RecorderQueries(Pool pool, HunnypotConfig.Listing listing) {
    this.pool = pool;
    this.listing = listing;
    this.listedClasses = listing.listedClasses().stream().map(SightingClass::wireName).toArray(String[]::new);
    this.lifetimeSeconds = listing.lifetime().toSeconds();
    this.allowlist = listing.allowedNetworks().stream().map(Cidr::toString).toArray(String[]::new);
  }

  /** What one committed batch did: the sightings stored for the first time, and the listings of their offenders now. */
  record Recorded(Set<UUID> inserted, List<ListingChange> listings) {
  }

  /** Stores the sightings, each in its wire form ({@link Sighting#toJson()}), in one transaction. */
  Future<Recorded> record(List<JsonObject> sightings) {
    JsonArray batch = new JsonArray(sightings);
    // One statement is one transaction of its own: no BEGIN and COMMIT round trips around it.
    return pool.preparedQuery(RECORD).execute(Tuple.of(batch, listedClasses, lifetimeSeconds, allowlist))
        .map(rows -> {
          Set<UUID> inserted = new HashSet<>();
          List<ListingChange> listings = new ArrayList<>();
          for (Row row : rows) {
            if (row.getString("kind").equals("sighting")) {
              inserted.add(UUID.fromString(row.getString("key")));
            } else {
              listings.add(new ListingChange(row.getString("key"), instant(row, "listed_until"), instant(row, "last_seen"),
                  listing.listedClass(List.of(row.getArrayOfStrings("classes")))));
            }
          }
          return new Recorded(inserted, listings);
        });
  }

  /** Ends the listings of addresses in the configured allowlist; answers those addresses. */
  Future<List<String>> delistAllowed() {
    if (allowlist.length == 0) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery(DELIST_ALLOWED).execute(Tuple.of((Object) allowlist))
        .map(rows -> {
          List<String> delisted = new ArrayList<>();
          rows.forEach(row -> delisted.add(row.getString(0)));
          return delisted;
        });
  }

  private static Instant instant(Row row, String column) {
    return row.getOffsetDateTime(column).toInstant();
  }
}
