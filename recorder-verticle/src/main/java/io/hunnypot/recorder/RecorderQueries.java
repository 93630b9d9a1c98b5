package io.hunnypot.recorder;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingClass;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/** Every SQL statement of the recorder. */
final class RecorderQueries {

  /**
   * Stores a whole batch in one statement: $1 is the batch as a JSON array of sightings in their
   * wire form ({@link Sighting#toJson()}), $2 the listed classes, $3 the listing lifetime in
   * seconds. Only the sightings really inserted (not those stored before) are folded into their
   * offenders, so resending a sighting changes nothing. A sighting's time is its end, as
   * everywhere in Hunnypot. Answers how many were inserted.
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
        RETURNING client_ip, ended_at, class
      ), per_client AS (
        SELECT client_ip, min(ended_at) AS first_seen, max(ended_at) AS last_seen, count(*) AS sightings,
               array_agg(DISTINCT class ORDER BY class) AS classes,
               max(ended_at) FILTER (WHERE class = ANY($2::text[])) + $3::bigint * interval '1 second' AS listed_until
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
      )
      SELECT count(*)::integer FROM inserted
      """;

  private final Pool pool;
  private final String[] listedClasses;
  private final long lifetimeSeconds;

  RecorderQueries(Pool pool, HunnypotConfig.Listing listing) {
    this.pool = pool;
    this.listedClasses = listing.listedClasses().stream().map(SightingClass::wireName).toArray(String[]::new);
    this.lifetimeSeconds = listing.lifetime().toSeconds();
  }

  /** Stores the sightings in one transaction; answers how many of them were not stored before. */
  Future<Integer> record(List<Sighting> sightings) {
    JsonArray batch = new JsonArray(sightings.stream().map(Sighting::toJson).toList());
    return pool.withTransaction(connection -> connection.preparedQuery(RECORD)
            .execute(Tuple.of(batch, listedClasses, lifetimeSeconds)))
        .map(rows -> rows.iterator().next().getInteger(0));
  }
}
