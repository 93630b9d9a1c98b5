package io.hunnypot.listener;

import io.hunnypot.listener.ConnectionLimits.Limit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The small pure parts: replies, stored text, addresses, connection limits. */
class SmallPartsTest {

  @Test
  @DisplayName("a reply renders with its enhanced status, and multi-line as 250-... then 250 ...")
  void replyRendering() {
    assertThat(Reply.TRY_AGAIN_LATER.toString()).isEqualTo("451 4.3.0 Temporary failure, please try again later\r\n");
    assertThat(new Reply(250, null, List.of("mx.test", "PIPELINING", "8BITMIME")).toString())
        .isEqualTo("250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
  }

  @Test
  @DisplayName("no reply names the trap")
  void repliesDoNotNameTheTrap() throws IllegalAccessException {
    for (var field : Reply.class.getDeclaredFields()) {
      if (field.getType() == Reply.class) {
        assertThat(field.get(null).toString().toLowerCase()).doesNotContain("trap", "honeypot", "hunnypot");
      }
    }
  }

  static Stream<Arguments> clientText() {
    return Stream.of(
        arguments("client.example", "client.example"),
        arguments("a\0b", "a\\x00b"),
        arguments("tab\there", "tab\\x09here"),
        arguments("esc\u001b[31m", "esc\\x1b[31m"),
        arguments("del\u007f", "del\\x7f"),
        arguments("caf\u00e9", "caf\u00e9"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("clientText")
  @DisplayName("client text keeps printable characters and escapes control characters, NUL among them")
  void storedText(String given, String stored) {
    assertThat(StoredText.of(given)).isEqualTo(stored);
  }

  @Test
  @DisplayName("client text is capped at 255 characters, never splitting a surrogate pair")
  void storedTextCap() {
    assertThat(StoredText.of("a".repeat(1000))).hasSize(StoredText.MAX_LENGTH);
    String cut = StoredText.of("a".repeat(254) + "\ud83d\ude00");
    assertThat(cut).isEqualTo("a".repeat(254));
  }

  @Test
  @DisplayName("connection limits: per address, then in all; a released connection frees its place")
  void limits() {
    ConnectionLimits limits = new ConnectionLimits(3, 2);
    assertThat(limits.admit("192.0.2.1")).isEmpty();
    assertThat(limits.admit("192.0.2.1")).isEmpty();
    assertThat(limits.admit("192.0.2.1")).isEqualTo(Optional.of(Limit.PER_IP));
    assertThat(limits.admit("192.0.2.2")).isEmpty();
    assertThat(limits.admit("192.0.2.3")).isEqualTo(Optional.of(Limit.TOTAL));
    assertThat(limits.open()).isEqualTo(3);

    limits.release("192.0.2.1");
    assertThat(limits.open()).isEqualTo(2);
    assertThat(limits.admit("192.0.2.3")).isEmpty();
    assertThat(limits.admit("192.0.2.1")).isEqualTo(Optional.of(Limit.TOTAL));
  }
}
