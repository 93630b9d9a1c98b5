package io.hunnypot.api.dnsbl;

import io.hunnypot.config.HunnypotConfig;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Answers DNSBL queries (RFC 5782) from a {@link ListingIndex}: a listed address gets
 * {@code A 127.0.0.2} and a TXT from the template, any other address NXDOMAIN, the zone apex
 * its SOA and NS, a name outside the zone REFUSED. Authoritative only: recursion is never
 * offered. Wire bytes in, wire bytes out, so that UDP and TCP share it.
 */
final class DnsResponder {

  /** What became of one query, for the metrics. */
  enum Outcome { LISTED, UNLISTED, APEX, REFUSED, NOT_IMPLEMENTED, MALFORMED }

  /** An answer to send (null when the query is best dropped), and what it was. */
  record Answer(byte[] wire, Outcome outcome) {
  }

  /** The largest UDP answer for a client that does not say (RFC 1035). */
  static final int UDP_SIZE = 512;
  /** The largest UDP answer for an EDNS client: the size that avoids IP fragmentation (DNS flag day 2020). */
  static final int EDNS_SIZE = 1232;
  private static final byte[] LISTED = {127, 0, 0, 2};
  private static final String TEST_ENTRY = "RFC 5782 test entry";
  /** 127.0.0.2 and its IPv6 form ::FFFF:7F00:2 are listed, 127.0.0.1 (::FFFF:7F00:1) never is (RFC 5782 section 5). */
  private static final long TEST_LISTED = ListingIndex.low(new byte[] {127, 0, 0, 2});
  private static final long TEST_UNLISTED = ListingIndex.low(new byte[] {127, 0, 0, 1});

  private final ListingIndex index;
  private final LongSupplier clockSeconds;
  private final Name zone;
  private final int zoneLabels;
  private final long ttl;
  private final String txt;
  private final SOARecord soa;
  private final SOARecord negativeSoa;
  private final NSRecord ns;

  DnsResponder(HunnypotConfig.Dnsbl config, ListingIndex index, LongSupplier clockSeconds) {
    this.index = index;
    this.clockSeconds = clockSeconds;
    this.ttl = config.ttlSeconds();
    this.txt = config.txt();
    try {
      zone = Name.fromString(config.zone(), Name.root);
      Name nameserver = Name.fromString(config.resolvedNameserver(), Name.root);
      Name hostmaster = Name.concatenate(Name.fromString("hostmaster"), zone);
      long serial = clockSeconds.getAsLong() & 0xFFFF_FFFFL;
      soa = new SOARecord(zone, DClass.IN, ttl, nameserver, hostmaster, serial, 3600, 600, 86400, config.negativeTtlSeconds());
      // a negative answer is cached for the lesser of the SOA's TTL and its minimum (RFC 2308)
      negativeSoa = new SOARecord(zone, DClass.IN, Math.min(ttl, config.negativeTtlSeconds()), nameserver, hostmaster,
          serial, 3600, 600, 86400, config.negativeTtlSeconds());
      ns = new NSRecord(zone, DClass.IN, ttl, nameserver);
    } catch (IOException e) {
      throw new IllegalArgumentException("dnsbl.zone " + config.zone() + ": " + e.getMessage(), e);
    }
    zoneLabels = zone.labels();
  }

  /**
   * The answer to one query. Over UDP it is cut to 512 bytes, or to the size an EDNS client
   * announced (at most {@link #EDNS_SIZE}), with TC set when cut; over TCP only the 64 kB limit holds.
   */
  Answer answer(byte[] query, boolean overUdp) {
    Message request;
    try {
      request = new Message(query);
    } catch (IOException | RuntimeException e) {
      return formatError(query);
    }
    Header header = request.getHeader();
    Record question = request.getQuestion();
    if (header.getFlag(Flags.QR)) {
      return new Answer(null, Outcome.MALFORMED); // a response sent to us: answering could loop
    }
    Message response = new Message(header.getID());
    Header out = response.getHeader();
    out.setFlag(Flags.QR);
    out.setOpcode(header.getOpcode());
    if (header.getFlag(Flags.RD)) {
      out.setFlag(Flags.RD);
    }
    OPTRecord opt = request.getOPT();
    if (opt != null) {
      response.addRecord(new OPTRecord(EDNS_SIZE, 0, 0), Section.ADDITIONAL);
    }
    Outcome outcome;
    if (header.getOpcode() != Opcode.QUERY) {
      out.setRcode(Rcode.NOTIMP);
      outcome = Outcome.NOT_IMPLEMENTED;
    } else if (question == null || header.getCount(Section.QUESTION) != 1) {
      out.setRcode(Rcode.FORMERR);
      outcome = Outcome.MALFORMED;
    } else {
      response.addRecord(question, Section.QUESTION);
      outcome = question.getDClass() == DClass.IN || question.getDClass() == DClass.ANY
          ? resolve(question.getName(), question.getType(), response)
          : refuse(response);
    }
    int limit = !overUdp ? Message.MAXLENGTH
        : opt == null ? UDP_SIZE
        : Math.min(Math.max(opt.getPayloadSize(), UDP_SIZE), EDNS_SIZE);
    return new Answer(response.toWire(limit), outcome);
  }

