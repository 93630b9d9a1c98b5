package io.hunnypot.contract;

import io.netty.util.NetUtil;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A network of addresses, {@code 192.0.2.0/24} or {@code 2001:db8::/32}; an address alone is
 * its own network ({@code /32} or {@code /128}). As PostgreSQL's {@code cidr}, it refuses an
 * address with bits set after the prefix, which would not say what was meant.
 */
public record Cidr(InetAddress network, int prefixLength) {

  public static final String EXPECTED = "a network such as 192.0.2.0/24 or 2001:db8::/32, or one address";

  public Cidr {
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " out of 0-" + bits);
    }
  }

  /** @throws IllegalArgumentException unless {@code text} is an address, or an address and a prefix length with no host bits set */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    byte[] bytes = address.contains("%") ? null : NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      throw new IllegalArgumentException("not " + EXPECTED + ": " + text);
    }
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      String length = text.substring(slash + 1);
      if (!length.matches("\\d{1,3}")) {
        throw new IllegalArgumentException("not " + EXPECTED + ": " + text);
      }
      prefix = Integer.parseInt(length);
    }
    if (prefix > bytes.length * 8 || !Arrays.equals(bytes, masked(bytes, prefix))) {
      throw new IllegalArgumentException("not " + EXPECTED + " (no bits set after the prefix): " + text);
    }
    try {
      // an IPv6 literal stays IPv6 even when it is IPv4-mapped: the prefix counts its 128 bits
      return new Cidr(bytes.length == 4 ? InetAddress.getByAddress(bytes)
          : Inet6Address.getByAddress(null, bytes, (NetworkInterface) null), prefix);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not " + EXPECTED + ": " + text, e);
    }
  }

  /** Whether {@code address} (4 or 16 bytes) is in this network; an address of the other family never is. */
  public boolean contains(byte[] address) {
    byte[] network = this.network.getAddress();
    return address.length == network.length && Arrays.equals(masked(address, prefixLength), network);
  }

  private static byte[] masked(byte[] address, int prefix) {
    byte[] masked = address.clone();
    for (int bit = prefix; bit < masked.length * 8; bit++) {
      masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return masked;
  }

  /** {@code 192.0.2.0/24}, {@code 2001:db8::/32}: the form PostgreSQL and the API use. */
  @Override
  public String toString() {
    return NetUtil.toAddressString(network) + "/" + prefixLength;
  }
}
