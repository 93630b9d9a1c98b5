package io.hunnypot.api.dnsbl;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.contract.SightingClass;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The quick answers to A queries are the answers dnsjava's messages give, byte layout aside. */
class DnsResponderTest {

  private static final long NOW = 1_800_000_000L;

  private final DnsResponder responder;

  DnsResponderTest() {
    ListingIndex index = new ListingIndex();
    byte[] listed = {(byte) 192, 0, 2, 1};
    index.put(ListingIndex.high(listed), ListingIndex.low(listed), NOW + 3600, NOW - 60, SightingClass.TRAP_DOMAIN);
    byte[] expired = {(byte) 192, 0, 2, 2};
    index.put(ListingIndex.high(expired), ListingIndex.low(expired), NOW - 1, NOW - 7200, SightingClass.TRAP_DOMAIN);
    responder = new DnsResponder(ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DNSBL_ZONE", "bl.test.invalid")).dnsbl(),
        index, () -> NOW, () -> true);
  }

  @ParameterizedTest(name = "{0} with EDNS: {1}, RD: {2}")
  @CsvSource({
      "1.2.0.192.bl.test.invalid., false, true",
      "1.2.0.192.BL.Test.INVALID., true, false",
      "2.2.0.192.bl.test.invalid., true, true",
      "3.2.0.192.bl.test.invalid., false, false",
      "2.0.0.127.bl.test.invalid., true, true",
      "1.0.0.127.bl.test.invalid., false, true",
      "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.test.invalid., true, true",
      "1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.test.invalid., false, true"})
  @DisplayName("an A query under the zone gets, quickly, the rcode, flags and records of the full answer")
  void quickAnswersAreTheFullAnswers(String name, boolean edns, boolean recursionDesired) throws IOException {
    Message query = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    if (!recursionDesired) {
      query.getHeader().unsetFlag(Flags.RD);
    }
    if (edns) {
      query.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    }
    byte[] wire = query.toWire();
    DnsResponder.Answer answer = responder.quickly(wire);
    assertThat(answer).as("answered quickly").isNotNull();
    Message quick = new Message(answer.wire());
    Message full = new Message(responder.parsed(wire, true).wire());
    assertThat(quick.getHeader().toString()).isEqualTo(full.getHeader().toString());
    for (int section : new int[] {Section.QUESTION, Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      assertThat(quick.sectionToString(section)).as(Section.string(section)).isEqualTo(full.sectionToString(section));
    }
  }
}
