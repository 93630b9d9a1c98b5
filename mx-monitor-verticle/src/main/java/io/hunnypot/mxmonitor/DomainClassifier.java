package io.hunnypot.mxmonitor;

import io.hunnypot.contract.Classification;
import io.hunnypot.contract.SightingClass;
import io.hunnypot.mxmonitor.DnsLookup.Answer;
import io.hunnypot.mxmonitor.DnsLookup.DnsFailure;
import io.hunnypot.mxmonitor.Prober.Outcome;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The classification rules of DESIGN.md for one recipient domain, as seen from one listener
 * (its identity addresses), with the evidence that led to the class: the MX set, which of it
 * is ours, the primaries probed and what they answered, and what came from cache.
 */
final class DomainClassifier {

  private static final Logger LOG = LoggerFactory.getLogger(DomainClassifier.class);

  /** One MX of the domain, its addresses resolved. */
  private record Mx(int preference, Name host, List<InetAddress> addresses, boolean ours) {
    JsonObject toJson() {
      return new JsonObject().put("preference", preference).put("host", host.toString(true))
          .put("addresses", addressList(addresses)).put("ours", ours);
    }
  }

  private final Set<String> trapDomains;
  private final DnsLookup dns;
  private final Prober prober;

  DomainClassifier(Collection<String> trapDomains, DnsLookup dns, Prober prober) {
    this.trapDomains = Set.copyOf(trapDomains);
    this.dns = dns;
    this.prober = prober;
  }

  /** Never fails: whatever cannot be shown is {@code unknown}, with the reason as evidence. */
  Future<Classification> classify(String domain, List<InetAddress> identity) {
    Inquiry inquiry = new Inquiry(domain.toLowerCase(Locale.ROOT), identity);
    if (trapDomains.contains(inquiry.domain)) {
      return Future.succeededFuture(inquiry.verdict(SightingClass.TRAP_DOMAIN, "a configured trap domain"));
    }
    Name name;
    try {
      name = Name.fromString(inquiry.domain, Name.root);
    } catch (TextParseException e) {
      return Future.succeededFuture(inquiry.verdict(SightingClass.UNKNOWN, "not a domain name: " + e.getMessage()));
    }
    return inquiry.lookup(name, Type.MX)
        .compose(mx -> switch (mx.status()) {
          case NO_DOMAIN -> Future.succeededFuture(inquiry.verdict(SightingClass.UNKNOWN, "the domain does not exist (NXDOMAIN)"));
          case NO_DATA -> implicitMx(inquiry, name);
          case RECORDS -> mxSet(inquiry, name, mx.records());
        })
        .recover(error -> {
          if (error instanceof DnsFailure) {
            return Future.succeededFuture(inquiry.verdict(SightingClass.UNKNOWN, "DNS failure: " + error.getMessage()));
          }
          LOG.warn("classifying {} failed", inquiry.domain, error);
          return Future.succeededFuture(inquiry.verdict(SightingClass.UNKNOWN, "classification failed: " + error));
        });
  }

  /** No MX: the A/AAAA record is the implicit MX (RFC 5321 5.1), which makes a trap only by configuration. */
  private Future<Classification> implicitMx(Inquiry inquiry, Name name) {
    return addresses(inquiry, name).map(addresses -> {
      boolean ours = inquiry.ours(addresses);
      inquiry.evidence.put("implicitMx", new JsonObject().put("addresses", addressList(addresses)).put("ours", ours));
      return inquiry.verdict(SightingClass.UNKNOWN, ours
          ? "no MX; the implicit MX (A/AAAA) is ours, but the domain is not a configured trap domain"
          : "no MX; the implicit MX (A/AAAA) is not ours");
    });
  }

  private Future<Classification> mxSet(Inquiry inquiry, Name domain, List<Record> records) {
    List<MXRecord> sorted = records.stream().filter(MXRecord.class::isInstance).map(MXRecord.class::cast)
        .sorted(Comparator.comparingInt(MXRecord::getPriority).thenComparing(MXRecord::getTarget)).toList();
    if (sorted.isEmpty()) { // records, but none an MX: never read as "every MX is ours"
      return implicitMx(inquiry, domain);
    }
    List<Future<Mx>> resolved = sorted.stream()
        .map(mx -> addresses(inquiry, mx.getTarget())
            .map(addresses -> new Mx(mx.getPriority(), mx.getTarget(), addresses, inquiry.ours(addresses))))
        .toList();
    return Future.all(resolved).compose(all -> judge(inquiry, all.list(), domain));
  }

