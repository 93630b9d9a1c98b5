package io.hunnypot.mxmonitor;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.ClassifyRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.xbill.DNS.Resolver;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Answers, for one recipient domain and the listener's identity addresses, how a delivery to
 * it through this honeypot is to be judged, with the evidence: the classification of
 * DESIGN.md on asynchronous DNS (dnsjava, records cached by TTL) and liveness probes of the
 * primary MXs (cached per host). A crowd asking about one domain at once costs one query per
 * record and one probe per host. Everything runs on this verticle's event loop.
 */
public class MxMonitorVerticle extends VerticleBase {

  private final HunnypotConfig config;
  private final MeterRegistry registry;
  private final Resolver resolver;

  private MxMetrics metrics;
  private Prober prober;
  private DomainClassifier classifier;
  private long expiry;

  public MxMonitorVerticle(HunnypotConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    // Reads the system's resolver configuration when none is given: done here, off the event loop.
    this.resolver = DnsLookup.resolver(config.dns());
  }

  @Override
  public Future<?> start() {
    metrics = new MxMetrics(registry);
    prober = new Prober(vertx, config.mx(), metrics);
    classifier = new DomainClassifier(config.trap().domains(),
        new DnsLookup(resolver, config.dns().timeout(), context, metrics), prober);
    expiry = vertx.setPeriodic(TimeUnit.SECONDS.toMillis(config.mx().cacheSeconds()), id -> prober.expire());
    return vertx.eventBus().<JsonObject>consumer(Addresses.MX_CLASSIFY, this::answer).completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(expiry);
    return prober.close();
  }

  private void answer(Message<JsonObject> message) {
    ClassifyRequest request;
    List<InetAddress> identity;
    try {
      request = ClassifyRequest.fromJson(message.body());
      Objects.requireNonNull(request.domain(), "no domain");
      identity = addresses(request.identityAddresses());
    } catch (RuntimeException | UnknownHostException e) {
      message.fail(400, "malformed classify request: " + e.getMessage());
      return;
    }
    classifier.classify(request.domain(), identity).onSuccess(classification -> {
      metrics.classified(classification.sightingClass());
      message.reply(classification.toJson());
    });
  }

  /** Address literals only, never looked up; an IPv4-mapped IPv6 address is its IPv4 address. */
  private static List<InetAddress> addresses(List<String> literals) throws UnknownHostException {
    List<InetAddress> addresses = new ArrayList<>();
    for (String literal : literals) {
      byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
      if (bytes == null) {
        throw new UnknownHostException("not an address: " + literal);
      }
      addresses.add(InetAddress.getByAddress(bytes));
    }
    return addresses;
  }
}
