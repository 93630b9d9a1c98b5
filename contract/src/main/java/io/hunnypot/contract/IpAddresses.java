package io.hunnypot.contract;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The one textual form of an IP address in Hunnypot, written by the listener and looked up by
 * the API, so that every spelling of an address finds the same offender: IPv4 in dotted
 * decimal, IPv6 in the RFC 5952 form ({@code 2001:DB8:0::1} is {@code 2001:db8::1}), an
 * IPv4-mapped IPv6 address (how a dual-stack socket sees an IPv4 client) as its IPv4 address.
 * Never looks a name up in the DNS.
 */
public final class IpAddresses {

  private IpAddresses() {
  }

  /**
   * The normal form of an address literal as a user writes it.
   *
   * @throws IllegalArgumentException if {@code text} is not an IP address literal; brackets and
   *                                  a zone index ({@code fe80::1%eth0}) belong to URLs and sockets
   */
  public static String normalise(String text) {
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

  /** The normal form of a socket's address, whose zone index ({@code %eth0}) has no place in a sighting. */
  public static String ofSocket(String hostAddress) {
    int zone = hostAddress.indexOf('%');
    return normalise(zone < 0 ? hostAddress : hostAddress.substring(0, zone));
  }
}
