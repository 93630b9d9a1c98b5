package io.hunnypot.contract;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpAddressesTest {

  @ParameterizedTest(name = "{0} becomes {1}")
  @CsvSource({
      "127.0.0.1, 127.0.0.1",
      "::ffff:192.0.2.7, 192.0.2.7",
      "0:0:0:0:0:ffff:c000:207, 192.0.2.7",
      "0:0:0:0:0:0:0:1, ::1",
      "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
      "2001:db8:0::1, 2001:db8::1",
  })
  @DisplayName("every spelling of an address has one form: IPv4-mapped to dotted IPv4, IPv6 compressed in lower case")
  void oneForm(String literal, String normalised) {
    assertThat(IpAddresses.normalise(literal)).isEqualTo(normalised);
    assertThat(IpAddresses.ofSocket(literal)).isEqualTo(normalised);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fe80:0:0:0:0:0:0:1%eth0", "fe80::1%2"})
  @DisplayName("a socket's zone index is dropped, but a user's address with one is refused")
  void zoneIndex(String literal) {
    assertThat(IpAddresses.ofSocket(literal)).isEqualTo("fe80::1");
    assertThatThrownBy(() -> IpAddresses.normalise(literal)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not an address", "256.1.1.1", "[::1]", "mail.example", ""})
  @DisplayName("anything that is not an address literal is refused, never looked up")
  void notAnAddress(String text) {
    assertThatThrownBy(() -> IpAddresses.normalise(text)).hasMessageContaining("not an IP address");
  }
}