  private Outcome resolve(Name name, int type, Message response) {
    if (!name.subdomain(zone)) {
      return refuse(response);
    }
    response.getHeader().setFlag(Flags.AA);
    if (name.labels() == zoneLabels) {
      if (type == Type.SOA || type == Type.ANY) {
        response.addRecord(soa, Section.ANSWER);
      }
      if (type == Type.NS || type == Type.ANY) {
        response.addRecord(ns, Section.ANSWER);
      }
      if (response.getSection(Section.ANSWER).isEmpty()) {
        response.addRecord(negativeSoa, Section.AUTHORITY);
      }
      return Outcome.APEX;
    }
    byte[] address = ReversedName.address(name, name.labels() - zoneLabels);
    long high = address == null ? 0 : ListingIndex.high(address);
    long low = address == null ? 0 : ListingIndex.low(address);
    int slot = address == null ? ListingIndex.ABSENT : index.find(high, low, clockSeconds.getAsLong());
    boolean testEntry = address != null && high == 0 && low == TEST_LISTED;
    if (address == null || (slot == ListingIndex.ABSENT && !testEntry) || (high == 0 && low == TEST_UNLISTED)) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
      response.addRecord(negativeSoa, Section.AUTHORITY);
      return Outcome.UNLISTED;
    }
    if (type == Type.A || type == Type.ANY) {
      response.addRecord(new ARecord(name, DClass.IN, ttl, LISTED), Section.ANSWER);
    }
    if (type == Type.TXT || type == Type.ANY) {
      String text = testEntry ? TEST_ENTRY : txt
          .replace("{ip}", ReversedName.text(address))
          .replace("{class}", index.listedClass(slot).wireName())
          .replace("{lastSeen}", Instant.ofEpochSecond(index.lastSeen(slot)).toString());
      response.addRecord(new TXTRecord(name, DClass.IN, ttl, strings(text)), Section.ANSWER);
    }
    if (response.getSection(Section.ANSWER).isEmpty()) {
      response.addRecord(negativeSoa, Section.AUTHORITY); // listed, but no data of this type
    }
    return Outcome.LISTED;
  }

  private static Outcome refuse(Message response) {
    response.getHeader().setRcode(Rcode.REFUSED);
    return Outcome.REFUSED;
  }

  /** A header we can read gets FORMERR with its id; anything shorter is dropped. */
  private static Answer formatError(byte[] query) {
    try {
      Header header = new Header(query);
      if (header.getFlag(Flags.QR)) {
        return new Answer(null, Outcome.MALFORMED);
      }
      Message response = new Message(header.getID());
      response.getHeader().setFlag(Flags.QR);
      response.getHeader().setOpcode(header.getOpcode());
      response.getHeader().setRcode(Rcode.FORMERR);
      return new Answer(response.toWire(), Outcome.MALFORMED);
    } catch (IOException | RuntimeException e) {
      return new Answer(null, Outcome.MALFORMED);
    }
  }

  /** A TXT record holds strings of at most 255 bytes each: a longer text is cut into several. */
  private static List<String> strings(String text) {
    List<String> strings = new ArrayList<>();
    for (int start = 0; start < text.length(); start += 255) {
      strings.add(text.substring(start, Math.min(text.length(), start + 255)).replace("\\", "\\\\").replace("\"", "\\\""));
    }
    return strings.isEmpty() ? List.of("") : strings;
  }
}
