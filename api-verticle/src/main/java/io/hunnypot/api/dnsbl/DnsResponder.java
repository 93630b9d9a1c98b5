package io.hunnypot.api.dnsbl;

import io.hunnypot.config.HunnypotConfig;
import io.netty.util.NetUtil;
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
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Answers DNSBL queries (RFC 5782) from a {@link ListingIndex}: a listed address gets
 * {@code A 127.0.0.2} and a TXT from the template, any other address NXDOMAIN, the zone apex
 * its SOA and NS, a name outside the zone REFUSED. Authoritative only: recursion is never
 * offered. Wire bytes in, wire bytes out, so that UDP and TCP share it.
 */
final class DnsResponder {

  /** What became of one query, for the metrics. */
  enum Outcome { LISTED, UNLISTED, APEX, REFUSED, NOT_IMPLEMENTED, MALFORMED, NOT_LOADED }

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
  /** What {@link #lookup} answers for the listed test entry, which has no slot in the index. */
  private static final int TEST_ENTRY_SLOT = -2;

  private final ListingIndex index;
  private final LongSupplier clockSeconds;
  private final BooleanSupplier loaded;
  private final Name zone;
  private final int zoneLabels;
  private final long ttl;
  private final String txt;
  private final SOARecord soa;
  private final SOARecord negativeSoa;
  private final NSRecord ns;
  /** The zone's name as it ends a query's name, lower case, and the SOA's data, for {@link #quickly}. */
  private final byte[] zoneWire;
  private final byte[] soaRdata;

  /**
   * @param loaded whether the index holds the listing yet: until it does, a name under the zone
   *               gets SERVFAIL ("ask again later"), never a false "not listed"
   */
  DnsResponder(HunnypotConfig.Dnsbl config, ListingIndex index, LongSupplier clockSeconds, BooleanSupplier loaded) {
    this.index = index;
    this.loaded = loaded;
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
    zoneWire = zone.toWireCanonical();
    soaRdata = negativeSoa.rdataToWireCanonical();
  }

  /**
   * The answer to one query. Over UDP it is cut to 512 bytes, or to the size an EDNS client
   * announced (at most {@link #EDNS_SIZE}), with TC set when cut; over TCP only the 64 kB limit holds.
   */
  Answer answer(byte[] query, boolean overUdp) {
    Answer quick = quickly(query);
    return quick != null ? quick : parsed(query, overUdp);
  }

  /**
   * The answer to the query every mail server asks, an A record for an address under the zone,
   * written straight from the query's bytes: no message objects, one array allocated. Null for
   * any other query, which {@link #parsed} answers. The answer is the one {@link #parsed} would
   * give, less name compression variety: the question copied as asked, the A record or the SOA
   * pointing into it, and an OPT record when the query had one.
   */
  Answer quickly(byte[] q) {
    int length = q.length;
    if (!loaded.getAsBoolean()) {
      return null;
    }
    // a query (QR 0), opcode QUERY, not truncated; one question, no answers or authority, at most an OPT
    if (length < 17 || (q[2] & 0xFA) != 0 || u16(q, 4) != 1 || u16(q, 6) != 0 || u16(q, 8) != 0 || u16(q, 10) > 1) {
      return null;
    }
    int end = 12;
    int labels = 0;
    while (end < length && q[end] != 0) {
      if ((q[end] & 0xC0) != 0) {
        return null; // a compression pointer or an extended label type: not in a plain query
      }
      end += (q[end] & 0xFF) + 1;
      labels++;
    }
    int nameEnd = end + 1;
    int questionEnd = nameEnd + 4;
    if (questionEnd > length || nameEnd - 12 > 255 || u16(q, nameEnd) != Type.A || u16(q, nameEnd + 2) != DClass.IN) {
      return null;
    }
    boolean edns = u16(q, 10) == 1;
    // exactly one OPT record, EDNS version 0, after the question; its options (a cookie, say) are ignored
    if (edns ? questionEnd + 11 > length || q[questionEnd] != 0 || u16(q, questionEnd + 1) != Type.OPT
        || q[questionEnd + 6] != 0 || questionEnd + 11 + u16(q, questionEnd + 9) != length
        : questionEnd != length) {
      return null;
    }
    int zoneStart = nameEnd - zoneWire.length;
    if (labels - zoneLabels + 1 < 1 || zoneStart < 12 || !sameLetters(q, zoneStart, zoneWire)) {
      return null;
    }
    int offset = 12;
    for (int label = 0; label < labels - zoneLabels + 1; label++) {
      offset += (q[offset] & 0xFF) + 1;
    }
    byte[] address = offset == zoneStart ? ReversedName.address(q, 12, labels - zoneLabels + 1) : null;
    if (address == null) {
      return null;
    }
    boolean listed = lookup(address) != ListingIndex.ABSENT;
    byte[] r = new byte[questionEnd + (listed ? 16 : 12 + soaRdata.length) + (edns ? 11 : 0)];
    System.arraycopy(q, 0, r, 0, questionEnd);
    r[2] = (byte) (0x84 | (q[2] & 0x01)); // QR, AA, and RD as asked
    r[3] = (byte) (listed ? Rcode.NOERROR : Rcode.NXDOMAIN); // RA 0: no recursion here
    put16(r, 6, listed ? 1 : 0);
    put16(r, 8, listed ? 0 : 1);
    put16(r, 10, edns ? 1 : 0);
    int p = questionEnd;
    if (listed) {
      p = record(r, p, 12, Type.A, ttl, LISTED);
    } else {
      p = record(r, p, zoneStart, Type.SOA, negativeSoa.getTTL(), soaRdata);
    }
    if (edns) {
      r[p] = 0; // the root
      put16(r, p + 1, Type.OPT);
      put16(r, p + 3, EDNS_SIZE);
    }
    return new Answer(r, listed ? Outcome.LISTED : Outcome.UNLISTED);
  }

