package io.hunnypot.recorder;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;

/** The database schema, kept under Flyway migrations in {@code db/hunnypot}. Blocking: call it off the event loop. */
public final class Schema {

  private Schema() {
  }

  /** Brings the database at {@code url} (postgresql://...) up to the newest schema. */
  public static void migrate(String url) {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    Flyway.configure()
        .dataSource(jdbcUrl, options.getUser(), options.getPassword())
        .locations("classpath:db/hunnypot")
        .load()
        .migrate();
  }
}
