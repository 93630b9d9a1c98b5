package io.hunnypot.listener;

import io.netty.util.NetUtil;

import java.net.InetAddress;

/** Client and local addresses in the one form PostgreSQL's {@code inet} takes and the API shows. */
final class IpAddresses {

  private IpAddresses() {
  }

  /**
   * An IPv4-mapped IPv6 address (how a dual-stack socket sees an IPv4 client) becomes dotted
   * IPv4, a zone id ({@code %eth0}) is dropped, and IPv6 is written compressed (RFC 5952).
   * Anything that is not an address literal is returned unchanged.
   */
  static String normalise(String literal) {
    int zone = literal.indexOf('%');
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(zone < 0 ? literal : literal.substring(0, zone));
    return address == null ? literal : NetUtil.toAddressString(address);
  }
}
