package io.hunnypot.api.dnsbl;

import io.netty.util.NetUtil;
import org.xbill.DNS.Name;

/** The address a DNSBL query names: {@code 1.2.0.192.<zone>} for 192.0.2.1, 32 nibbles for IPv6 (RFC 5782). */
final class ReversedName {

  private ReversedName() {
  }

  /**
   * The address written in the first {@code labels} labels of {@code name}, least significant
   * first: 4 bytes from 4 decimal labels, 16 bytes from 32 hexadecimal ones; null for anything else.
   */
  static byte[] address(Name name, int labels) {
    if (labels == 4) {
      byte[] address = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = octet(name.getLabel(i));
        if (octet < 0) {
          return null;
        }
        address[3 - i] = (byte) octet;
      }
      return address;
    }
    if (labels == 32) {
      byte[] address = new byte[16];
      for (int i = 0; i < 32; i++) {
        byte[] label = name.getLabel(i); // its length byte, then its characters
        int nibble = label.length == 2 ? Character.digit(label[1], 16) : -1;
        if (nibble < 0) {
          return null;
        }
        address[15 - i / 2] |= (byte) (i % 2 == 0 ? nibble : nibble << 4);
      }
      return address;
    }
    return null;
  }

  /** A decimal octet without leading zeros, 0 to 255; -1 for anything else. */
  private static int octet(byte[] label) {
    int length = label[0];
    if (length < 1 || length > 3 || (length > 1 && label[1] == '0')) {
      return -1;
    }
    int value = 0;
    for (int i = 1; i <= length; i++) {
      if (label[i] < '0' || label[i] > '9') {
        return -1;
      }
      value = value * 10 + label[i] - '0';
    }
    return value <= 255 ? value : -1;
  }

  /** The address in the API's form: dotted IPv4, RFC 5952 IPv6. */
  static String text(byte[] address) {
    return NetUtil.bytesToIpAddress(address);
  }
}
