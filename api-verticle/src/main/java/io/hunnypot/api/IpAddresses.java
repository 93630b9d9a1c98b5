package io.hunnypot.api;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The one textual form of a client address, so that every spelling of it finds the same offender. */
final class IpAddresses {

  private IpAddresses() {
  }

  /**
   * IPv4 in dotted decimal, IPv6 in the RFC 5952 form ({@code 2001:DB8:0::1} is {@code 2001:db8::1}),
   * an IPv4-mapped IPv6 address as its IPv4 address. Never looks a name up in the DNS.
   *
   * @throws IllegalArgumentException if {@code text} is not an IP address literal
   */
  static String normalise(String text) {
    // brackets and a zone index (fe80::1%eth0) belong to URLs and sockets, not to a client address
    byte[] bytes = text.contains("%") || text.contains("[") ? null : NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      throw new IllegalArgumentException("not an IP address: " + text);
    }
    try {
      // getByAddress turns an IPv4-mapped address into its Inet4Address
      return NetUtil.toAddressString(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + text, e);
    }
  }
}
