package io.hunnypot.contract;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file locked for as long as its holder lives: the system releases the lock when the process
 * ends, however it ends, so a lock is never left behind by a crash. It keeps two processes from
 * working on the same files under {@code data.dir}.
 */
public final class LockFile {

  private LockFile() {
  }

  /**
   * Creates and locks the file; close the channel to release it. Fails with {@code inUse} as the
   * message when another process (or this one) holds it.
   */
  public static FileChannel acquire(Path file, String inUse) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IOException(inUse);
    }
    return channel;
  }
}
