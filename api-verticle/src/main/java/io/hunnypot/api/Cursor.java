package io.hunnypot.api;

import io.hunnypot.contract.IpAddresses;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page of offenders ended, in their order (last seen, newest first, then address): the
 * next page starts after it. Opaque to clients, who only hand back the {@code next} they got.
 */
record Cursor(Instant lastSeen, String ip) {

  String encode() {
    byte[] text = (lastSeen + " " + ip).getBytes(StandardCharsets.UTF_8);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text);
  }

  /** @throws RuntimeException if {@code cursor} was not made by {@link #encode()} */
  static Cursor decode(String cursor) {
    String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    int space = text.indexOf(' ');
    if (space < 0) {
      throw new IllegalArgumentException("not a cursor: " + cursor);
    }
    String ip = text.substring(space + 1);
    IpAddresses.normalise(ip); // throws unless it is an address the database can compare
    return new Cursor(Instant.parse(text.substring(0, space)), ip);
  }
}
