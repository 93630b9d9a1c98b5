package io.hunnypot.api.dnsbl;

import io.hunnypot.contract.SightingClass;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ListingIndexTest {

  private static final long NOW = 1_800_000_000L;

  @Test
  @DisplayName("after any mix of listings, delistings, growth and purges, the index finds exactly what is listed")
  void agreesWithAMap() {
    ListingIndex index = new ListingIndex();
    Map<Long, Long> expected = new HashMap<>(); // low bits (addresses of one /16) -> end of listing
    Random random = new Random(42);
    for (int step = 0; step < 200_000; step++) {
      long low = 0xFFFF_C000_0000L | random.nextInt(1 << 16);
      int action = random.nextInt(10);
      if (action < 6) {
        long until = NOW + random.nextInt(200) - 50;
        index.put(0, low, until, NOW - 1, SightingClass.BACKUP_MX);
        expected.put(low, until);
      } else if (action < 9) {
        index.remove(0, low);
        expected.remove(low);
      } else if (step % 1000 == 0) {
        index.purge(NOW);
        expected.values().removeIf(until -> until <= NOW);
      }
    }
    for (long low = 0xFFFF_C000_0000L; low < 0xFFFF_C001_0000L; low++) {
      Long until = expected.get(low);
      int slot = index.find(0, low, NOW);
      assertThat(slot != ListingIndex.ABSENT).as("address %x", low).isEqualTo(until != null && until > NOW);
      if (slot != ListingIndex.ABSENT) {
        assertThat(index.lastSeen(slot)).isEqualTo(NOW - 1);
        assertThat(index.listedClass(slot)).isEqualTo(SightingClass.BACKUP_MX);
      }
    }
    index.purge(NOW);
    assertThat(index.size()).isEqualTo(expected.values().stream().filter(until -> until > NOW).count());
  }

  @Test
  @DisplayName("an IPv4 address and its IPv4-mapped IPv6 form are one key")
  void ipv4MappedIsIpv4() {
    byte[] ipv4 = {(byte) 192, 0, 2, 1};
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 192, 0, 2, 1};
    assertThat(ListingIndex.high(ipv4)).isEqualTo(ListingIndex.high(mapped));
    assertThat(ListingIndex.low(ipv4)).isEqualTo(ListingIndex.low(mapped));
  }
}
