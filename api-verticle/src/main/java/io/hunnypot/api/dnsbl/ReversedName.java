package io.hunnypot.api.dnsbl;

/** The address a DNSBL query names: {@code 1.2.0.192.<zone>} for 192.0.2.1, 32 nibbles for IPv6 (RFC 5782). */
final class ReversedName {

  private ReversedName() {
  }

  /**
   * The address written in the {@code labels} wire-format labels at {@code offset} (each a
   * length byte, then its characters), least significant first: 4 bytes from 4 decimal labels,
   * 16 bytes from 32 hexadecimal ones; null for anything else.
   */
  static byte[] address(byte[] wire, int offset, int labels) {
    if (labels == 4) {
      byte[] address = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = octet(wire, offset);
        if (octet < 0) {
          return null;
        }
        address[3 - i] = (byte) octet;
        offset += wire[offset] + 1;
      }
      return address;
    }
    if (labels == 32) {
      byte[] address = new byte[16];
      for (int i = 0; i < 32; i++) {
        int nibble = wire[offset] == 1 ? Character.digit(wire[offset + 1], 16) : -1;
        if (nibble < 0) {
          return null;
        }
        address[15 - i / 2] |= (byte) (i % 2 == 0 ? nibble : nibble << 4);
        offset += 2;
      }
      return address;
    }
    return null;
  }

  /** The label at {@code offset} as a decimal octet without leading zeros, 0 to 255; -1 for anything else. */
  private static int octet(byte[] wire, int offset) {
    int length = wire[offset];
    if (length < 1 || length > 3 || (length > 1 && wire[offset + 1] == '0')) {
      return -1;
    }
    int value = 0;
    for (int i = offset + 1; i <= offset + length; i++) {
      if (wire[i] < '0' || wire[i] > '9') {
        return -1;
      }
      value = value * 10 + wire[i] - '0';
    }
    return value <= 255 ? value : -1;
  }
}
