package io.hunnypot.listener;

import io.hunnypot.contract.SessionEnd;
import io.hunnypot.listener.ConnectionLimits.Limit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The listener's meters, registered once so that counting costs no lookup. */
final class ListenerMetrics {

  private final MeterRegistry registry;
  private final Map<SessionEnd, Counter> sessions = new EnumMap<>(SessionEnd.class);
  private final Map<Limit, Counter> refused = new EnumMap<>(Limit.class);
  private final Counter delivered;
  private final Counter spooled;
  private final Counter replayed;
  private final Counter unrecorded;
  private final List<Gauge> gauges;

  ListenerMetrics(MeterRegistry registry, ConnectionLimits limits, Spool spool) {
    this.registry = registry;
    for (SessionEnd ending : SessionEnd.values()) {
      sessions.put(ending, Counter.builder("hunnypot.smtp.sessions").tag("ending", ending.wireName())
          .description("SMTP sessions, by how they ended").register(registry));
    }
    for (Limit limit : Limit.values()) {
      refused.put(limit, Counter.builder("hunnypot.smtp.connections.refused").tag("limit", limit.tag)
          .description("connections refused with 421: by a connection limit, or while the spool is full").register(registry));
    }
    delivered = Counter.builder("hunnypot.sightings.delivered")
        .description("sightings acknowledged by a recorder").register(registry);
    spooled = Counter.builder("hunnypot.sightings.spooled")
        .description("sightings kept in the spool because no recorder acknowledged them").register(registry);
    replayed = Counter.builder("hunnypot.sightings.replayed")
        .description("spooled sightings a recorder acknowledged").register(registry);
    unrecorded = Counter.builder("hunnypot.sightings.unrecorded")
        .description("sightings neither recorded nor spooled (refused as malformed, or the spool failed); each is logged in full at ERROR")
        .register(registry);
    gauges = List.of(
        Gauge.builder("hunnypot.smtp.sessions.open", limits, ConnectionLimits::open)
            .description("SMTP sessions open now").register(registry),
        Gauge.builder("hunnypot.spool.sightings", spool, Spool::depth)
            .description("sightings in the spool, waiting for a recorder").register(registry),
        Gauge.builder("hunnypot.spool.bytes", spool, Spool::bytes)
            .description("disk used by the spool").register(registry),
        Gauge.builder("hunnypot.spool.full", spool, s -> s.isFull() ? 1 : 0)
            .description("1 while the spool is full and new SMTP connections are refused with 421").register(registry));
  }

  void sessionEnded(SessionEnd ending) {
    sessions.get(ending).increment();
  }

  void refused(Limit limit) {
    refused.get(limit).increment();
  }

  void delivered() {
    delivered.increment();
  }

  void spooled() {
    spooled.increment();
  }

  void replayed() {
    replayed.increment();
  }

  void unrecorded() {
    unrecorded.increment();
  }

  /** Drops the gauges, which read the stopped listener's state. */
  void close() {
    gauges.forEach(registry::remove);
  }
}
