package io.hunnypot.mxmonitor;

import io.hunnypot.contract.SightingClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The MX monitor's meters: what it asked DNS, what it probed, and what it concluded. */
final class MxMetrics {

  private final MeterRegistry registry;

  MxMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A query that went to a resolver (not answered from the cache, not joined to one in flight). */
  void dnsQuery(String type, String result) {
    Counter.builder("hunnypot.mx.dns.queries").tag("type", type).tag("result", result)
        .description("DNS queries sent to the resolvers, by record type and answer").register(registry).increment();
  }

  void dnsCacheHit(String type) {
    Counter.builder("hunnypot.mx.dns.cache.hits").tag("type", type)
        .description("DNS lookups answered from the cache, records kept for their TTL").register(registry).increment();
  }

  /** A primary MX probed for liveness: {@code live}, or why not. */
  void probe(String result) {
    Counter.builder("hunnypot.mx.probes").tag("result", result)
        .description("primary MX hosts probed for a 220 greeting, by result").register(registry).increment();
  }

  void probeCacheHit() {
    Counter.builder("hunnypot.mx.probe.cache.hits")
        .description("liveness answers taken from the per-host cache instead of a new probe").register(registry).increment();
  }

  /** One recipient domain judged, as the sightings that carry it will be. */
  void classified(SightingClass sightingClass) {
    Counter.builder("hunnypot.mx.classifications").tag("class", sightingClass.wireName())
        .description("recipient domains classified, by class").register(registry).increment();
  }
}
