package io.hunnypot.listener;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.LockFile;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Sightings that no recorder has acknowledged yet, kept on local disk, oldest first, until a
 * replay hands them on. Each write is a file of its own, written whole under a temporary name,
 * fsync'd, then renamed, so that after a crash a file is either all there or not there; its
 * name gives its place in line and how many sightings it holds. Appends that arrive while a
 * write is in flight go together into the next file, which keeps fsyncs few under load.
 * Files are deleted once every sighting in them is settled.
 *
 * <p>Used from one event loop; the file work runs on a worker, one task at a time. A lock file
 * keeps a second listener out of the same folder.
 */
final class Spool {

  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  private static final Pattern NAME = Pattern.compile("(\\d{16})-(\\d+)\\.sightings");
  private static final String TEMPORARY = ".tmp";
  /** Most sightings in one file, so that a replay reads about one recorder batch at a time. */
  static final int MAX_PER_FILE = 500;

  /** One file of the spool: its place in line, and how many sightings and bytes it holds. */
  record Stored(Path path, long sequence, int count, long bytes) {
  }

  /** A file read back for a replay, with its sightings in the order they were written. */
  record Read(Stored file, List<JsonObject> sightings) {
  }

  private record Pending(JsonObject sighting, Promise<Void> written) {
  }

  private final Vertx vertx;
  private final Path dir;
  private final FileChannel lockFile;
  private final long maxSightings;
  private final long maxBytes;
  /** On disk, oldest first. */
  private final Deque<Stored> files;
  private long nextSequence;
  private long storedSightings;
  private long storedBytes;
  private List<Pending> pending = new ArrayList<>();
  /** Sightings in the write in flight; 0 when none is. */
  private int writing;
  private Promise<Void> closed;

  private Spool(Vertx vertx, Path dir, FileChannel lockFile, Deque<Stored> files, HunnypotConfig.Spool limits) {
    this.vertx = vertx;
    this.dir = dir;
    this.lockFile = lockFile;
    this.files = files;
    this.maxSightings = limits.maxSightings();
    this.maxBytes = limits.maxBytes();
    this.nextSequence = files.isEmpty() ? 1 : files.getLast().sequence() + 1;
    files.forEach(file -> {
      storedSightings += file.count();
      storedBytes += file.bytes();
    });
  }

