package io.hunnypot.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL server run by Hunnypot itself, for a single machine without a database of
 * its own. Its files live under {@code <data.dir>/postgres} and survive restarts.
 */
final class EmbeddedDatabase implements AutoCloseable {

  private final EmbeddedPostgres server;

  private EmbeddedDatabase(EmbeddedPostgres server) {
    this.server = server;
  }

  static EmbeddedDatabase start(Path dataDir) throws IOException {
    Path directory = dataDir.resolve("postgres").toAbsolutePath();
    Files.createDirectories(directory);
    return new EmbeddedDatabase(EmbeddedPostgres.builder()
        .setDataDirectory(directory)
        .setCleanDataDirectory(false)
        .start());
  }

  /** Where the verticles reach it; it listens on the loopback address only. */
  String url() {
    return "postgresql://postgres@127.0.0.1:" + server.getPort() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