  private Future<Classification> judge(Inquiry inquiry, List<Mx> mxs, Name domain) {
    inquiry.evidence.put("mx", new JsonArray(mxs.stream().map(Mx::toJson).toList()));
    List<Mx> ours = mxs.stream().filter(Mx::ours).toList();
    if (ours.size() == mxs.size()) {
      return Future.succeededFuture(inquiry.verdict(SightingClass.TRAP_DOMAIN, "every MX is ours"));
    }
    if (ours.isEmpty()) {
      return aRecord(inquiry, domain);
    }
    int ourBest = ours.get(0).preference();
    List<Mx> primaries = mxs.stream().filter(mx -> !mx.ours() && mx.preference() < ourBest).toList();
    if (primaries.isEmpty()) {
      return Future.succeededFuture(inquiry.verdict(SightingClass.UNKNOWN,
          "ours among the most preferred MXs, with others that are not ours: honest senders may deliver here"));
    }
    return Future.all(primaries.stream().map(mx -> prober.probe(mx.host(), mx.addresses())).toList())
        .map(all -> {
          List<Outcome> probes = all.list();
          inquiry.probes(probes);
          return probes.stream().anyMatch(outcome -> outcome.probe().live())
              ? inquiry.verdict(SightingClass.BACKUP_MX, "ours as a backup MX, and a more-preferred MX is live")
              : inquiry.verdict(SightingClass.OUTAGE,
                  "ours as a backup MX, but no more-preferred MX answered: honest senders fall back here");
        });
  }

  /** No MX of ours: is the domain's own A/AAAA record ours? */
  private Future<Classification> aRecord(Inquiry inquiry, Name domain) {
    return addresses(inquiry, domain).map(addresses -> {
      boolean ours = inquiry.ours(addresses);
      inquiry.evidence.put("domainAddresses", new JsonObject().put("addresses", addressList(addresses)).put("ours", ours));
      return ours
          ? inquiry.verdict(SightingClass.A_RECORD, "no MX is ours, but the domain's A/AAAA record is")
          : inquiry.verdict(SightingClass.RELAY_ATTEMPT, "nothing of ours in the domain's MX or A/AAAA records");
    });
  }

  /** A host's IPv4 and IPv6 addresses, looked up together; a null MX ({@code .}) has none. */
  private Future<List<InetAddress>> addresses(Inquiry inquiry, Name host) {
    if (host.equals(Name.root)) {
      return Future.succeededFuture(List.of());
    }
    Future<Answer> v4 = inquiry.lookup(host, Type.A);
    Future<Answer> v6 = inquiry.lookup(host, Type.AAAA);
    return Future.all(v4, v6).map(both -> Stream.concat(v4.result().records().stream(), v6.result().records().stream())
        .map(DomainClassifier::address).filter(a -> a != null).toList());
  }

  private static InetAddress address(Record record) {
    return record instanceof ARecord a ? a.getAddress() : record instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
  }

  private static JsonArray addressList(List<InetAddress> addresses) {
    return new JsonArray(addresses.stream().map(NetUtil::toAddressString).toList());
  }

  /** One classification under way: what it asked, and what it found. */
  private final class Inquiry {
    final String domain;
    final List<InetAddress> identity;
    final JsonObject evidence = new JsonObject();
    final JsonArray lookups = new JsonArray();
    boolean allCached = true;

    Inquiry(String domain, List<InetAddress> identity) {
      this.domain = domain;
      this.identity = identity;
    }

    Future<Answer> lookup(Name name, int type) {
      return dns.lookup(name, type).onSuccess(answer -> {
        lookups.add(answer.toJson());
        allCached &= answer.cached();
      });
    }

    boolean ours(List<InetAddress> addresses) {
      return addresses.stream().anyMatch(identity::contains);
    }

    void probes(List<Outcome> outcomes) {
      evidence.put("probes", new JsonArray(outcomes.stream().map(o -> o.probe().toJson(o.cached())).toList()));
      allCached &= outcomes.stream().allMatch(Outcome::cached);
    }

    Classification verdict(SightingClass sightingClass, String rule) {
      JsonObject result = new JsonObject().put("domain", domain).put("rule", rule)
          .put("identity", addressList(identity));
      result.mergeIn(evidence);
      if (!lookups.isEmpty()) {
        result.put("lookups", lookups).put("cached", allCached);
      }
      return new Classification(sightingClass, result);
    }
  }
}