  /** Opens (or creates) the spool in {@code dir}, finding what an earlier run left there. */
  static Future<Spool> open(Vertx vertx, Path dir, HunnypotConfig.Spool limits) {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(dir);
      FileChannel lockFile = lock(dir);
      try {
        return new Spool(vertx, dir, lockFile, scan(dir), limits);
      } catch (IOException | RuntimeException e) {
        lockFile.close();
        throw e;
      }
    }, true);
  }

  private static FileChannel lock(Path dir) throws IOException {
    return LockFile.acquire(dir.resolve("lock"),
        "the spool " + dir + " is in use by another listener; give each listener its own node.name or data.dir");
  }

  /** The files an earlier run left, oldest first; temporary files of a write that never finished are dropped. */
  private static Deque<Stored> scan(Path dir) throws IOException {
    List<Stored> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path path : entries.toList()) {
        String name = path.getFileName().toString();
        Matcher matcher = NAME.matcher(name);
        if (matcher.matches()) {
          found.add(new Stored(path, Long.parseLong(matcher.group(1)), Integer.parseInt(matcher.group(2)), Files.size(path)));
        } else if (name.endsWith(TEMPORARY)) {
          Files.delete(path); // never renamed: its sightings were never reported as kept
        }
      }
    }
    found.sort(Comparator.comparingLong(Stored::sequence));
    return new ArrayDeque<>(found);
  }

  /** Sightings held, those being written included. */
  long depth() {
    return storedSightings + writing + pending.size();
  }

  long bytes() {
    return storedBytes;
  }

  boolean isEmpty() {
    return depth() == 0;
  }

  /** At a bound: the listener takes no new session until a replay makes room (open sessions still fit). */
  boolean isFull() {
    return depth() >= maxSightings || storedBytes >= maxBytes;
  }

  /** Sightings whose file is complete on disk, which a replay can read. */
  long stored() {
    return storedSightings;
  }

  Path dir() {
    return dir;
  }

  /** Completes once the sighting is on disk (fsync'd), together with whatever else came meanwhile. */
  Future<Void> append(JsonObject sighting) {
    if (closed != null) {
      return Future.failedFuture(new IllegalStateException("the spool is closed"));
    }
    Promise<Void> written = Promise.promise();
    pending.add(new Pending(sighting, written));
    writeNext();
    return written.future();
  }

  private void writeNext() {
    if (writing > 0) {
      return;
    }
    if (pending.isEmpty()) {
      if (closed != null) {
        closed.tryComplete();
      }
      return;
    }
    List<Pending> batch = pending.size() <= MAX_PER_FILE ? pending : pending.subList(0, MAX_PER_FILE);
    List<Pending> rest = new ArrayList<>(pending.subList(batch.size(), pending.size()));
    pending = rest;
    writing = batch.size();
    long sequence = nextSequence++;
    List<JsonObject> sightings = batch.stream().map(Pending::sighting).toList();
    vertx.executeBlocking(() -> write(sequence, sightings), true).onComplete(result -> {
      writing = 0;
      if (result.succeeded()) {
        files.add(result.result());
        storedSightings += batch.size();
        storedBytes += result.result().bytes();
        batch.forEach(p -> p.written().complete());
      } else {
        batch.forEach(p -> p.written().fail(result.cause()));
      }
      writeNext();
    });
  }

  private Stored write(long sequence, List<JsonObject> sightings) throws IOException {
    StringBuilder text = new StringBuilder(sightings.size() * 640);
    sightings.forEach(sighting -> text.append(sighting.encode()).append('\n'));
    ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
    long size = bytes.remaining();
    Path temporary = dir.resolve(sequence + TEMPORARY);
    try (FileChannel out = FileChannel.open(temporary,
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      out.force(true);
    }
    Path path = dir.resolve(String.format("%016d-%d.sightings", sequence, sightings.size()));
    Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory();
    return new Stored(path, sequence, sightings.size(), size);
  }

  /** Makes the rename itself durable. */
  private void syncDirectory() throws IOException {
    try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
      folder.force(true);
    }
  }

  /** Reads the oldest files, as many as hold up to {@code max} sightings (at least one file); none if the spool has none. */
  Future<List<Read>> oldest(int max) {
    List<Stored> chosen = new ArrayList<>();
    int count = 0;
    for (Stored file : files) {
      if (!chosen.isEmpty() && count + file.count() > max) {
        break;
      }
      chosen.add(file);
      count += file.count();
    }
    return vertx.executeBlocking(() -> {
      List<Read> read = new ArrayList<>(chosen.size());
      for (Stored file : chosen) {
        read.add(new Read(file, parse(file)));
      }
      return read;
    }, true);
  }

  private static List<JsonObject> parse(Stored file) throws IOException {
    List<JsonObject> sightings = new ArrayList<>(file.count());
    for (String line : Files.readAllLines(file.path(), StandardCharsets.UTF_8)) {
      try {
        sightings.add(new JsonObject(line));
      } catch (RuntimeException e) {
        // a file is renamed only once whole; a bad line means a damaged disk, and the sighting is lost
        LOG.error("spool file {} has a line that is not a sighting, skipped ({}): {}", file.path(), e.getMessage(), line);
      }
    }
    return sightings;
  }

  /** Forgets files whose every sighting is settled, and deletes them. */
  Future<Void> remove(List<Stored> settled) {
    if (settled.isEmpty()) {
      return Future.succeededFuture();
    }
    for (Stored file : settled) {
      if (files.remove(file)) {
        storedSightings -= file.count();
        storedBytes -= file.bytes();
      }
    }
    return vertx.executeBlocking(() -> {
      for (Stored file : settled) {
        Files.deleteIfExists(file.path());
      }
      return null;
    }, true).<Void>mapEmpty().recover(e -> {
      LOG.warn("could not delete settled spool files; a restart sends them again, harmlessly: {}", e.toString());
      return Future.succeededFuture();
    });
  }

  /** Takes no more appends, waits for those already taken to be on disk, and lets go of the folder. */
  Future<Void> close() {
    if (closed == null) {
      closed = Promise.promise();
      writeNext();
    }
    return closed.future().compose(written -> vertx.executeBlocking(() -> {
      lockFile.close();
      return null;
    }, true)).mapEmpty();
  }
}
