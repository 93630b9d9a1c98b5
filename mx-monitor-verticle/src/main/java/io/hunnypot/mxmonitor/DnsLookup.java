package io.hunnypot.mxmonitor;

import io.hunnypot.config.HunnypotConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.xbill.DNS.Cache;
import org.xbill.DNS.Credibility;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * DNS for the MX monitor: one long-lived dnsjava {@link LookupSession} whose cache keeps
 * records for their TTL (and an absence for the zone's negative TTL), asked asynchronously
 * and answered on the verticle's event loop. Lookups of one name and type made while one is
 * in flight share it, so that a crowd of sessions costs one query.
 */
final class DnsLookup {

  enum Status {
    RECORDS("records"), NO_DATA("nodata"), NO_DOMAIN("nxdomain");

    final String tag;

    Status(String tag) {
      this.tag = tag;
    }
  }

  /** What DNS says about one name and type; {@code cached} when no query was needed. */
  record Answer(Name name, int type, Status status, List<Record> records, boolean cached) {

    JsonObject toJson() {
      String answer = switch (status) {
        case RECORDS -> records.stream().map(Record::rdataToString).toList().toString();
        case NO_DATA -> "no records";
        case NO_DOMAIN -> "no such domain";
      };
      return new JsonObject().put("name", name.toString(true)).put("type", Type.string(type))
          .put("answer", answer).put("cached", cached);
    }
  }

  /** No usable answer: SERVFAIL, no answer in time, a broken reply. Never a reason to list anyone. */
  static final class DnsFailure extends RuntimeException {
    /** For the metrics: {@code servfail}, {@code timeout} or {@code error}. */
    final String kind;

    DnsFailure(String kind, String message) {
      super(message, null, false, false);
      this.kind = kind;
    }
  }

  private record Question(Name name, int type) {
  }

  private final LookupSession session;
  private final Cache cache = new Cache(DClass.IN);
  private final Context context;
  private final long timeoutMillis;
  private final MxMetrics metrics;
  private final Map<Question, Future<Answer>> inFlight = new HashMap<>();

  DnsLookup(Resolver resolver, Duration timeout, Context context, MxMetrics metrics) {
    this.session = LookupSession.builder().resolver(resolver).cache(cache).build();
    this.context = context;
    this.timeoutMillis = timeout.toMillis();
    this.metrics = metrics;
  }

  /**
   * The configured resolvers, or the system's, each given its share of the timeout so that
   * the next one is asked in time. Reads the system's configuration: not for an event loop.
   */
  static Resolver resolver(HunnypotConfig.Dns dns) {
    List<InetSocketAddress> servers = dns.resolvers().isEmpty() ? ResolverConfig.getCurrentConfig().servers() : dns.resolvers();
    Duration share = dns.timeout().dividedBy(Math.max(1, servers.size()));
    List<Resolver> resolvers = servers.stream().map(server -> {
      SimpleResolver resolver = new SimpleResolver(server);
      resolver.setTimeout(share);
      return (Resolver) resolver;
    }).toList();
    ExtendedResolver resolver = new ExtendedResolver(resolvers);
    resolver.setTimeout(dns.timeout());
    resolver.setRetries(1);
    return resolver;
  }

  /** The records of one name and type; fails with {@link DnsFailure} when DNS gives no usable answer. */
  Future<Answer> lookup(Name name, int type) {
    Question question = new Question(name, type);
    Future<Answer> pending = inFlight.get(question);
    if (pending != null) {
      return pending;
    }
    if (inCache(name, type)) {
      metrics.dnsCacheHit(Type.string(type));
      return ask(question, true);
    }
    Future<Answer> answer = ask(question, false);
    inFlight.put(question, answer);
    return answer.onComplete(done -> {
      inFlight.remove(question);
      metrics.dnsQuery(Type.string(type), done.succeeded() ? done.result().status().tag : ((DnsFailure) done.cause()).kind);
    });
  }

  /** Asks the session; its answer comes back on the verticle's event loop. */
  private Future<Answer> ask(Question question, boolean cached) {
    Future<LookupResult> lookup = Future.fromCompletionStage(session.lookupAsync(question.name(), question.type()), context);
    // An answer from the cache is there already; only a query needs a deadline.
    return (cached ? lookup : lookup.timeout(timeoutMillis, TimeUnit.MILLISECONDS))
        .transform(result -> result.succeeded()
            ? Future.succeededFuture(answer(question, result.result().getRecords(), cached))
            : outcome(question, unwrap(result.cause()), cached));
  }

  /** What the session will find without asking: the same test it makes before sending a query. */
  private boolean inCache(Name name, int type) {
    SetResponse known = cache.lookupRecords(name, type, Credibility.NORMAL);
    return known.isSuccessful() || known.isNXDOMAIN() || known.isNXRRSET();
  }

  private static Answer answer(Question question, List<Record> records, boolean cached) {
    return new Answer(question.name(), question.type(), records.isEmpty() ? Status.NO_DATA : Status.RECORDS, records, cached);
  }

  /** NXDOMAIN and NODATA are answers (the second comes as an exception when taken from the cache); the rest are failures. */
  private Future<Answer> outcome(Question question, Throwable error, boolean cached) {
    if (error instanceof NoSuchDomainException) {
      return Future.succeededFuture(new Answer(question.name(), question.type(), Status.NO_DOMAIN, List.of(), cached));
    }
    if (error instanceof NoSuchRRSetException) {
      return Future.succeededFuture(answer(question, List.of(), cached));
    }
    String asked = question.name().toString(true) + " " + Type.string(question.type());
    if (error instanceof ServerFailedException) {
      return Future.failedFuture(new DnsFailure("servfail", "SERVFAIL for " + asked));
    }
    if (isTimeout(error)) {
      return Future.failedFuture(new DnsFailure("timeout", "no answer within " + timeoutMillis + " ms for " + asked));
    }
    return Future.failedFuture(new DnsFailure("error", asked + ": " + error));
  }

  private static boolean isTimeout(Throwable error) {
    return error instanceof TimeoutException
        || error instanceof IOException && String.valueOf(error.getMessage()).toLowerCase().contains("timed out");
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }
}
