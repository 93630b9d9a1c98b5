package io.hunnypot.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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
        // the library's default is off, for tests; a sighting is acknowledged once committed, and must stay so
        .setServerConfig("synchronous_commit", "on")
        // Node.close() stops the database last, after the listener has handed over its sightings
        .setRegisterShutdownHook(false)
        .start());
  }

  /**
   * The URL of the server a running node keeps in {@code <data.dir>/postgres}, if one answers:
   * PostgreSQL writes its port on the fourth line of postmaster.pid.
   */
  static Optional<String> runningUrl(Path dataDir) {
    Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(pidFile);
      int port = Integer.parseInt(lines.get(3).trim());
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      }
      return Optional.of(url(port));
    } catch (IOException | RuntimeException absentOrStale) {
      return Optional.empty();
    }
  }

  /** Where the verticles reach it; it listens on the loopback address only. */
  String url() {
    return url(server.getPort());
  }

  private static String url(int port) {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
