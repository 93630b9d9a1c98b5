package io.hunnypot.listener;

import io.hunnypot.contract.SessionEnd;
import io.hunnypot.listener.ConnectionLimits.Limit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;

/** The listener's meters, registered once so that counting costs no lookup. */
final class ListenerMetrics {

  private final MeterRegistry registry;
  private final Map<SessionEnd, Counter> sessions = new EnumMap<>(SessionEnd.class);
  private final Map<Limit, Counter> refused = new EnumMap<>(Limit.class);
  private final Counter delivered;
  private final Counter retries;
  private final Counter unrecorded;
  private final Gauge open;

  ListenerMetrics(MeterRegistry registry, ConnectionLimits limits) {
    this.registry = registry;
    for (SessionEnd ending : SessionEnd.values()) {
      sessions.put(ending, Counter.builder("hunnypot.smtp.sessions").tag("ending", ending.wireName())
          .description("SMTP sessions, by how they ended").register(registry));
    }
    for (Limit limit : Limit.values()) {
      refused.put(limit, Counter.builder("hunnypot.smtp.connections.refused").tag("limit", limit.tag)
          .description("connections refused with 421 by a connection limit").register(registry));
    }
    delivered = Counter.builder("hunnypot.sightings.delivered")
        .description("sightings acknowledged by a recorder").register(registry);
    retries = Counter.builder("hunnypot.sightings.delivery.retries")
        .description("sighting deliveries tried again after a failure").register(registry);
    unrecorded = Counter.builder("hunnypot.sightings.unrecorded")
        .description("sightings no recorder acknowledged; each is logged in full at ERROR").register(registry);
    open = Gauge.builder("hunnypot.smtp.sessions.open", limits, ConnectionLimits::open)
        .description("SMTP sessions open now").register(registry);
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

  void retried() {
    retries.increment();
  }

  void unrecorded() {
    unrecorded.increment();
  }

  /** Drops the gauge, which reads the stopped listener's state. */
  void close() {
    registry.remove(open);
  }
}
