package io.hunnypot.listener;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Open connections, in all and per client address, held against the configured limits. */
final class ConnectionLimits {

  /** Why a connection was refused: a connection limit, or the spool being full (which this class does not track). */
  enum Limit {
    TOTAL("total"), PER_IP("per-ip"), SPOOL_FULL("spool-full");

    final String tag;

    Limit(String tag) {
      this.tag = tag;
    }
  }

  private final int maxConnections;
  private final int maxPerIp;
  private final Map<String, Integer> perIp = new HashMap<>();
  private int open;

  ConnectionLimits(int maxConnections, int maxPerIp) {
    this.maxConnections = maxConnections;
    this.maxPerIp = maxPerIp;
  }

  /** Counts a new connection from {@code ip}; or, if that would break a limit, counts nothing and says which. */
  Optional<Limit> admit(String ip) {
    if (open >= maxConnections) {
      return Optional.of(Limit.TOTAL);
    }
    int fromIp = perIp.getOrDefault(ip, 0);
    if (fromIp >= maxPerIp) {
      return Optional.of(Limit.PER_IP);
    }
    perIp.put(ip, fromIp + 1);
    open++;
    return Optional.empty();
  }

  /** Forgets an admitted connection that has closed. */
  void release(String ip) {
    perIp.computeIfPresent(ip, (key, fromIp) -> fromIp == 1 ? null : fromIp - 1);
    open--;
  }

  int open() {
    return open;
  }
}