  /** A resource record whose owner is the name at {@code nameOffset}, by a compression pointer. */
  private static int record(byte[] r, int p, int nameOffset, int type, long ttl, byte[] rdata) {
    put16(r, p, 0xC000 | nameOffset);
    put16(r, p + 2, type);
    put16(r, p + 4, DClass.IN);
    put16(r, p + 6, (int) (ttl >>> 16));
    put16(r, p + 8, (int) ttl);
    put16(r, p + 10, rdata.length);
    System.arraycopy(rdata, 0, r, p + 12, rdata.length);
    return p + 12 + rdata.length;
  }

  /** Whether the bytes at {@code offset} are the name {@code wire}, ASCII letters in either case. */
  private static boolean sameLetters(byte[] q, int offset, byte[] wire) {
    for (int i = 0; i < wire.length; i++) {
      int a = q[offset + i];
      if (a != wire[i] && !(a >= 'A' && a <= 'Z' && a + 32 == wire[i])) {
        return false;
      }
    }
    return true;
  }

  private static int u16(byte[] bytes, int offset) {
    return (bytes[offset] & 0xFF) << 8 | (bytes[offset + 1] & 0xFF);
  }

  private static void put16(byte[] bytes, int offset, int value) {
    bytes[offset] = (byte) (value >>> 8);
    bytes[offset + 1] = (byte) value;
  }

  /** Any query, parsed and answered with dnsjava's messages. */
  Answer parsed(byte[] query, boolean overUdp) {
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
    if (!loaded.getAsBoolean()) {
      response.getHeader().setRcode(Rcode.SERVFAIL);
      return Outcome.NOT_LOADED;
    }
    byte[] address = ReversedName.address(name.toWireCanonical(), 0, name.labels() - zoneLabels);
    int slot = lookup(address);
    if (slot == ListingIndex.ABSENT) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
      response.addRecord(negativeSoa, Section.AUTHORITY);
      return Outcome.UNLISTED;
    }
    if (type == Type.A || type == Type.ANY) {
      response.addRecord(new ARecord(name, DClass.IN, ttl, LISTED), Section.ANSWER);
    }
    if (type == Type.TXT || type == Type.ANY) {
      String text = slot == TEST_ENTRY_SLOT ? TEST_ENTRY : txt
          .replace("{ip}", NetUtil.bytesToIpAddress(address))
          .replace("{class}", index.listedClass(slot).wireName())
          .replace("{lastSeen}", Instant.ofEpochSecond(index.lastSeen(slot)).toString());
      response.addRecord(new TXTRecord(name, DClass.IN, ttl, strings(text)), Section.ANSWER);
    }
    if (response.getSection(Section.ANSWER).isEmpty()) {
      response.addRecord(negativeSoa, Section.AUTHORITY); // listed, but no data of this type
    }
    return Outcome.LISTED;
  }

  /** Where the address is listed: its slot in the index, {@link #TEST_ENTRY_SLOT}, or {@link ListingIndex#ABSENT}. */
  private int lookup(byte[] address) {
    if (address == null) {
      return ListingIndex.ABSENT;
    }
    long high = ListingIndex.high(address);
    long low = ListingIndex.low(address);
    if (high == 0 && (low == TEST_LISTED || low == TEST_UNLISTED)) {
      return low == TEST_LISTED ? TEST_ENTRY_SLOT : ListingIndex.ABSENT;
    }
    return index.find(high, low, clockSeconds.getAsLong());
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
