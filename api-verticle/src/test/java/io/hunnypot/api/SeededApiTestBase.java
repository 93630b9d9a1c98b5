package io.hunnypot.api;

import io.hunnypot.recorder.Schema;
import io.hunnypot.testsupport.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeEach;

/**
 * The API over a migrated database seeded afresh before each test with three offenders and
 * their 28 sightings:
 * <ul>
 *   <li>192.0.2.1, listed: 25 trap-domain sightings, the n-th ending n × 50 minutes ago, ids ending in n;</li>
 *   <li>192.0.2.2, never listed: one no-envelope sighting two days ago;</li>
 *   <li>2001:db8::1, listing expired: a backup-mx and an outage sighting in January 2025.</li>
 * </ul>
 */
abstract class SeededApiTestBase extends ApiTestBase {

  /** One database for every API test class; each test reseeds it. */
  static final String DATABASE = migratedDatabase();

  static final String SEED = """
      TRUNCATE sightings, offenders;
      INSERT INTO sightings (id, started_at, ended_at, client_ip, client_port, local_ip, local_port, node, helo,
                             sender, recipients, bytes, commands, ending, class, evidence)
      SELECT ('00000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid,
             now() - n * interval '50 minutes' - interval '3 seconds', now() - n * interval '50 minutes',
             '192.0.2.1', 40000 + n, '192.0.2.25', 25, 'node-a', 'spammer.example', 'spam@spammer.example',
             ARRAY['victim@trap.example'], 200 + n, 5, 'quit', 'trap-domain', '{"trapDomain": "trap.example"}'
      FROM generate_series(1, 25) AS n;
      INSERT INTO sightings (id, started_at, ended_at, client_ip, client_port, local_ip, local_port, node, helo,
                             sender, recipients, bytes, commands, ending, class, evidence)
      VALUES
        ('00000000-0000-0000-0001-000000000001', now() - interval '2 days 30 seconds', now() - interval '2 days',
         '192.0.2.2', 51000, '192.0.2.25', 25, 'node-b', NULL, NULL, '{}', 12, 1, 'idle-timeout', 'no-envelope', '{}'),
        ('10000000-0000-0000-0000-000000000001', '2025-01-01T10:00:00.123456Z', '2025-01-01T10:00:04.5Z',
         '2001:db8::1', 50123, '2001:db8::25', 25, 'node-a', 'mx.example.net', '',
         ARRAY['a@backup.example', 'b@backup.example'], 1024, 7, 'byte-cap', 'backup-mx',
         '{"primaries": ["mx1.backup.example"]}'),
        ('10000000-0000-0000-0000-000000000002', '2025-01-02T10:00:00Z', '2025-01-02T10:00:01Z',
         '2001:db8::1', 50124, '2001:db8::25', 25, 'node-a', 'mx.example.net', 'x@example.net',
         ARRAY['a@backup.example'], 300, 4, 'client-closed', 'outage', '{}');
      INSERT INTO offenders (ip, first_seen, last_seen, sightings, classes, listed_until)
      VALUES
        ('192.0.2.1', now() - 25 * interval '50 minutes', now() - interval '50 minutes', 25, '{trap-domain}',
         now() + interval '7 days' - interval '50 minutes'),
        ('192.0.2.2', now() - interval '2 days', now() - interval '2 days', 1, '{no-envelope}', NULL),
        ('2001:db8::1', '2025-01-01T10:00:04.5Z', '2025-01-02T10:00:01Z', 2, '{backup-mx,outage}',
         '2025-01-09T10:00:01Z');
      """;

  @BeforeEach
  void seedAndDeploy(Vertx vertx, VertxTestContext testContext) {
    sql(vertx, SEED)
        .compose(v -> deploy(vertx, DATABASE))
        .onComplete(testContext.succeedingThenComplete());
  }

  /** Runs statements (several, separated by semicolons) on the test database. */
  static Future<Void> sql(Vertx vertx, String statements) {
    Pool pool = PgBuilder.pool().connectingTo(DATABASE).using(vertx).build();
    return pool.query(statements).execute().<Void>mapEmpty().eventually(pool::close);
  }

  private static String migratedDatabase() {
    String url = TestDatabase.newDatabaseUrl();
    Schema.migrate(url);
    return url;
  }
}
